#!/usr/bin/env bash
# HTTP throughput of one cached URL (the demo's 1.3 KB product list), measured with wrk on loopback,
# each server alone on the machine while it is measured (started, warmed up 8 s, measured, stopped):
#   nginx-static         nginx (one worker per core) serving the same bytes as a file: the machine's HTTP ceiling
#   ceiling-<framework>  that framework answering every request with the same precomputed bytes, no cache
#   apicache-<framework> the demo on that framework behind its apicache adapter (Caffeine store), cached
#   nginx-proxy_cache    nginx proxy_cache (one worker per core) in front of the demo with no cache layer
#   apicache-proxy       ./apicache proxy (a 60 s policy on the URL) in front of the same uncached demo
#   replaced-layer       the layer apicache replaces, re-implemented in Java (Javalin + Redis), its HIT
# The uncached upstream of the two proxies stays up but idle while they serve hits; the replaced layer's
# Redis is started here, on a free port. Installs wrk, nginx and redis-server when missing.
# Usage: benchmarks/http-throughput.sh [seconds]   (default 10 s measured per server)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
source "benchmarks/bench-lib.sh"
ensure_tools wrk nginx redis-server
path="/api/products?category=books&page=1"
workers="$(nproc)"
results=()

measure() { # name url: check the answer, warm up 8 s, measure, record requests/s
  if ! curl -sf "$2" | cmp -s - "$work/static/api/products"; then
    echo "$1 does not answer $2 with the expected bytes; not measured" >&2
    exit 1
  fi
  wrk -t2 -c64 -d8s "$2" >/dev/null 2>&1
  local out rps
  out=$(wrk -t2 -c64 -d"${seconds}s" "$2")
  if grep -q "Non-2xx" <<<"$out"; then
    echo "$1 answered errors under load; not recorded:" >&2
    echo "$out" >&2
    exit 1
  fi
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  results+=("$1 $rps")
  printf '  %-28s %10.0f requests/s\n' "$1" "$rps" >&2
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# the bytes every server answers, written where nginx can serve them as a file
mkdir -p "$work/static/api"
chmod 755 "$work" "$work/static" "$work/static/api" # nginx's workers read the file
port=$(free_port)
./apicache serve --port "$port" --ceiling >"$work/body.log" 2>&1 & body_pid=$!
wait_for "http://127.0.0.1:$port$path"
curl -sf "http://127.0.0.1:$port$path" >"$work/static/api/products"
chmod 644 "$work/static/api/products"
stop "$body_pid"

echo "measuring ${seconds} s per server after 8 s of warm-up, each alone:" >&2
port=$(free_port)
nginx_start "$port" "" "root $work/static; default_type application/json; location / { try_files /api/products =404; }"
wait_for "http://127.0.0.1:$port$path"
measure nginx-static "http://127.0.0.1:$port$path"
nginx_stop

for framework in javalin servlet helidon; do
  port=$(free_port)
  ./apicache serve --port "$port" --ceiling --framework "$framework" >"$work/ceiling-$framework.log" 2>&1 & pid=$!
  wait_for "http://127.0.0.1:$port$path"
  measure "ceiling-$framework" "http://127.0.0.1:$port$path"
  stop "$pid"
  port=$(free_port)
  ./apicache serve --port "$port" --framework "$framework" >"$work/apicache-$framework.log" 2>&1 & pid=$!
  wait_for "http://127.0.0.1:$port$path"
  measure "apicache-$framework" "http://127.0.0.1:$port$path"
  stop "$pid"
done

upstream=$(free_port)
./apicache serve --port "$upstream" --no-cache >"$work/upstream.log" 2>&1 & upstream_pid=$!
wait_for "http://127.0.0.1:$upstream$path"

port=$(free_port)
nginx_start "$port" "upstream demo { server 127.0.0.1:$upstream; keepalive 32; }" \
  "location / { proxy_pass http://demo; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_cache api; proxy_cache_valid 200 60s; proxy_cache_lock on; }"
wait_for "http://127.0.0.1:$port$path"
measure nginx-proxy_cache "http://127.0.0.1:$port$path"
nginx_stop

cat >"$work/proxy-policies.yaml" <<YAML
policies:
  - path: /api/products
    ttl: 60s
    varyBy: [category, page]
YAML
port=$(free_port)
./apicache proxy --upstream "http://127.0.0.1:$upstream" --port "$port" --policies "$work/proxy-policies.yaml" --management-port -1 --access-log off \
  >"$work/proxy.log" 2>&1 & pid=$!
wait_for "http://127.0.0.1:$port$path"
measure apicache-proxy "http://127.0.0.1:$port$path"
stop "$pid"
stop "$upstream_pid"

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --pidfile "$work/redis.pid" >/dev/null
port=$(free_port)
./apicache serve --port "$port" --replaced-layer --redis-url "redis://127.0.0.1:$redis_port" \
  >"$work/replaced.log" 2>&1 & pid=$!
wait_for "http://127.0.0.1:$port$path"
measure replaced-layer "http://127.0.0.1:$port$path"
stop "$pid"

value() { local want="$1"; for r in "${results[@]}"; do set -- $r; if [ "$1" = "$want" ]; then echo "$2"; fi; done; }
ratio() { echo "$(value "$1") / $(value "$2")" | bc -l; }
echo
printf '| server (wrk -t2 -c64, %s s after 8 s of warm-up, each alone) | requests/s | ratio |\n|---|---|---|\n' "$seconds"
printf '| nginx serving the same bytes as a file (%s workers): the HTTP ceiling | %.0f | |\n' "$workers" "$(value nginx-static)"
for framework in javalin servlet helidon; do
  printf '| %s answering precomputed bytes (its own ceiling) | %.0f | |\n' "$framework" "$(value "ceiling-$framework")"
  printf '| apicache on %s, cached | %.0f | **%.2fx** its ceiling (target at least 0.9x) |\n' "$framework" \
    "$(value "apicache-$framework")" "$(ratio "apicache-$framework" "ceiling-$framework")"
done
printf '| nginx proxy_cache (%s workers) in front of the uncached demo | %.0f | |\n' "$workers" "$(value nginx-proxy_cache)"
best=apicache-javalin
for framework in servlet helidon; do
  if [ "$(echo "$(value "apicache-$framework") > $(value "$best")" | bc -l)" = 1 ]; then best="apicache-$framework"; fi
done
printf '| the fastest adapter (%s) against nginx proxy_cache | | **%.2fx** (target at least 1.0x) |\n' "${best#apicache-}" \
  "$(ratio "$best" nginx-proxy_cache)"
printf '| apicache proxy in front of the uncached demo | %.0f | %.2fx nginx proxy_cache |\n' "$(value apicache-proxy)" \
  "$(ratio apicache-proxy nginx-proxy_cache)"
printf '| the replaced layer (Java re-implementation, Javalin + Redis), HIT | %.0f | %s: %.2fx |\n' \
  "$(value replaced-layer)" "${best#apicache-} over it" "$(ratio "$best" replaced-layer)"
