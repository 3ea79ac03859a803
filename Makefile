# dflab: every target the project needs; `make` alone lists them. CI runs `.ci/run`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= port-scan-triage
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install system-deps lab resume test test-fast lint typecheck images runner-image bench bench-lab bench-class bench-seal bench-answers bench-validate bench-attack bench-files fuzz golden clean

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install dflab with its dev tools

system-deps: ## install the reference tools the tests compare with (tools/system-packages.txt, apt)
	@sh tools/system-deps.sh

lab: install ## set up and start the sample lab (Docker when an engine answers, else local)
	$(BIN)/dflab start $(SCENARIO)

resume: install ## re-open your newest active lab (SESSION=ID for another one)
	$(BIN)/dflab resume $(SESSION)

test: install system-deps ## run the whole test suite (Docker tests included: they need an engine)
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install system-deps ## the suite without Docker tests (for a laptop with no engine)
	$(BIN)/pytest -m 'not docker' $(PYTEST_ARGS)

lint: install ## ruff
	$(BIN)/ruff check runner tests bench tools

typecheck: install ## mypy (strict)
	$(BIN)/mypy

images: install ## build the lab images offline from the host's Debian mirror (skips up-to-date ones)
	$(BIN)/dflab images build $(PROFILES)

runner-image: install ## build dflab itself as an image (dflab/runner) from host-side wheels
	$(BIN)/dflab images build runner

bench-lab: install images ## Docker lab start vs 'docker run --rm IMAGE true', and idle memory
	$(BIN)/python bench/bench_lab.py

bench-class: install images ## 40 classroom seats: start time, idle memory, answer throughput/latency (Docker)
	$(BIN)/python bench/bench_class.py --seats $(or $(SEATS),40) --seconds $(or $(SECONDS),30)

bench-answers: install ## each checker on megabyte-sized hostile answers vs one split() pass
	$(BIN)/python bench/bench_answers.py

bench-files: install system-deps ## disk facts for a 1 GB ext4 image with 10,000 files vs fls -r on it
	$(BIN)/python bench/bench_files.py --files $(or $(FILES),10000)

bench: install ## dflab's capture analysis vs tshark on a generated capture (PACKETS=1000000 for the full run)
	$(BIN)/python bench/bench_pcap.py --packets $(or $(PACKETS),200000)

.PHONY: bench-gen
bench-gen: install ## capture generator: packets/s vs scapy, one 10,000-packet variant, SEATS variants (CLASS=1: what they add to a class start)
	$(BIN)/python bench/bench_gen.py --seats $(or $(SEATS),40) $(if $(CLASS),--class)

bench-seal: install ## one sealed-key check (scrypt) vs the old salted SHA-256, and brute-force times
	$(BIN)/python bench/bench_seal.py

bench-validate: install ## 'dflab validate' on 2,000 and 20,000 tasks vs a bare libyaml parse (linear growth)
	$(BIN)/python bench/bench_validate.py $(if $(TASKS),--sizes $(TASKS))

bench-attack: install ## issue 10 attacks measured: socket flood latency, answer cost vs attempts, crafted-capture memory
	$(BIN)/python bench/bench_attack.py

fuzz: install ## long fuzz run: the hypothesis campaign of tests/fuzz with many more examples (FUZZ_PROFILE=fuzz)
	$(BIN)/pytest tests/fuzz -q --hypothesis-profile=$(or $(FUZZ_PROFILE),fuzz)

golden: install ## re-record the tshark golden files in tests/golden (needs tshark)
	$(BIN)/python tools/record_golden.py

clean: ## remove the virtual environment and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
