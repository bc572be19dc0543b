#!/usr/bin/env bash
# Fuzzes every parser of the core (and the engine with arbitrary replies) with cargo-fuzz / libFuzzer.
#
#   scripts/fuzz.sh [seconds-per-target]          # default 30 (the CI smoke run)
#   FUZZ_TARGETS="canonical secrets" scripts/fuzz.sh 600
#   FUZZ_PARALLEL=2 scripts/fuzz.sh 1800           # long run: 30 min per target, two targets at a time
#
# Prints per target: runs (executions), wall seconds, CPU seconds, crashes; exits 1 when any target
# crashed (the reproducer is in fuzz/artifacts/<target>/; replay it with
# `cargo fuzz run -s none <target> <file>` in fuzz/, or minimize it with `cargo fuzz tmin`).
#
# Settings (environment):
#   FUZZ_TARGETS      space-separated subset (default: every target of fuzz/Cargo.toml)
#   FUZZ_PARALLEL     targets run at once (default 1; the machine has 2 cores)
#   FUZZ_SANITIZER    none (default) | address. The core is safe Rust, so a sanitizer finds little that
#                     a panic does not; builds keep debug assertions (-a), so overflows panic too.
#   FUZZ_MAX_LEN      -max_len for libFuzzer (default 4096)
#
# The stable toolchain is used with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes -Z flags). New corpus entries
# are written to fuzz/corpus/<target>/ and are git-ignored; only the seed-* files are committed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SECONDS_PER_TARGET="${1:-30}"
CARGO_FUZZ_VERSION="0.13.1"
SANITIZER="${FUZZ_SANITIZER:-none}"
PARALLEL="${FUZZ_PARALLEL:-1}"
MAX_LEN="${FUZZ_MAX_LEN:-4096}"
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1
# Fuzz builds use other compiler flags: keep them in fuzz/target, apart from the main build's directory.
unset CARGO_TARGET_DIR

if ! [[ "$SECONDS_PER_TARGET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PER_TARGET" -lt 1 ]; then
  echo "usage: scripts/fuzz.sh [seconds-per-target]  (a positive integer, default 30)" >&2
  exit 2
fi

if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  echo "==> cargo install cargo-fuzz $CARGO_FUZZ_VERSION"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked 2>/dev/null || cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION"
fi

cd "$ROOT/fuzz"
TARGETS="${FUZZ_TARGETS:-$(cargo fuzz list)}"
echo "==> cargo fuzz build (sanitizer: $SANITIZER, debug assertions on)"
cargo fuzz build -s "$SANITIZER" -a --release

OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

run_one() {
  local target="$1"
  mkdir -p "corpus/$target" "artifacts/$target"
  local before
  before=$(find "artifacts/$target" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  local rc=0
  # %e wall, %U user, %S system seconds of the fuzzer process.
  /usr/bin/time -f "%e %U %S" -o "$OUT/$target.time" \
    cargo fuzz run -s "$SANITIZER" -a --release "$target" "corpus/$target" -- \
      -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=20 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="artifacts/$target/" >"$OUT/$target.log" 2>&1 || rc=$?
  local after
  after=$(find "artifacts/$target" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' \) | wc -l)
  local runs
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/$target.log" | grep -o '[0-9]*$' | tail -1 || true)
  # The last line holds the figures (a failing command adds a "Command exited…" line before them).
  read -r wall user sys < <(tail -1 "$OUT/$target.time") || true
  local cpu
  cpu=$(awk -v u="${user:-0}" -v s="${sys:-0}" 'BEGIN { printf "%.0f", u + s }')
  local crashes=$((after - before))
  # A non-zero exit without a reproducer (a build error, libFuzzer refusing its options) counts as a failure.
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%s %s %s %s %s\n' "$target" "${runs:-0}" "${wall:-0}" "$cpu" "$crashes" >"$OUT/$target.result"
  if [ "$crashes" -ne 0 ]; then
    echo "---- $target crashed (exit $rc); last lines of its log:" >&2
    tail -40 "$OUT/$target.log" >&2
  fi
}

running=0
for target in $TARGETS; do
  echo "==> fuzz $target for ${SECONDS_PER_TARGET}s"
  run_one "$target" &
  running=$((running + 1))
  if [ "$running" -ge "$PARALLEL" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

echo
printf '%-16s %14s %10s %10s %8s\n' target runs seconds cpu-sec crashes
failed=0
clean=0
total_cpu=0
for target in $TARGETS; do
  if [ -f "$OUT/$target.result" ]; then
    read -r name runs wall cpu crashes <"$OUT/$target.result"
  else
    name=$target runs=0 wall=0 cpu=0 crashes=1
  fi
  printf '%-16s %14s %10s %10s %8s\n' "$name" "$runs" "$wall" "$cpu" "$crashes"
  total_cpu=$((total_cpu + cpu))
  if [ "$crashes" -eq 0 ]; then clean=$((clean + 1)); else failed=$((failed + 1)); fi
done
echo "total CPU: $((total_cpu / 60)) min"
# One line per target: a target passes when it ran without a crash.
echo "$clean passed, $failed failed"
if [ "$failed" -ne 0 ]; then
  echo "fuzzing found crashes: see fuzz/artifacts/" >&2
  exit 1
fi
