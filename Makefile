# `make decks` and `make test` set themselves up: a .venv with the package and its test extras,
# re-installed whenever pyproject.toml changes.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: decks anki pdf md test fuzz lint validate stats bench figures clean

# The render check also needs Anki's reviewer files (MathJax, its configuration, CSS): the aqt wheel of
# the installed anki's version, without its dependencies (Qt). pip extras cannot say --no-deps.
$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet --no-deps \
	  "aqt==$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("anki"))')"
	touch $(STAMP)

decks: $(STAMP)
	$(BIN)/dlexport build

anki pdf md: $(STAMP)
	$(BIN)/dlexport build --format $@

validate: $(STAMP)
	$(BIN)/dlexport validate

stats: $(STAMP)
	$(BIN)/dlexport stats

test: $(STAMP)
	$(BIN)/python -m pytest

# A longer property-based run than `make test` does: 200x the examples, fresh ones each time.
fuzz: $(STAMP)
	DLEXPORT_FUZZ_EXAMPLES=200 $(BIN)/python -m pytest -q tests/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks figures
	$(BIN)/ruff format --check src tests benchmarks figures

# Not part of `make test`: timings against the bare libraries (see benchmarks/bench.py).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Regenerate content/images/*.svg from figures/ (deterministic: same bytes on every run).
figures: $(STAMP)
	$(BIN)/python figures/make_figures.py

clean:
	rm -rf out build dist .pytest_cache $(VENV) src/*.egg-info
