# Every target works on a machine with nothing but Python 3.11+: the first one
# run creates .venv and installs the project with its dev, web, export, redis and warc extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DB     ?= archive.db

.PHONY: demo test lint format bench bench-extract bench-crawl bench-archive bench-stitch bench-dedup bench-scaleout bench-report bench-warc bench-import bench-langid clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,web,export,redis,warc]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/morgue demo --db $(DB)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python tests/test_layers.py

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint
	$(BIN)/python -m pytest

bench: bench-extract bench-crawl bench-archive bench-stitch bench-dedup bench-scaleout bench-report bench-warc bench-import bench-langid

bench-extract: $(STAMP)
	$(BIN)/python bench/extraction.py
	$(BIN)/python bench/metadata.py

# Uses nginx on 127.0.0.1 when installed (apt-get install nginx), else Python's server.
bench-crawl: $(STAMP)
	$(BIN)/python bench/crawl.py --write

bench-archive: $(STAMP)
	$(BIN)/python bench/archive.py

bench-stitch: $(STAMP)
	$(BIN)/python bench/stitch.py

bench-dedup: $(STAMP)
	$(BIN)/python bench/dedup.py

# Builds bench/archive.py's 200,000-article archive first (minutes) unless BENCH_DIR has it.
BENCH_DIR ?= .bench
bench-report: $(STAMP)
	$(BIN)/python bench/report.py --dir $(BENCH_DIR)

# Starts its own redis-server on 127.0.0.1 (apt-get install redis-server) and nginx when installed.
bench-scaleout: $(STAMP)
	$(BIN)/python bench/scaleout.py --pages 4000 --reps 3 --write

# WARC writers compared (warcio, FastWARC when installed) and export speed and peak RSS.
bench-warc: $(STAMP)
	$(BIN)/python bench/warc.py

# Writes WARCs of 5,000 and 50,000 generated pages to a temporary folder (~1 GB at most).
bench-import: $(STAMP)
	$(BIN)/python bench/import.py --pages 5000 --large 50000 --write

# The language model's load in an extraction process: morgue's loader against py3langid's.
bench-langid: $(STAMP)
	$(BIN)/python bench/langid_load.py --reps 5 --write

clean:
	rm -rf $(VENV) .venv-pywb build *.egg-info .pytest_cache .mypy_cache .ruff_cache
