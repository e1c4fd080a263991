#!/usr/bin/env bash
# Tests must not write into the source tree. `tree-guard.sh snapshot FILE` records
# the tree's state (modified and untracked, ignoring what .gitignore ignores);
# `tree-guard.sh check FILE` fails if the test run changed it.
set -euo pipefail
cd "$(dirname "$0")/.."
state() { git status --porcelain --untracked-files=all 2>/dev/null || true; }
case "${1:-}" in
  snapshot) state > "$2" ;;
  check)
    if ! diff <(cat "$2") <(state) >/dev/null; then
      echo "tests wrote into the source tree:" >&2
      diff <(cat "$2") <(state) >&2 || true
      exit 1
    fi ;;
  *) echo "usage: $0 snapshot|check FILE" >&2; exit 2 ;;
esac
