#!/usr/bin/env bash
# Runs every test of the project and ends with one line summing all suites: "N passed, N failed".
# Suites: clippy, Rust native, Rust on wasm32 (Node), simulators, pkg-js (incl. PRD scenarios against the
# simulators), n8n node (build, lint, scanner, unit), real-n8n end-to-end, fuzz smoke.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
set +e   # a failing suite is counted, not fatal: every suite runs and the summary line is always printed
cd "$ROOT"
LOGDIR="$ROOT/target/test-logs"
mkdir -p "$LOGDIR"
TOTAL_PASS=0
TOTAL_FAIL=0
SUITES=()

# run_suite NAME FORMAT COMMAND... — FORMAT: cargo | node | plain (a final "N passed, N failed") | check
run_suite() {
  local name="$1" format="$2"
  shift 2
  local log="$LOGDIR/$name.log" started=$SECONDS
  step "$name: $*"
  "$@" 2>&1 | tee "$log"
  local rc=${PIPESTATUS[0]} pass=0 fail=0
  case "$format" in
    cargo)
      pass=$(grep -Eo '^test result: [A-Za-z]+\. [0-9]+ passed' "$log" | awk '{s+=$4} END {print s+0}')
      fail=$(grep -E '^test result:' "$log" | grep -Eo '[0-9]+ failed' | awk '{s+=$1} END {print s+0}') ;;
    node)
      pass=$(grep -E '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
      fail=$(grep -E '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ;;
    plain)
      local last
      last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
      pass=$(echo "$last" | awk '{print $1+0}')
      fail=$(echo "$last" | awk '{print $3+0}') ;;
    check)
      if [ "$rc" -eq 0 ]; then pass=1; else fail=1; fi ;;
  esac
  if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then fail=1; fi   # a crash counts as a failure
  TOTAL_PASS=$((TOTAL_PASS + pass))
  TOTAL_FAIL=$((TOTAL_FAIL + fail))
  SUITES+=("$(printf '%-28s %5d passed %4d failed  %4ds  (exit %d)' "$name" "$pass" "$fail" $((SECONDS - started)) "$rc")")
}

set -e
ensure_rust
npm_ci "$ROOT/pkg-js"
npm_ci "$ROOT/tests"
# --ignore-scripts: a lint plugin's preinstall runs `npx only-allow pnpm`.
npm_ci "$ROOT/n8n-nodes" --ignore-scripts
set +e

run_suite clippy check cargo clippy --workspace --all-targets --locked -- -D warnings
run_suite rust-native cargo cargo test --workspace --locked
run_suite rust-wasm32 cargo cargo test --workspace --locked --target wasm32-unknown-unknown --tests
run_suite pkg-js-build check bash -c 'cd pkg-js && npm run --silent build'
run_suite simulators node bash -c 'cd tests && npm test'
run_suite pkg-js node bash -c 'cd pkg-js && npm test'
run_suite n8n-node node bash -c 'cd n8n-nodes && npm test'
run_suite fault-matrix plain node tests/fault-matrix/run.mjs
run_suite n8n-e2e plain node tests/e2e/run.mjs
run_suite fuzz-smoke plain bash scripts/fuzz.sh "${FUZZ_SECONDS:-20}"

printf '\n==> summary\n'
printf '%s\n' "${SUITES[@]}"
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
