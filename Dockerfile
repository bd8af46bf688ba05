# Gradient Explorer: one Streamlit replica. Build: docker build -t gradient-explorer .
# Run: docker run -p 8501:8501 gradient-explorer   (several behind a sticky proxy: compose.yaml, deploy/k8s/)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TF_CPP_MIN_LOG_LEVEL=2

# Graphviz's dot lays the graphs out (and makes the PNG downloads); without it graphviz-pure would.
RUN apt-get update \
    && apt-get install -y --no-install-recommends graphviz \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin explorer
WORKDIR /app

# Dependencies first: their layer is reused while only the code changes.
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY pyproject.toml README.md app.py ./
COPY explorer/ explorer/
COPY app_pages/ app_pages/
# the app's theme and type size (17 px base, for projectors) and its toolbar
COPY .streamlit/ .streamlit/
RUN pip install --no-deps . && chown -R explorer:explorer /app

USER explorer
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8501/_stcore/health', timeout=4)"]

# app_pages.serve imports TensorFlow and runs the first examples before the first visitor.
CMD ["python", "-m", "app_pages.serve", "--server.port", "8501", "--server.address", "0.0.0.0", \
     "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
