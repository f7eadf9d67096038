#!/usr/bin/env bash
# `apicache proxy` beside nginx proxy_cache and Varnish, all three in front of one upstream that
# answers every path with fixed JSON and `Cache-Control: max-age=600` (each cache stores by the
# origin's own freshness; no policy file), and beside nginx serving the same bytes from a file, the
# floor. Four workloads, as issue 25 states them:
#   hot        one URL, 1.1 KB, 64 connections
#   many       10,000 URLs at random, 1.1 KB, 64 connections
#   large      one URL, 289 KB, 16 connections
#   crowd      one URL, 1.1 KB, 1,000 connections
# Every server runs alone while it is measured (started, warmed for WARMUP seconds with the same
# workload, measured for SECONDS with wrk -t2, stopped), nginx with one worker per core, Varnish
# with malloc storage and the stock VCL, apicache from its distribution with its shipped settings.
# Prints one markdown row per workload and server: req/s, bytes/s, p50, p99 and the resident memory
# of the server's processes after the run. Installs wrk, nginx and Varnish from the OS packages when
# missing.
# Usage: benchmarks/cache-shootout.sh [SECONDS=10] [WARMUP=10] [WORKLOADS="hot many large crowd"]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-10}"
warmup="${2:-10}"
workloads="${3:-hot many large crowd}"
source "benchmarks/bench-lib.sh"
ensure_tools wrk nginx varnishd python3
ulimit -n 65536 2>/dev/null || true

# the bodies: 1.1 KB and 289 KB of JSON, served by the upstream and, as files, by nginx alone
python3 - "$work" <<'PY'
import json, random, sys
random.seed(25)
def body(n):
    items = [{"id": i, "name": "product %d" % i, "price": round(random.random() * 100, 2)} for i in range(n)]
    return json.dumps(items).encode()
open(sys.argv[1] + "/small.json", "wb").write(body(22)[:1100])
open(sys.argv[1] + "/large.json", "wb").write(body(6000)[:289 * 1024])
PY
mkdir -p "$work/files/items"
cp "$work/small.json" "$work/files/hot"
cp "$work/large.json" "$work/files/large"

cat >"$work/upstream.py" <<'PY'
import http.server, socketserver, sys
work = sys.argv[2]
small = open(work + "/small.json", "rb").read()
large = open(work + "/large.json", "rb").read()
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = large if self.path.startswith("/large") else small
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "max-age=600")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    request_queue_size = 1024
Server(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
upstream=$(free_port)
python3 "$work/upstream.py" "$upstream" "$work" & pids+=($!)
wait_for "http://127.0.0.1:$upstream/hot"

cat >"$work/many.lua" <<'LUA'
local n = 0
function setup(thread) n = n + 1; thread:set("id", n) end
function init(args) math.randomseed(os.time() * 100 + id) end
function request() return wrk.format("GET", "/items/" .. math.random(1, 10000)) end
LUA

# workload -> path, connections, wrk script
path_of() { case "$1" in large) echo /large ;; many) echo /items/1 ;; *) echo /hot ;; esac; }
conns_of() { case "$1" in large) echo 16 ;; crowd) echo 1000 ;; *) echo 64 ;; esac; }

rss_kb() { # the resident memory of every process whose command line matches $1, summed
  pgrep -f "$1" | xargs -r ps -o rss= -p | awk '{s += $1} END {print s + 0}'
}

run() { # server workload base-url process-pattern
  local server="$1" workload="$2" base="$3" pattern="$4" path conns script=() out
  path=$(path_of "$workload"); conns=$(conns_of "$workload")
  [ "$workload" = many ] && script=(-s "$work/many.lua")
  wait_for "$base$path"
  wrk -t2 -c"$conns" -d"${warmup}s" "${script[@]}" "$base$path" >/dev/null 2>&1
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "${script[@]}" "$base$path" 2>&1)
  echo "| $workload | $server | $(awk '/Requests\/sec/ {print $2}' <<<"$out") | $(awk '/Transfer\/sec/ {print $2}' <<<"$out") | $(awk '$1 == "50%" {print $2}' <<<"$out") | $(awk '$1 == "99%" {print $2}' <<<"$out") | $(( $(rss_kb "$pattern") / 1024 )) MB |"
}

echo "| workload | server | req/s | bytes/s | p50 | p99 | resident memory |"
echo "|---|---|---|---|---|---|---|"
for workload in $workloads; do
  # nginx serving the bytes itself: the floor
  port=$(free_port)
  nginx_start "$port" "" "location / { root $work/files; default_type application/json; try_files \$uri /hot =404; }"
  run nginx-file "$workload" "http://127.0.0.1:$port" "nginx: "
  nginx_stop

  port=$(free_port)
  rm -rf "$work/cache"
  nginx_start "$port" "upstream origin { server 127.0.0.1:$upstream; keepalive 64; }" \
    "location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_cache api; proxy_cache_lock on; add_header X-Cache \$upstream_cache_status; }"
  run nginx-proxy_cache "$workload" "http://127.0.0.1:$port" "nginx: "
  nginx_stop

  port=$(free_port)
  rm -rf "$work/varnish"
  varnishd -a "127.0.0.1:$port" -b "127.0.0.1:$upstream" -s malloc,256m -n "$work/varnish" -P "$work/varnish.pid" \
    >"$work/varnish.log" 2>&1
  run varnish "$workload" "http://127.0.0.1:$port" "varnishd"
  kill "$(cat "$work/varnish.pid")"; rm -f "$work/varnish.pid"
  while pgrep -x varnishd >/dev/null || pgrep -f "varnishd -a 127.0.0.1:$port" >/dev/null; do sleep 0.1; done

  port=$(free_port)
  ./apicache proxy --upstream "http://127.0.0.1:$upstream" --port "$port" --management-port -1 --access-log off \
    >"$work/proxy.log" 2>&1 &
  proxy_pid=$!
  run apicache-proxy "$workload" "http://127.0.0.1:$port" "apicache-proxy.jar"
  kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true
done
