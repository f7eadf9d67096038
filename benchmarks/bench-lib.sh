# Shared by the benchmark scripts (sourced, never run): builds the demo, makes a work directory
# that is removed on exit with every process recorded in `pids` and any `*.pid` file in it, and
# gives free_port and wait_for.
./apicache --help >/dev/null # builds the demo on first use

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for f in "$work"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; echo "no answer at $1" >&2; exit 1; }

ensure_tools() { # installs each missing tool from the OS packages (nginx as nginx-light, varnishd as varnish)
  local tool pkg
  for tool in "$@"; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "installing $tool" >&2
      pkg=$tool; [ "$tool" = nginx ] && pkg=nginx-light; [ "$tool" = varnishd ] && pkg=varnish
      (apt-get install -y -qq "$pkg" >/dev/null 2>&1) || (apt-get update -qq && apt-get install -y -qq "$pkg" >/dev/null)
    fi
  done
}

nginx_start() { # port http-level-lines server-body: nginx with one worker per core, its cache in $work
  mkdir -p "$work/cache"
  # the workers run as an unprivileged user unless told otherwise: they must reach the work directory
  chmod 755 "$work"
  chmod 777 "$work/cache"
  local run_as=""
  [ "$(id -u)" = 0 ] && run_as="user root;"
  cat >"$work/nginx.conf" <<CONF
$run_as
worker_processes $(nproc);
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  proxy_cache_path $work/cache keys_zone=api:10m;
  $2
  server {
    listen 127.0.0.1:$1;
    $3
  }
}
CONF
  nginx -c "$work/nginx.conf"
}

nginx_stop() {
  kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  for _ in $(seq 1 100); do [ -f "$work/nginx.pid" ] || return 0; sleep 0.05; done # nginx removes it on exit
  rm -f "$work/nginx.pid"
}
