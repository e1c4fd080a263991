#!/usr/bin/env bash
# Install what building, running and testing SQLAgent needs. Idempotent: each step
# checks before it acts, so a second run takes well under a second.
#   scripts/setup.sh          build + run tools
#   scripts/setup.sh --test   also Chromium for the browser tests
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
want_browser=false
[ "${1:-}" = "--test" ] && want_browser=true

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

if $want_browser && [ ! -x /usr/bin/chromium ]; then
  log "installing chromium (Debian) for Playwright"
  apt_install chromium
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  log "installing node and npm"
  apt_install nodejs npm
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null)" != "cargo-leptos $CARGO_LEPTOS_VERSION" ]; then
  log "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 10 minutes on 2 cores, once)"
  # --ignore-rust-version: a dependency used only by `cargo leptos new` asks for a newer rustc.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --ignore-rust-version
fi

# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock exactly.
wb=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb" ]; then
  log "installing wasm-bindgen-cli $wb"
  # --locked can fail when the registry no longer serves a locked dependency version.
  cargo install wasm-bindgen-cli --version "$wb" --locked || cargo install wasm-bindgen-cli --version "$wb"
fi

# Tailwind, wasm-opt (binaryen; Debian's is too old) and Playwright come from npm.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
