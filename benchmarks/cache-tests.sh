#!/usr/bin/env bash
# Runs the public HTTP caching test suite (the npm package http-cache-tests, the suite behind
# cache-tests.fyi) against `./apicache proxy` in reverse-proxy mode, and prints how many tests of
# each kind (required, optimal, check) passed, beside the results the package publishes for
# other reverse proxies and CDNs. Needs node and npm (Debian: apt-get install nodejs npm).
# Usage: benchmarks/cache-tests.sh [VERSION=0.4.5] [RESULTS.json]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:-0.4.5}"
out="${2:-}"
for tool in node npm curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "cache-tests.sh: needs $tool (apt-get install nodejs npm curl)" >&2; exit 1; }
done
source "benchmarks/bench-lib.sh"
(cd "$work" && npm install --silent --no-audit --no-fund "http-cache-tests@$version" >/dev/null)
suite="$work/node_modules/http-cache-tests"
origin=$(free_port)
proxy=$(free_port)

(cd "$suite" && npm_config_protocol=http npm_config_port="$origin" npm_config_pidfile="$work/server.pid" node server/server.mjs >"$work/server.log" 2>&1 &)
wait_for "http://127.0.0.1:$origin/"
./apicache proxy --upstream "http://127.0.0.1:$origin" --port "$proxy" --management-port -1 >"$work/proxy.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$proxy/"

(cd "$suite" && npm run --silent cli --base="http://127.0.0.1:$proxy") >"$work/apicache.json"
[ -n "$out" ] && cp "$work/apicache.json" "$out"

cat >"$work/score.mjs" <<'JS'
import fs from 'fs'
const [suite, mine] = process.argv.slice(2)
const suites = (await import(suite + '/tests/index.mjs')).default
const kind = {}
for (const s of suites) for (const t of s.tests) if (!t.browser_only) kind[t.id] = t.kind || 'required'
const count = (results) => {
  const c = { required: 0, optimal: 0, check: 0 }
  for (const [id, v] of Object.entries(results)) if (kind[id] && v === true) c[kind[id]]++
  return c
}
const total = { required: 0, optimal: 0, check: 0 }
for (const k of Object.values(kind)) total[k]++
const rows = [['apicache proxy', count(JSON.parse(fs.readFileSync(mine)))]]
for (const item of (await import(suite + '/results/index.mjs')).default) {
  if (item.type === 'browser') continue
  rows.push([item.name + ' ' + (item.version || ''), count(JSON.parse(fs.readFileSync(suite + '/results/' + item.file)))])
}
console.log('| implementation | required passed (of ' + total.required + ') | optimal (of ' + total.optimal +
  ') | check (of ' + total.check + ') |\n|---|---|---|---|')
for (const [name, c] of rows) console.log(`| ${name} | ${c.required} | ${c.optimal} | ${c.check} |`)
const r = JSON.parse(fs.readFileSync(mine))
console.log('\nrequired tests apicache does not pass:')
for (const [id, v] of Object.entries(r)) if (kind[id] === 'required' && v !== true) console.log('  ' + id + ': ' + JSON.stringify(v))
JS
node "$work/score.mjs" "$suite" "$work/apicache.json"
