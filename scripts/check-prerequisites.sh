#!/usr/bin/env bash
# The first step of `make build`, `make demo`, `make test` and `make release-check`: what
# they need before their own install steps can run. Installs what Debian's packages provide
# (as root); for anything else prints one line, saying what is missing and how to get it,
# and exits 1. Prints nothing when everything is there (a few tens of milliseconds).
#
#   scripts/check-prerequisites.sh [build|demo|test|release-check ...]   (default: test)
#
# Only package registries are reachable from the machines this runs on, so Rust (rustup)
# and Node.js 20 cannot be installed from here: those lines say how.
set -uo pipefail
cd "$(dirname "$0")/.."

# Cargo.lock's versions of the CLI's dependencies need Rust 1.88 (the icu_* crates under
# ureq; clap 4.6 needs 1.85); the library alone builds with Cargo.toml's rust-version.
rust_min=1.88
# The workspace's tools (package.json's engines); the published package runs on Node 18.
node_min=20

goals=("$@")
[ ${#goals[@]} -eq 0 ] && goals=(test)
needs_apt=0
for goal in "${goals[@]}"; do
  case $goal in
    build | demo) ;;
    test | release-check) needs_apt=1 ;;
    *) echo "check-prerequisites: unknown goal '$goal' (build, demo, test, release-check)" >&2; exit 2 ;;
  esac
done

missing=0
say() { echo "missing: $*" >&2; missing=$((missing + 1)); }
at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; } # version $1 >= $2
is_root() { [ "$(id -u)" = 0 ]; }
have_apt() { command -v apt-get >/dev/null && command -v dpkg-query >/dev/null; }

# Rust, through rustup: the scripts add the wasm32 target and pinned tools with it.
if ! command -v rustup >/dev/null; then
  if [ -x "$HOME/.cargo/bin/rustup" ]; then
    say "rustup is in ~/.cargo/bin but not on PATH: run  . \"\$HOME/.cargo/env\"  (or add ~/.cargo/bin to PATH) and run make again"
  else
    found=
    command -v cargo >/dev/null && found=" (found $(cargo --version 2>/dev/null | cut -d' ' -f1-2) without rustup: the build needs rustup for the wasm32 target)"
    say "Rust via rustup$found: install it with  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y  then  . \"\$HOME/.cargo/env\"  (https://rustup.rs)"
  fi
elif ! rustc_version=$(rustc --version 2>/dev/null); then
  say "a Rust toolchain: rustup has no default toolchain; run  rustup default stable"
else
  rustc_version=$(cut -d' ' -f2 <<<"$rustc_version")
  at_least "${rustc_version%%-*}" "$rust_min" \
    || say "Rust $rust_min or newer (found $rustc_version, older than Cargo.lock's dependencies need): run  rustup update stable"
fi

# Node.js and npm.
if ! command -v node >/dev/null; then
  say "Node.js $node_min or newer: Debian 12's nodejs is 18, so  apt-get install -y nodejs npm && npm install -g node@$node_min  (Node from the npm registry), or Node $node_min from nodejs.org"
else
  node_version=$(node --version 2>/dev/null | tr -d v)
  at_least "$node_version" "$node_min" \
    || say "Node.js $node_min or newer (found $node_version; the published package runs on 18, this workspace's tools need $node_min): run  npm install -g node@$node_min && hash -r  or install Node $node_min from nodejs.org"
  command -v npm >/dev/null \
    || say "npm: install the npm that goes with your Node.js (Debian:  apt-get install -y npm)"
fi

# npm ci builds better-sqlite3 from source when its prebuilt binary cannot be downloaded
# (as here): node-gyp needs python3, make and a C++ compiler, all Debian packages.
tools=()
for tool in python3:python3 make:make g++:g++; do command -v "${tool%%:*}" >/dev/null || tools+=("${tool#*:}"); done
if [ ${#tools[@]} -gt 0 ]; then
  if have_apt && is_root && scripts/ensure-apt.sh "${tools[@]}" >&2; then :; else
    say "${tools[*]} (npm ci compiles better-sqlite3 with them): run  apt-get install -y ${tools[*]}"
  fi
fi

# make test installs Debian packages as it goes (scripts/ensure-apt.sh): it needs apt-get,
# and root unless they are all installed already.
if [ $needs_apt = 1 ]; then
  packages=$(grep -hoE '^\s*(scripts/)?ensure-apt\.sh( [a-z0-9.+-]+)+' Makefile scripts/*.sh | sed 's/.*ensure-apt\.sh //' | tr ' ' '\n' | sort -u | tr '\n' ' ')
  if ! have_apt; then
    say "apt-get: make ${goals[*]} installs Debian packages as it goes ($packages); run it on Debian 12, or install their equivalents yourself"
  elif ! is_root; then
    absent=$(for p in $packages; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$p"; done)
    [ -z "$absent" ] || say "root: make ${goals[*]} installs Debian packages with apt-get; run it as root, or first:  sudo apt-get install -y $absent"
  fi
fi

[ $missing -eq 0 ]
