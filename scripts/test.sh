#!/usr/bin/env bash
# `npm test`: sets up what is missing, then runs every tier. `npm test -- STAGE…` runs some:
#   static (lint + typecheck), unit (node:test next to the code), py (pytest of levrt and the
#   examples), integration (real Docker + FerretDB + PostgreSQL), e2e (Playwright, real browser).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(static unit py integration e2e)

bash scripts/setup.sh || { echo "setup failed" >&2; exit 1; }
# every stage runs on the Node.js setup provided (.nvmrc), npx and the test runners included
. scripts/node-env.sh

failed=()
banner() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }
run_stage() {
  local name="$1"; shift
  banner "$name"
  if "$@"; then echo "stage $name: ok"; else echo "stage $name: FAILED"; failed+=("$name"); fi
}
node_tests() { # files… (sorted, run one file at a time so integration tests never share an engine race)
  [ $# -gt 0 ] || { echo "no test files"; return 1; }
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "$@"
}

e2e_tests() { # Playwright, then its counts as a plain "N passed, N failed" line
  local log rc
  log=$(mktemp)
  npx playwright test 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local passed failed
  passed=$(grep -oE '^ +[0-9]+ passed' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  failed=$(grep -oE '^ +[0-9]+ failed' "$log" | tail -1 | grep -oE '[0-9]+' || true)
  echo "e2e: ${passed:-0} passed, ${failed:-0} failed"
  rm -f "$log"
  return "$rc"
}

for s in "${stages[@]}"; do
  case "$s" in
    static)
      run_stage lint npx eslint .
      run_stage typecheck npx tsc --noEmit -p . ;;
    unit)
      mapfile -t files < <(find runner lib app components scripts -name '*.test.ts' -not -path '*/node_modules/*' -not -name '*.int.test.ts' 2>/dev/null | sort)
      run_stage unit node_tests "${files[@]}" ;;
    py)
      run_stage py python3 -m pytest -q runner/python examples ;;
    integration)
      mapfile -t files < <(find runner lib app scripts test -name '*.int.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
      # lib's modules import "server-only", which is a no-op under the react-server condition
      # LEVHUB_CHECK_RESPONSES: every answer of a route is checked against its declared response schema
      NODE_OPTIONS="${NODE_OPTIONS:-} --conditions=react-server" LEVHUB_CHECK_RESPONSES=1 run_stage integration node_tests "${files[@]}" ;;
    e2e)
      if [ -f playwright.config.ts ]; then run_stage e2e e2e_tests; else echo "no e2e suite yet"; fi ;;
    *) echo "unknown stage $s" >&2; exit 2 ;;
  esac
done

banner summary
if [ ${#failed[@]} -gt 0 ]; then echo "failed stages: ${failed[*]}"; exit 1; fi
echo "all stages passed: ${stages[*]}"
