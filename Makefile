# make demo   — set up .venv, write the bundled sample returns, run the whole Dagster job, print a summary
# make test   — set up .venv and run the test suite
# make ui     — Dagster UI and daemon on http://127.0.0.1:3000
# make lint   — ruff (checks and format), mypy over the code, sqlfluff over sql/ (zero findings; CI runs it before the tests)
# make bench  — generate the national workload once (data/bench/), measure, print the table
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME := $(CURDIR)/.dagster_home

.PHONY: setup demo test lint ui bench dagster-home

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

dagster-home:
	mkdir -p $(DAGSTER_HOME)
	cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml

demo: setup dagster-home
	$(BIN)/bdg sample-data
	@mkdir -p data/logs
	@echo "Đang chạy toàn bộ pipeline bằng Dagster (job rebuild_all; nhật ký chi tiết: data/logs/dagster_demo.log)..."
	@$(BIN)/dagster job execute -m bdg_pipeline.definitions -j rebuild_all > data/logs/dagster_demo.log 2>&1 \
		|| { tail -n 40 data/logs/dagster_demo.log; echo "Lỗi: job rebuild_all không chạy xong (xem data/logs/dagster_demo.log)."; exit 1; }
	@echo "Xong. Phụ lục, biểu đồ và trang HTML: data/reports/; kho dữ liệu: data/warehouse/bdg.duckdb"
	$(BIN)/bdg summary

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check bdg_pipeline tests
	$(BIN)/ruff format --check bdg_pipeline tests
	$(BIN)/mypy
	$(BIN)/sqlfluff lint sql/

bench: setup
	$(BIN)/python -m bdg_pipeline.bench

ui: setup dagster-home
	$(BIN)/dagster dev -m bdg_pipeline.definitions -h 127.0.0.1 -p 3000
