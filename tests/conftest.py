import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def apart(fn, *args):
    """fn(*args) in a thread of its own, its result returned and its exception raised here. The browser tests
    keep one Playwright (sync API) running for the whole session, and its event loop counts as running in the
    main thread: asyncio.run() and a second sync Playwright refuse to start there, but start in another thread."""
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()
