#!/usr/bin/env bash
# HTTP throughput of a cached endpoint, measured with wrk on loopback, in one run:
#   apicache   - the demo (Javalin + apicache, Caffeine store) serving /api/products/1 from its cache
#   ceiling    - the same server answering with a precomputed body, no cache layer, no database
#   nginx      - nginx proxy_cache in front of the same demo with no cache layer
# Installs wrk and nginx from the OS packages when missing. Usage: benchmarks/http-throughput.sh [seconds]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
for tool in wrk nginx; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "installing $tool" >&2
    (apt-get install -y -qq wrk nginx-light >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq wrk nginx-light >/dev/null)
  fi
done
source "benchmarks/bench-lib.sh"
cached=$(free_port); ceiling=$(free_port); uncached=$(free_port); proxy=$(free_port)
./apicache serve --port "$cached" >"$work/cached.log" 2>&1 & pids+=($!)
./apicache serve --port "$ceiling" --ceiling >"$work/ceiling.log" 2>&1 & pids+=($!)
./apicache serve --port "$uncached" --no-cache >"$work/uncached.log" 2>&1 & pids+=($!)

mkdir -p "$work/cache"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  proxy_cache_path $work/cache keys_zone=api:10m;
  upstream demo { server 127.0.0.1:$uncached; keepalive 32; }
  server {
    listen 127.0.0.1:$proxy;
    location / {
      proxy_pass http://demo;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache api;
      proxy_cache_valid 200 60s;
      proxy_cache_lock on;
    }
  }
}
CONF
nginx -c "$work/nginx.conf"

for port in "$cached" "$ceiling" "$uncached" "$proxy"; do
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$port/api/products/1" && break; sleep 0.1; done
done

measure() { # warm up, then measure; prints requests per second
  wrk -t2 -c32 -d3s "$1" >/dev/null 2>&1
  wrk -t2 -c32 -d"${seconds}s" "$1" | awk '/Requests\/sec/ {print $2}'
}
a=$(measure "http://127.0.0.1:$cached/api/products/1")
c=$(measure "http://127.0.0.1:$ceiling/api/products/1")
n=$(measure "http://127.0.0.1:$proxy/api/products/1")
printf '\n  %-48s %12s %8s\n' "server (wrk -t2 -c32, ${seconds}s, loopback)" "requests/s" "ratio"
printf '  %-48s %12.0f %8s\n' "apicache (Javalin + Caffeine store), cached" "$a" "1.00"
printf '  %-48s %12.0f %8.2f\n' "ceiling: same server, precomputed body" "$c" "$(echo "$a / $c" | bc -l)"
printf '  %-48s %12.0f %8.2f\n' "nginx proxy_cache over the uncached demo" "$n" "$(echo "$a / $n" | bc -l)"
echo "  (ratio: apicache's throughput over the row's; targets: >= 0.9 of the ceiling, >= 1.0 of nginx)"
