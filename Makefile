# Two commands do all the set-up: `make report` and `make test`.
# Both create .venv from the pinned versions in requirements.lock when it is missing or stale.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.pmkit-installed
SAMPLE_HISTORY := data/samples/northwind.history.duckdb
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: report test lab lint benchmark lock clean venv

venv: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

report: $(STAMP) $(SAMPLE_HISTORY)
	$(BIN)/pmkit validate data/samples/northwind
	$(BIN)/pmkit report data/samples/northwind --out reports

# the sample's store of monthly updates (pmkit.history.build_sample_history), built once
$(SAMPLE_HISTORY): $(STAMP) $(wildcard data/samples/northwind/*.csv) pmkit/history.py
	$(BIN)/python -m pmkit.history

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check pmkit tests benchmarks

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

benchmark: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

lock:
	rm -rf /tmp/pmkit-lock && $(PYTHON) -m venv /tmp/pmkit-lock
	/tmp/pmkit-lock/bin/pip install --quiet -e '.[dev]'
	(echo '# Pinned versions of every package pmkit and its tests need.'; echo '# Regenerate with: make lock'; \
	 /tmp/pmkit-lock/bin/pip freeze --all --exclude-editable | grep -v "^pmkit") > requirements.lock

clean:
	rm -rf $(VENV) reports .pytest_cache
