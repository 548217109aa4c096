# The project's commands. `make demo` and `make test` install what they need first, so they
# work on a fresh machine; every install step is skipped when already satisfied.

SHELL := /bin/bash
# abi as well: the plain ABI's host code has unit tests of its own (src/host/last_secret.rs).
CARGO_TEST_FLAGS := --features cli,abi

.PHONY: build demo test bench test-rust test-node prerequisites

build: prerequisites ## the WebAssembly builds, the npm package in pkg/ and the CLI
	scripts/build-pkg.sh
	cargo build --release --features cli --quiet

demo: prerequisites build ## build, start a local receiver, send a realistic sequence, show each outcome
	scripts/demo.sh

test: prerequisites test-rust fuzz-smoke test-node test-load-node test-worker test-browser test-frameworks test-php test-differential test-wordpress plugin-zip test-release ## every test of the project

test-rust: ## format, lints, docs, native tests with the vectors, the no_std wasm32 build
	scripts/ensure-wasm-tools.sh
	cargo fmt --check
	cargo clippy --all-targets $(CARGO_TEST_FLAGS) -- -D warnings
	cargo clippy --target wasm32-unknown-unknown --no-default-features --features js,abi -- -D warnings
	cargo build --target wasm32-unknown-unknown --no-default-features
	RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
	cargo test $(CARGO_TEST_FLAGS)

test-node: ## the built package in Node: vectors (import and require), API, inbox stores (SQLite, a private PostgreSQL), receivers and frameworks, examples killed and restarted, types, npm pack
	scripts/ensure-apt.sh postgresql
	scripts/build-pkg.sh
	npx tsc -p .
	node --test tests/node/

.PHONY: test-worker test-browser playground
test-worker: ## the Cloudflare Worker example and the shared vectors on real workerd; esbuild bundles
	scripts/test-worker.sh

.PHONY: reliability
reliability: ## the long runs, each writing its section of RELIABILITY.md: fuzzing (FUZZ_SECONDS each), the differential fuzzer, the Node, Worker and WordPress loads (make ct writes its own)
	RELIABILITY_FILE=$(CURDIR)/RELIABILITY.md fuzz/run.sh $(FUZZ_SECONDS)
	scripts/test-differential.sh --reliability $(CURDIR)/RELIABILITY.md
	scripts/ensure-apt.sh postgresql
	node tests/load/node.mjs --count 20000 --concurrency 32 --kills 2 --reliability $(CURDIR)/RELIABILITY.md
	scripts/test-worker-load.sh
	CASPAY_RELIABILITY=1 scripts/test-wordpress.sh

.PHONY: test-load-node
test-load-node: ## 20,000 deliveries with SIGKILLs against node-http (SQLite) and Express (two processes on PostgreSQL); make reliability writes its RELIABILITY.md section
	scripts/ensure-apt.sh postgresql
	scripts/build-pkg.sh
	node tests/load/node.mjs --count 20000 --concurrency 32 --kills 2

.PHONY: test-worker-load
test-worker-load: ## the Worker example under 20,000 deliveries on workerd; writes RELIABILITY.md's worker section
	scripts/test-worker-load.sh

test-browser: ## the playground and the shared vectors in Chromium
	scripts/test-browser.sh

.PHONY: test-frameworks
test-frameworks: ## README quick starts type-checked and run; Express, Fastify, Koa, Hono, node:http; Next.js 15/16 (webpack, Turbopack, edge); Vite, webpack, esbuild, Rollup; Bun, Deno
	scripts/test-frameworks.sh

.PHONY: test-differential
test-differential: ## the same seeded cases through the Rust core, Node (ESM, CJS), workerd, Chromium and both PHP engines: every host must agree
	scripts/test-differential.sh

playground: ## serve the playground on http://127.0.0.1:4173/
	scripts/build-pkg.sh
	node www/serve.mjs

.PHONY: test-php test-wordpress plugin-zip
test-php: ## PHPUnit: both PHP engines over the shared vectors, the plugin's request handling
	scripts/test-php.sh

test-wordpress: ## real WordPress + MariaDB end to end, with each engine
	scripts/test-wordpress.sh

plugin-zip: ## an installable caspay-webhooks.zip of the WordPress plugin
	scripts/plugin-zip.sh

bench: prerequisites build ## Node, workerd, PHP and WordPress against the code a merchant writes by hand, as ratios of medians; writes BENCHMARKS.md (about 10 minutes; run it on a quiet machine)
	scripts/ensure-node-deps.sh
	node bench/node/run.mjs
	node bench/workerd/run.mjs
	bash bench/php/run.sh
	node bench/report.mjs

.PHONY: fuzz fuzz-smoke
FUZZ_SECONDS ?= 600
fuzz: ## every cargo-fuzz target for FUZZ_SECONDS each (default 600), seeded from the shared vectors
	fuzz/run.sh $(FUZZ_SECONDS)

fuzz-smoke: ## every cargo-fuzz target for 30 s, plus the committed regressions; fails where nightly Rust or cargo-fuzz cannot be installed (no test is skipped)
	fuzz/run.sh 30

.PHONY: ct
ct: ## dudect-style constant-time test of the signature check in every host (minutes; not in make test); writes RELIABILITY.md
	scripts/ct.sh

.PHONY: release-check test-release
prerequisites: ## what build, demo, test and release-check need but cannot install themselves: one line each with its fix (nothing when all is there)
	@scripts/check-prerequisites.sh $(or $(filter build demo test release-check,$(MAKECMDGOALS)),build)

release-check: prerequisites ## a release checked without publishing (docs/releasing.md): versions in sync, CHANGELOG.md, the crate's files, cargo publish --dry-run, rust-version, npm pack/publish --dry-run and the tarball installed, the plugin zip and its SVN layout; RELEASE_CHECK_FLAGS=--release for the release itself
	scripts/release-check.sh $(RELEASE_CHECK_FLAGS)

test-release: ## the release tooling's tests: check-prerequisites.sh on simulated fresh machines, release-check.sh's offline sections on fixtures
	tests/release/check-prerequisites.test.sh
	tests/release/release-check.test.sh
