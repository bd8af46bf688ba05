PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test bench fuzz clean

# Both install through pyproject.toml (editable), which reads its pins from requirements*.txt.
$(VENV)/.runtime: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.runtime
	$(PY) -m app_pages.serve --server.port $(PORT) --server.address localhost --browser.gatherUsageStats false

test: $(VENV)/.test
	$(PY) -m pytest

bench: $(VENV)/.test
	$(PY) -m bench

clean:
	rm -rf $(VENV) test-output

fuzz: $(VENV)/.runtime
	$(PY) -m tests.fuzz --count 10000 --seed 1
