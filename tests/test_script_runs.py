"""What happens after every script run, in every session: Streamlit's clean-up must not reset Keras's
global state (shared by every session) nor run a full garbage collection (the playground reruns its
fragment twice a second per playing student)."""

import tomllib
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]


def test_a_script_run_leaves_keras_global_state_alone():
    import keras
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()                                              # imports app_pages._keras_state
    before = keras.backend.get_uid("ge-probe")
    at.run()                                              # a second run: Streamlit's clean-up ran after each
    assert not at.exception
    assert keras.backend.get_uid("ge-probe") == before + 1, "Keras's name counters were reset by a script run"


def test_no_full_garbage_collection_after_each_script_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
