# The two commands of the README: `make demo` (install, build, answer a canned query, write the HTML)
# and `make test`. Both work on a fresh clone: they create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint system-deps bench bytecode clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,server]'
	touch $(STAMP)

# An editable install leaves kg/ without bytecode; where PYTHONDONTWRITEBYTECODE is set (as in many
# containers) every kg command would compile the package again (50-90 ms of each). Written here, once
# for each change of a source file.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q kg

demo: $(STAMP) bytecode
	$(BIN)/kg build
	$(BIN)/kg query car-t-constructs
	$(BIN)/kg viz

system-deps:
	bash scripts/install-system-deps.sh

test: $(STAMP) bytecode system-deps lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check kg tests bench
	$(BIN)/mypy

bench: $(STAMP) bytecode system-deps
	$(BIN)/python bench/run_all.py

clean:
	rm -rf build
