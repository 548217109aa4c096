#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) for SECONDS each, one after the other (the
# build machines have two cores, shared): `make fuzz` (FUZZ_SECONDS, default 600) and
# `make fuzz-smoke` (30 s each). Seeds come from the shared vectors (fuzz/seed.py); the
# corpus grows in fuzz/corpus/<target>/ and crashes land in fuzz/artifacts/<target>/;
# minimized past findings in fuzz/regressions/<target>/ (committed) run first every time.
# Prints one line per target (executions, speed, corpus size) and exits non-zero when any
# target found a crash or an invariant violation; with 3 or 4 when the nightly toolchain
# or cargo-fuzz cannot be had (scripts/ensure-fuzz.sh says which).
#
# Usage: fuzz/run.sh SECONDS [target ...]
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:?usage: fuzz/run.sh SECONDS [target ...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse construct signature_header abi content_key)

scripts/ensure-fuzz.sh
python3 fuzz/seed.py

# fuzz/ is its own workspace: the build stays in fuzz/target, whatever the caller set.
unset CARGO_TARGET_DIR
mkdir -p fuzz/logs
echo "building the fuzz targets (nightly, AddressSanitizer)"
if ! cargo +nightly fuzz build --fuzz-dir fuzz >fuzz/logs/build.log 2>&1; then
  tail -40 fuzz/logs/build.log >&2
  echo "fuzz: the targets do not build (fuzz/logs/build.log)" >&2
  exit 1
fi

failed=()
summary=()
for target in "${targets[@]}"; do
  log=fuzz/logs/$target.log
  echo "fuzzing $target for ${seconds}s (log: $log)"
  # Committed findings (fuzz/regressions/<target>/) run first, with the seeds.
  corpora=("fuzz/corpus/$target")
  [ -d "fuzz/regressions/$target" ] && corpora+=("fuzz/regressions/$target")
  status=0
  cargo +nightly fuzz run --fuzz-dir fuzz "$target" "${corpora[@]}" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -dict=fuzz/json.dict \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  stat() { awk -v k="stat::$1:" '$1 == k { print $2 }' "$log" | tail -1; }
  runs=$(stat number_of_executed_units)
  speed=$(stat average_exec_per_sec)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    failed+=("$target")
    summary+=("$(printf '%-17s FAILED (exit %s): see %s and fuzz/artifacts/%s/' "$target" "$status" "$log" "$target")")
    grep -E 'panicked at|ERROR: (libFuzzer|AddressSanitizer)|^Test unit written' "$log" | head -5 >&2 || true
  else
    summary+=("$(printf '%-17s %10s runs  %7s exec/s  corpus %5s' "$target" "${runs:-?}" "${speed:-?}" "$corpus")")
  fi
done

echo
echo "fuzz results (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
if [ -n "${RELIABILITY_FILE:-}" ]; then
  # make reliability: the run's figures into RELIABILITY.md's fuzzing section.
  {
    echo "## Fuzzing (cargo-fuzz, libFuzzer + AddressSanitizer)"
    echo
    echo "\`fuzz/run.sh $seconds\` (\`make fuzz FUZZ_SECONDS=$seconds\`; \`make test\` runs 30 s per target), $(date -u +%Y-%m-%d), $(nproc) shared cores; seeds from the shared vectors, past findings in fuzz/regressions/ replayed first. The targets check the core against oracles written from tests/vectors/README.md (fuzz/fuzz_targets/)."
    echo
    echo '```'
    printf '%s\n' "${summary[@]}"
    echo '```'
  } | node --input-type=module -e "
    import { readFileSync } from 'node:fs';
    import { writeSection } from './tests/load/reliability-md.mjs';
    writeSection(process.argv[1], 'fuzzing', readFileSync(0, 'utf8'));" "$RELIABILITY_FILE"
fi
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: ${#failed[@]} target(s) failed: ${failed[*]}" >&2
  exit 1
fi
