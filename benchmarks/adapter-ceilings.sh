#!/usr/bin/env bash
# Each embedded adapter against its framework's ceiling, in pairs measured back to back: the ceiling
# is the same framework with the same server settings sending the demo's hit (the same fields and
# body) from precomputed bytes, with no cache; the other side is the demo on that framework behind
# its apicache adapter (Caffeine store), serving the same URL as a hit. Each server runs alone while
# it is measured (started, warmed up 8 s, measured, stopped). The two sides of a pair run one after
# the other, in alternating order from round to round, so that the machine's drift over minutes
# falls on both; the ratio reported per framework is the median of its rounds, with the range.
# Installs wrk when missing.
# Usage: benchmarks/adapter-ceilings.sh [rounds=5] [seconds=10]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds="${1:-5}"
seconds="${2:-10}"
source "benchmarks/bench-lib.sh"
ensure_tools wrk
path="/api/products?category=books&page=1"

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

rps() { # name framework [serve options...]: starts the server, warms it up, prints its requests/s
  local name="$1" framework="$2" port pid out
  shift 2
  port=$(free_port)
  ./apicache serve --port "$port" --framework "$framework" "$@" >"$work/$name.log" 2>&1 & pid=$!
  wait_for "http://127.0.0.1:$port$path"
  wrk -t2 -c64 -d8s "http://127.0.0.1:$port$path" >/dev/null 2>&1
  out=$(wrk -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$port$path")
  stop "$pid"
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$name answered errors under load:" >&2
    echo "$out" >&2
    exit 1
  fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

echo "| framework | ceiling, median req/s | apicache, median req/s | apicache / ceiling: median of $rounds pairs | range |"
echo "|---|---|---|---|---|"
for framework in javalin servlet helidon; do
  ceilings=() cached=() ratios=()
  for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then
      c=$(rps "ceiling-$framework" "$framework" --ceiling)
      a=$(rps "apicache-$framework" "$framework")
    else
      a=$(rps "apicache-$framework" "$framework")
      c=$(rps "ceiling-$framework" "$framework" --ceiling)
    fi
    ceilings+=("$c") cached+=("$a") ratios+=("$(echo "$a / $c" | bc -l)")
    printf '  %s round %s: ceiling %.0f, apicache %.0f, %.2fx\n' "$framework" "$round" "$c" "$a" "${ratios[-1]}" >&2
  done
  printf '| %s | %.0f | %.0f | **%.2fx** | %.2fx to %.2fx |\n' "$framework" \
    "$(printf '%s\n' "${ceilings[@]}" | median)" "$(printf '%s\n' "${cached[@]}" | median)" \
    "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | sort -g | head -1)" \
    "$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)"
done
