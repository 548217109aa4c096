#!/usr/bin/env bash
# Provides Wasmtime's C API as a shared library for the WordPress plugin's WebAssembly
# engine (PHP FFI), cached in .cache/wasmtime/. Wasmtime publishes no Debian package and
# only package registries are reachable, so the library comes from the PyPI wheel, which
# ships the C API build as wasmtime/linux-x86_64/_libwasmtime.so. A no-op when cached.
# Prints the library's path on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
version=50.0.1
dir=.cache/wasmtime/$version
lib=$dir/libwasmtime.so
if [ ! -s "$lib" ]; then
  [ "$(uname -m)" = x86_64 ] || { echo "ensure-wasmtime: only x86_64 wheels are wired up" >&2; exit 1; }
  command -v python3 >/dev/null || scripts/ensure-apt.sh python3 python3-pip >&2
  python3 -m pip --version >/dev/null 2>&1 || scripts/ensure-apt.sh python3-pip >&2
  scripts/ensure-apt.sh unzip >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --only-binary=:all: \
    --platform manylinux2014_x86_64 --python-version 3.11 "wasmtime==$version" -d "$tmp" >&2
  wheel=$(ls "$tmp"/wasmtime-"$version"-*.whl)
  unzip -q -o "$wheel" 'wasmtime/linux-x86_64/_libwasmtime.so' -d "$tmp/x"
  mkdir -p "$dir"
  mv "$tmp/x/wasmtime/linux-x86_64/_libwasmtime.so" "$lib.part"
  mv "$lib.part" "$lib"
fi
realpath "$lib"
