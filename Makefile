# The two commands: `make run` and `make test`. Each sets itself up on a fresh clone.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
ASISTEN := $(VENV)/bin/asisten
# Reinstall only when pyproject.toml changes (the stamp's name carries its hash).
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: run test setup ingest eval bench clean

run: $(STAMP)
	$(ASISTEN) prepare-model
	$(ASISTEN) ingest --if-stale
	$(ASISTEN) serve

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch pinned in the same command: a bare torch requirement pulls a multi-GB CUDA build.
	$(PY) -m pip install -q -e '.[dev]' torch==2.13.0
	@rm -f $(VENV)/.installed-*
	@touch $@

ingest: $(STAMP)
	$(ASISTEN) ingest

eval: $(STAMP)
	$(ASISTEN) eval --questions evals/questions/test.jsonl --out eval-out --retriever all

bench: $(STAMP)
	$(ASISTEN) bench --scale 100 --out bench-out

clean:
	rm -rf .asisten eval-out bench-out test-artifacts
