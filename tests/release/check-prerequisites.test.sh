#!/usr/bin/env bash
# scripts/check-prerequisites.sh as a fresh machine would meet it: each run gets a PATH of
# its own (links to the real tools it keeps, small fakes for versions and users) and an
# empty HOME, and must print exactly one line for what is missing, with the fix, and exit 1;
# with everything present it prints nothing and exits 0.
set -uo pipefail
cd "$(dirname "$0")/../.."
check=$PWD/scripts/check-prerequisites.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0

# A bin directory with the given real tools linked, then fakes written over it.
bin() { # dir tool...
  local dir=$1; shift
  mkdir -p "$dir"
  for tool in "$@"; do
    local real; real=$(command -v "$tool") && ln -sf "$real" "$dir/$tool"
  done
}
fake() { # dir name output [exit]
  # The name may be a link to the machine's real tool: remove the link, never write through
  # it (noclobber makes a leftover link an error instead of an overwritten /usr/bin file).
  rm -f "$1/$2"
  (set -o noclobber; printf '#!/bin/sh\necho "%s"\nexit %s\n' "$3" "${4:-0}" >"$1/$2") || exit 1
  chmod +x "$1/$2"
}
# The machine's own shell tools, Node and Rust are linked; root, apt-get, dpkg-query and the
# compilers are fakes, so no run depends on (or installs into) this machine's packages.
real=(bash env dirname grep sed sort head cut tr)
rust=(rustup rustc cargo)
machine() { # dir [tool-to-leave-out...]: the real tools and the fakes of a complete machine
  local dir=$1; shift
  bin "$dir" "${real[@]}" node npm "${rust[@]}"
  fake "$dir" id 0
  fake "$dir" apt-get "apt 2.6.1"
  fake "$dir" dpkg-query "install ok installed"
  for tool in python3 make g++; do fake "$dir" "$tool" "$tool"; done
  for gone in "$@"; do rm -f "$dir/$gone"; done
}

# expect NAME EXIT PATTERN -- command...: PATTERN is the only line of the output (empty: none).
expect() {
  local name=$1 want_exit=$2 pattern=$3; shift 4
  local out status
  out=$("$@" 2>&1); status=$?
  local lines; lines=$(grep -c . <<<"$out")
  if [ "$status" = "$want_exit" ] && { [ -z "$pattern" ] && [ -z "$out" ] || { [ "$lines" = 1 ] && grep -qE -- "$pattern" <<<"$out"; }; }; then
    echo "ok - $name"; passed=$((passed + 1))
  else
    echo "not ok - $name: exit $status (want $want_exit), output:"; sed 's/^/    /' <<<"$out"; failed=$((failed + 1))
  fi
}
run() { # path home goals...
  local path=$1 home=$2; shift 2
  env -i PATH="$path" HOME="$home" bash "$check" "$@"
}
mkdir -p "$work/home"

machine "$work/all"
expect "everything present: silent, exit 0" 0 "" -- run "$work/all" "$HOME" test
start=$(date +%s%N)
run "$work/all" "$HOME" build demo test release-check >/dev/null 2>&1
elapsed=$((($(date +%s%N) - start) / 1000000))
if [ "$elapsed" -lt 2000 ]; then echo "ok - cheap when everything is present (${elapsed} ms)"; passed=$((passed + 1)); else
  echo "not ok - took ${elapsed} ms with everything present"; failed=$((failed + 1))
fi

machine "$work/norust" "${rust[@]}"
expect "no Rust at all: one line naming rustup and how to get it" 1 \
  '^missing: Rust via rustup: install it with  curl .*https://sh\.rustup\.rs \| sh -s -- -y  then  \. "\$HOME/\.cargo/env"' -- run "$work/norust" "$work/home" build

mkdir -p "$work/home-cargo/.cargo/bin" && ln -sf "$(command -v rustup)" "$work/home-cargo/.cargo/bin/rustup"
expect "rustup installed but not on PATH: source ~/.cargo/env" 1 \
  '^missing: rustup is in ~/.cargo/bin but not on PATH: run  \. "\$HOME/\.cargo/env"' -- run "$work/norust" "$work/home-cargo" demo

machine "$work/debcargo" "${rust[@]}"
fake "$work/debcargo" cargo "cargo 1.65.0"
expect "Debian's cargo without rustup: says rustup is needed" 1 \
  '^missing: Rust via rustup \(found cargo 1\.65\.0 without rustup' -- run "$work/debcargo" "$work/home" build

machine "$work/oldrust"
fake "$work/oldrust" rustc "rustc 1.79.0 (129f3b996 2024-06-10)"
expect "Rust too old: rustup update stable" 1 '^missing: Rust 1\.88 or newer \(found 1\.79\.0.*rustup update stable' -- run "$work/oldrust" "$HOME" test

machine "$work/notoolchain"
fake "$work/notoolchain" rustc "error: rustup could not choose a version of rustc to run" 1
expect "rustup without a default toolchain: rustup default stable" 1 'rustup default stable$' -- run "$work/notoolchain" "$HOME" build

machine "$work/nonode" node npm
expect "no Node.js: one line with the registry-only way to get Node 20" 1 \
  '^missing: Node\.js 20 or newer: .*npm install -g node@20' -- run "$work/nonode" "$HOME" demo

machine "$work/oldnode"
fake "$work/oldnode" node "v18.19.0"
expect "Node 18: too old for the workspace" 1 '^missing: Node\.js 20 or newer \(found 18\.19\.0' -- run "$work/oldnode" "$HOME" build

machine "$work/nonpm" npm
expect "node without npm" 1 '^missing: npm' -- run "$work/nonpm" "$HOME" build

machine "$work/nocc" g++
fake "$work/nocc" id 1000
expect "no C++ compiler and not root: the apt-get line, nothing installed" 1 \
  '^missing: g\+\+ \(npm ci compiles better-sqlite3 with them\): run  apt-get install -y g\+\+$' -- run "$work/nocc" "$HOME" build

machine "$work/noapt" apt-get dpkg-query
expect "make build needs no apt-get" 0 "" -- run "$work/noapt" "$HOME" build
expect "make test without apt-get: one line listing the Debian packages" 1 \
  '^missing: apt-get: make test installs Debian packages as it goes \(.*php8\.2-cli.*postgresql' -- run "$work/noapt" "$HOME" test

machine "$work/user"
fake "$work/user" id 1000
fake "$work/user" dpkg-query "not-installed"
expect "make test as a user with packages to install: run as root or sudo apt-get" 1 \
  '^missing: root: make test installs Debian packages with apt-get; run it as root, or first:  sudo apt-get install -y .*wordpress' -- run "$work/user" "$HOME" test
fake "$work/user" dpkg-query "install ok installed"
expect "make test as a user with every package installed: fine" 0 "" -- run "$work/user" "$HOME" test

expect "an unknown goal is a usage error" 2 "unknown goal" -- run "$work/all" "$HOME" deploy

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
