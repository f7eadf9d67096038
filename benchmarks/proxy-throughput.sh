#!/usr/bin/env bash
# HIT throughput of `apicache proxy` beside nginx proxy_cache, in front of the same upstream, in
# one run, measured with wrk on loopback:
#   upstream     - the demo without any cache (Helidon), the service both caches front
#   apicache     - ./apicache proxy --policies (a 60 s policy on the product route), Caffeine store
#   nginx        - nginx proxy_cache with one worker per core, the same 60 s for 200s
# Each cache runs alone while it is measured (the other is stopped), is warmed for WARMUP seconds
# first (JIT for the JVM, the cache for both), and is measured for SECONDS with wrk -t2 -c64.
# Installs wrk and nginx from the OS packages when missing.
# Usage: benchmarks/proxy-throughput.sh [SECONDS=10] [WARMUP=10] [RUNS=3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
warmup="${2:-10}"
runs="${3:-3}"
source "benchmarks/bench-lib.sh"
ensure_tools wrk nginx
path=/api/products/1

upstream=$(free_port)
./apicache serve --port "$upstream" --no-cache --framework helidon >"$work/upstream.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$upstream$path"

cat >"$work/policies.yaml" <<YAML
policies:
  - path: /api/products/{id}
    ttl: 60s
YAML

measure() { # label url -> prints "label req/s" per run
  local label="$1" url="$2" r
  wrk -t2 -c64 -d"${warmup}s" "$url" >/dev/null
  for _ in $(seq 1 "$runs"); do
    r=$(wrk -t2 -c64 -d"${seconds}s" "$url" | awk '/Requests\/sec/ {print $2}')
    echo "$label $r"
  done
}

proxy=$(free_port)
./apicache proxy --upstream "http://127.0.0.1:$upstream" --port "$proxy" --policies "$work/policies.yaml" --management-port -1 --access-log off \
  >"$work/proxy.log" 2>&1 &
proxy_pid=$!
pids+=($proxy_pid)
wait_for "http://127.0.0.1:$proxy$path"
curl -s -D - -o /dev/null "http://127.0.0.1:$proxy$path" | grep -qi '^x-cache: HIT' || { echo "apicache proxy does not HIT" >&2; exit 1; }
measure "apicache-proxy" "http://127.0.0.1:$proxy$path"
kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true

nginx_port=$(free_port)
nginx_start "$nginx_port" "upstream demo { server 127.0.0.1:$upstream; keepalive 32; }" \
  "location / { proxy_pass http://demo; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_cache api; proxy_cache_valid 200 60s; proxy_cache_lock on; add_header X-Cache \$upstream_cache_status; }"
wait_for "http://127.0.0.1:$nginx_port$path"
curl -s -D - -o /dev/null "http://127.0.0.1:$nginx_port$path" | grep -qi '^x-cache: HIT' || { echo "nginx does not HIT" >&2; exit 1; }
measure "nginx-proxy_cache-$(nproc)-workers" "http://127.0.0.1:$nginx_port$path"
