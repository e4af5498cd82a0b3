# Two entry points on a fresh machine:
#   make demo   create .venv, install detente, run the flagship analysis
#   make test   create .venv, install detente with test extras, run lint, types and tests
#               (pytest in parallel on all cores)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-test build-deps lint typecheck pytest browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# detente's sources are byte-compiled as a wheel install would do (an editable install leaves
# it to the first import, which never writes it where PYTHONDONTWRITEBYTECODE is set)
# then its kernels are compiled ahead of time (numba's pycc, needs a C compiler: build-deps,
# and setuptools, which a venv of Python 3.12 or later lacks), so
# a command need not import numba (about 0.7 s of CPU); without a compiler numba compiles them
# on first use, as it did before (src/detente/_kernels.py)
install: $(BIN)/python build-deps
	$(BIN)/pip install --quiet -e . setuptools
	$(BIN)/python -m compileall -q src/detente
	$(BIN)/python -m detente._aot_build

install-test: $(BIN)/python build-deps
	$(BIN)/pip install --quiet -e '.[test]' setuptools
	$(BIN)/python -m compileall -q src/detente
	$(BIN)/python -m detente._aot_build

# a C compiler for the ahead-of-time kernels (Debian's gcc where apt-get is available)
build-deps:
	@if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc libc6-dev >/dev/null) \
	      || echo "note: could not install gcc; numba will compile detente's kernels on first use"; \
	  else echo "note: no C compiler and apt-get unavailable; numba will compile detente's kernels on first use"; fi; \
	fi
	@if [ ! -f "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" ] \
	    && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-dev >/dev/null) \
	    || echo "note: could not install Python's headers; numba will compile detente's kernels on first use"; \
	fi

demo: install
	$(BIN)/detente run

# Debian's Chromium and its WebDriver for the HTML report's browser test (tests/report/test_browser.py);
# where apt is unavailable the test is skipped with a message saying so.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = "0" ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	      || echo "note: could not install chromium; the browser test will be skipped"; \
	  else echo "note: chromium/chromedriver missing and apt-get unavailable; the browser test will be skipped"; fi; \
	fi

lint: install-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	# the layers (pyproject.toml [tool.importlinter]): interfaces > store, report > pipeline >
	# analysis > models, dynamics > core > data, scenario
	$(BIN)/lint-imports

typecheck: install-test
	$(BIN)/mypy

# in parallel on every core (pytest-xdist); 'make pytest PYTEST_ARGS="-m not slow"' skips the
# tests marked slow, PYTEST_ARGS="-n 0" runs them serially
PYTEST_ARGS ?=
pytest: install-test
	$(BIN)/pytest -n auto $(PYTEST_ARGS)

test: install-test browser-deps lint typecheck pytest

bench: install
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
	rm -f src/detente/_aot_kernels*.so src/detente/_aot_kernels.json
