# Tuoke: the two commands are `make run` and `make test` (see README.md).
# Both install what they need on Debian 12 (as root), build, then run or test.

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
DATA_DIR ?= data
PORT ?= 8080
JOBS ?= 2
TUOKE := $(BUILD_DIR)/tuoke

.PHONY: all deps web build run test test-fast e2e-deps bench clean help

all: build web

help:
	@echo "make run    - install, build and serve the demo company on http://127.0.0.1:$(PORT)"
	@echo "make test   - install, build and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make build  - build the server only;  make web - build the web client only"

deps:
	@bash scripts/install-deps.sh

# npm ci only when the lockfile changed since the last install.
web/node_modules/.installed: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.installed $(shell find web/src web/index.html web/vite.config.ts web/public -type f 2>/dev/null)
	cd web && npm run build --silent

web: deps web/dist/index.html

tests/e2e/node_modules/.installed: tests/e2e/package-lock.json
	cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

e2e-deps: tests/e2e/node_modules/.installed

$(BUILD_DIR)/build.ninja: CMakeLists.txt
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build web
	@$(TUOKE) --data-dir $(DATA_DIR) seed-demo --if-empty
	@echo ""
	@echo "Tuoke is starting on http://127.0.0.1:$(PORT)"
	@echo "Demo logins (password tuoke2026): gm (general manager), mgr1 / mgr2 (sales managers),"
	@echo "  rep1 … rep6 (reps; rep3 and rep6 on probation), assistant, finance, cs, admin"
	@echo ""
	$(TUOKE) --data-dir $(DATA_DIR) serve --port $(PORT)

test: build web e2e-deps
	@bash scripts/run-tests.sh $(BUILD_DIR)

# Unit tests only, no PostgreSQL, no browser: the quick loop while coding.
test-fast: build
	$(BUILD_DIR)/tuoke_unit_tests --gtest_brief=1

bench: build
	@bash bench/run.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) web/dist
