#!/usr/bin/env bash
# The main job: a full backup of the bundled sample Make organization (62+ scenarios, 2 teams) into a git
# repository served by the bundled GitHub double, then an incremental run after one edit. No credentials.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
build_pkg_js
npm_ci "$ROOT/tests"
step "demo: node pkg-js/dist/cli.js --demo"
cd "$ROOT"
exec node pkg-js/dist/cli.js --demo --out "${DEMO_OUT:-$ROOT/demo-backup.git}" "$@"
