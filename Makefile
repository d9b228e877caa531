# Post-loan audit workbench (贷后管理检查工作台): set-up, dashboards, tests.
# Every target creates .venv on first use, so a fresh machine needs only `make dashboards`
# or `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8866

.PHONY: install install-test dashboards test lint bench sample-extracts corpus clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

# The offline Voila template (voila.json selects it). pip installs it for `pip install .`,
# but not for editable installs, so it is copied into the virtualenv here.
TEMPLATE     := share/jupyter/voila/templates/postloan
TEMPLATE_DST := $(VENV)/$(TEMPLATE)

TEMPLATE_FILES := $(TEMPLATE)/index.html.j2 $(TEMPLATE)/conf.json $(TEMPLATE)/tree.html \
                  $(TEMPLATE)/pages.j2

$(TEMPLATE_DST)/index.html.j2: $(TEMPLATE_FILES) | $(BIN)/python
	mkdir -p $(TEMPLATE_DST)
	cp $(TEMPLATE_FILES) $(TEMPLATE_DST)/

install: $(VENV)/.installed $(TEMPLATE_DST)/index.html.j2

install-test: $(VENV)/.installed-test $(TEMPLATE_DST)/index.html.j2

## Serve notebooks/ with Voila on http://localhost:8866 (PORT=8870 to change), opening on the
## landing page 首页; it keeps the terminal (Ctrl-C stops it): run `make test` in another one.
## Settings in voila.json: sources stripped, tracebacks hidden, 100 MB uploads, a closed page's
## kernel freed within a minute.
dashboards: install
	@echo "首页 / landing page: http://localhost:$(PORT)/  (Ctrl-C 停止 / to stop)"
	$(BIN)/voila notebooks/ --port=$(PORT)

## Run the whole suite: unit, property and notebook (nbval) tests.
test: install-test
	$(BIN)/python -m pytest tests notebooks --nbval-lax

lint: install-test
	$(BIN)/ruff check .

## Performance benchmarks (see docs/performance.md); needs the bench extra.
bench: install-test
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_sample.py
	$(BIN)/python benchmarks/bench_checks.py
	$(BIN)/python benchmarks/bench_portfolio.py

## Regenerate the committed sample extracts byte-identically.
sample-extracts: install
	$(BIN)/python sample_extracts/make_samples.py

## Regenerate the bad-input corpus of tests/data/.
corpus: install-test
	$(BIN)/python tests/data/make_corpus.py
	$(BIN)/python tests/data/profiles/make_profiles.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
