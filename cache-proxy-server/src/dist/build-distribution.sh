#!/usr/bin/env bash
# Builds apicache-proxy's distribution: a runtime image of the JDK the build runs on (jlink, only the
# modules the program needs), the program's jars, a launcher, and a start-up (AOT) cache made by a
# training run; then packs it as a .tar.gz. Run by Maven in the package phase:
#   build-distribution.sh JAVA_HOME TARGET_DIR PROGRAM_JAR DIST_NAME
set -euo pipefail
java_home="$1" target="$2" program_jar="$3" name="$4"
dist="$target/$name"
rm -rf "$dist" "$target/$name.tar.gz"
mkdir -p "$dist/bin" "$dist/lib"

cp "$target/$program_jar" "$dist/lib/apicache-proxy.jar"
cp "$target/program/lib/"*.jar "$dist/lib/"

# The modules the jars need, as jdeps finds them, plus those only reached by reflection or service
# lookup: TLS to an https upstream (jdk.crypto.ec), the health endpoint (jdk.httpserver), process
# and GC metrics (jdk.management), DNS names (jdk.naming.dns).
# Read as on the class path, where the program runs: apicache's own jars are named modules, so jdeps
# gets copies without their module descriptors (else it would look for the libraries as modules).
scan="$target/jdeps-scan"
rm -rf "$scan" && mkdir -p "$scan"
for jar in "$dist/lib/"*.jar; do
  if "$java_home/bin/jar" tf "$jar" | grep -qx module-info.class; then
    unpacked="$scan/$(basename "$jar" .jar)"
    mkdir -p "$unpacked" && (cd "$unpacked" && "$java_home/bin/jar" xf "$jar" && rm -f module-info.class)
  else
    cp "$jar" "$scan/"
  fi
done
scan_path="$(ls -d "$scan"/* | paste -sd: -)"
modules="$("$java_home/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 21 \
  --class-path "$scan_path" "$scan/apicache-proxy")"
modules="$modules,jdk.crypto.ec,jdk.httpserver,jdk.management,jdk.naming.dns,jdk.unsupported"
"$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$dist/runtime"

cat > "$dist/bin/apicache-proxy" <<'LAUNCHER'
#!/bin/sh
# apicache-proxy: runs on the runtime image beside it; no JDK needed. JVM options: APICACHE_JAVA_OPTS.
here="$(cd "$(dirname "$0")/.." && pwd)"
aot=""
if [ -f "$here/lib/apicache-proxy.aot" ]; then
  aot="-XX:AOTCache=$here/lib/apicache-proxy.aot"
fi
# The heap follows the configured cache: the cache size (a flag, then APICACHE_CACHE_SIZE, then the
# settings file, as the program reads them; 256MiB by default) plus 160 MiB for everything else, not
# a share of the machine. An -Xmx in APICACHE_JAVA_OPTS comes later and wins.
cache="" settings="${APICACHE_SETTINGS:-}" previous=""
for arg in "$@"; do
  case "$previous" in
    --cache-size) cache="$arg" ;;
    --settings) settings="$arg" ;;
  esac
  case "$arg" in
    --cache-size=*) cache="${arg#--cache-size=}" ;;
    --settings=*) settings="${arg#--settings=}" ;;
  esac
  previous="$arg"
done
[ -n "$cache" ] || cache="${APICACHE_CACHE_SIZE:-}"
# plain sh only: the launcher needs nothing from the host but a shell and dirname
trim() { t="${1#"${1%%[![:space:]]*}"}"; printf '%s' "${t%"${t##*[![:space:]]}"}"; }
if [ -z "$cache" ] && [ -n "$settings" ] && [ -r "$settings" ]; then
  while IFS= read -r line || [ -n "$line" ]; do
    line="$(trim "$line")"
    case "$line" in
      cache-size*) value="$(trim "${line#cache-size}")"
        case "$value" in [=:]*) cache="$(trim "${value#?}")" ;; esac ;;
    esac
  done < "$settings"
fi
cache_mib() { # a size as the program reads it (1048576, 512KiB, 256MiB, 1GiB; KB, MB, GB alike) in MiB
  size="$(trim "$1")"
  n="${size%%[!0-9]*}"
  unit="$(trim "${size#"$n"}")"
  [ -n "$n" ] || { echo 256; return; }
  case "$unit" in
    [Gg]*) echo $((n * 1024)) ;;
    [Mm]*) echo "$n" ;;
    [Kk]*) echo $((n / 1024)) ;;
    *) echo $((n / 1048576)) ;;
  esac
}
heap=$(( $(cache_mib "${cache:-256MiB}") + 160 ))
# G1; out of memory ends the process so that its supervisor restarts it, rather than leaving it half
# alive. The event loops' native transport loads a library (native access granted, so the JVM does
# not warn); two malloc arenas, since the JVM's own memory is mostly not malloc's and more arenas only
# hold freed memory resident.
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
exec "$here/runtime/bin/java" -XX:+UseG1GC "-Xmx${heap}m" -XX:+ExitOnOutOfMemoryError \
  --enable-native-access=ALL-UNNAMED -Xlog:aot=off -Xlog:cds=off $aot ${APICACHE_JAVA_OPTS:-} \
  -jar "$here/lib/apicache-proxy.jar" "$@"
LAUNCHER
chmod +x "$dist/bin/apicache-proxy"

# The start-up cache: classes loaded and linked, and method profiles, from one training run on this
# very runtime image and class path (JEP 483/514); the launcher uses it when it is there.
(cd "$dist" && runtime/bin/java -XX:+UseG1GC -XX:AOTCacheOutput=lib/apicache-proxy.aot \
  --enable-native-access=ALL-UNNAMED -Xlog:aot=off -Xlog:cds=off -jar lib/apicache-proxy.jar --aot-training > "$target/aot-training.log" 2>&1) \
  || { echo "the AOT training run failed; the distribution starts without a start-up cache" >&2; \
       cat "$target/aot-training.log" >&2; rm -f "$dist/lib/apicache-proxy.aot"; }

tar -C "$target" -czf "$target/$name.tar.gz" "$name"
echo "apicache-proxy distribution: $target/$name.tar.gz ($(du -h "$target/$name.tar.gz" | cut -f1))"
