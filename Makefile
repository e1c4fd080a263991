# The two commands: `make run` and `make test`. Both install what is missing first.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: setup run build dev test lint test-rust test-e2e bench

setup:
	@scripts/setup.sh

## Build and serve on http://127.0.0.1:8000 with the embedded defaults.
run: setup
	cargo leptos serve --release

build: setup
	cargo leptos build --release

dev: setup
	cargo leptos watch

## Everything CI checks: format, lints, Rust tests on real services, browser tests.
TREE_SNAPSHOT := $(shell mktemp -u /tmp/sqlagent-tree.XXXXXX)

test:
	@scripts/setup.sh --test
	@scripts/services.sh
	@scripts/load-samples.sh
	@scripts/tree-guard.sh snapshot $(TREE_SNAPSHOT)
	$(MAKE) lint test-rust test-e2e
	@scripts/tree-guard.sh check $(TREE_SNAPSHOT)

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets --release -- -D warnings

# Release profile, like cargo-leptos, so both share every dependency artifact.
# Tests that need ../shared/data fail (not skip) without it here.
test-rust:
	SQLAGENT_REQUIRE_SAMPLES=1 cargo test --workspace --release

# The server under test keeps its data in a fresh temporary folder, never in the tree.
test-e2e:
	SQLAGENT_DATA_DIR=$$(mktemp -d /tmp/sqlagent-e2e.XXXXXX) cargo leptos end-to-end --release

## Benchmarks (not tests): schema introspection of 1,000 tables on the local PostgreSQL;
## /ask server overhead with an instant model on a warm session (local Redis);
## server memory under a burst of logins.
bench:
	cargo bench --bench introspect
	cargo bench --bench ask
	cargo bench -p sqlagent-core --bench offline
	cargo build --release --bin sqlagent
	scripts/bench-logins.sh
