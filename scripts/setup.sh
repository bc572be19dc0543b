#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh machine of this kind; fast when already done.
# Sourced by demo.sh and test-all.sh. Caches (cargo target dir, npm cache) only save time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MBP_CACHE="${MBP_CACHE:-$HOME/.cache/make-backup-planner}"
mkdir -p "$MBP_CACHE"
export PATH="$HOME/.cargo/bin:$PATH"
# Cargo's build output is shared by every checkout on this machine (a clean CI clone need not rebuild the
# dependencies); cargo's own fingerprints keep it correct.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$MBP_CACHE/cargo-target}"

step() { printf '\n==> %s\n' "$*"; }

ensure_rust() {
  command -v cargo >/dev/null || { echo "cargo not found: this machine kind ships Rust via rustup" >&2; exit 1; }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
  local want have
  want=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/"/,"",$3); print $3; exit}' "$ROOT/Cargo.lock")
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ] || ! command -v wasm-bindgen-test-runner >/dev/null; then
    step "cargo install wasm-bindgen-cli $want"
    # --locked fails on this registry mirror (a pinned transitive version is missing); fall back unlocked.
    cargo install wasm-bindgen-cli --version "$want" --locked 2>/dev/null || cargo install wasm-bindgen-cli --version "$want"
  fi
}

# Installs a folder's npm packages from its package-lock.json; $1 = folder, further args go to npm.
# `npm ci` first; where it refuses (the registry mirror lacks optional platform packages the lockfile
# lists, e.g. @unrs/resolver-binding-*), `npm install --no-save` from the same lockfile instead.
npm_ci() {
  local dir="$1"
  shift
  if [ -f "$dir/node_modules/.package-lock.json" ] && cmp -s "$dir/package-lock.json" "$dir/node_modules/.mbp-lock-stamp" 2>/dev/null; then
    return 0
  fi
  step "npm ci in ${dir#$ROOT/}"
  if ! (cd "$dir" && npm_config_yes=true npm ci --no-audit --no-fund --prefer-offline "$@"); then
    step "npm ci refused in ${dir#$ROOT/}; npm install --no-save from the lockfile"
    (cd "$dir" && npm_config_yes=true npm install --no-save --no-audit --no-fund --prefer-offline "$@")
  fi
  cp "$dir/package-lock.json" "$dir/node_modules/.mbp-lock-stamp"
}

build_pkg_js() {
  ensure_rust
  npm_ci "$ROOT/pkg-js"
  step "build pkg-js (cargo → wasm-bindgen → wasm-opt → inline → tsc)"
  (cd "$ROOT/pkg-js" && npm run --silent build)
}
