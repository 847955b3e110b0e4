#!/usr/bin/env bash
# The BFF's overhead, polling throughput, change-request flows, start-up and memory, side by side.
# Builds the service twice (production jar; the same code with the sandbox built in, run standalone
# as "Solaris" and the identity provider), starts both on loopback against fresh databases, prepares
# all app-side crypto outside the timed part, runs bench.Load, and writes bench/results/latest.md.
# Stops by itself: every phase is bounded (the load by `timeout`).
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/java-env
ensure_postgres

REQUESTS=${REQUESTS:-2000}
BFF_PORT=${BFF_PORT:-18090}
SANDBOX_PORT=${SANDBOX_PORT:-18091}
BFF_MANAGEMENT_PORT=${BFF_MANAGEMENT_PORT:-18092}
SANDBOX_MANAGEMENT_PORT=${SANDBOX_MANAGEMENT_PORT:-18093}
# The bench's own Solaris client and issuer (a production start refuses the sandbox's defaults).
export BENCH_CLIENT_ID=bench-client BENCH_CLIENT_SECRET=bench-client-secret BENCH_ISSUER=https://idp.bench.pinbff.local
# The JVM settings measured best on 2 cores (README, Benchmark): C1 only, serial GC, capped heap.
# The production JVM options (one line, paths relative to the repository root), as Dockerfile.jvm uses them.
BFF_JAVA_OPTS=${BFF_JAVA_OPTS:-$(cat bench/jvm.options)}
WORK=target/bench
OUT=${BENCH_OUT:-bench/results/latest.md}
[ "${PROFILE:-0}" = async ] && OUT=${BENCH_OUT:-target/bench/profiles/results.md}
mkdir -p "$WORK" bench/results

pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

if [ "${BENCH_SKIP_BUILD:-0}" = 1 ] && [ -d "$WORK/sandbox-app" ] && [ -f target/quarkus-app/quarkus-run.jar ]; then
  echo "== build skipped (BENCH_SKIP_BUILD=1: the jars of the previous run)"
else
  echo "== build (sandbox variant, then production with the load generator)"
  ./mvnw -B -q package -DskipTests -Dpinbff.sandbox.enabled=true -Daot.skip=true
  rm -rf "$WORK/sandbox-app" && cp -r target/quarkus-app "$WORK/sandbox-app"
  # -Pbench also compiles src/bench/java (io.pinbff.bench.Load) into target/bench-classes, apart from the application.
  ./mvnw -B -q package -DskipTests -Pbench
fi

echo "== fresh databases"
for db in pinbff_bench pinbff_bench_sandbox; do
  psql -q -h 127.0.0.1 -U postgres -d postgres -c "drop database if exists $db" -c "create database $db" >/dev/null
done

wait_ready() { # url seconds
  local deadline=$(( $(date +%s) + $2 ))
  until curl -sf -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "not ready: $1" >&2; exit 1; }
    sleep 0.01
  done
}

echo "== standalone sandbox on :$SANDBOX_PORT"
QUARKUS_HTTP_PORT=$SANDBOX_PORT QUARKUS_MANAGEMENT_PORT=$SANDBOX_MANAGEMENT_PORT \
  QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://localhost:5432/pinbff_bench_sandbox \
  PINBFF_SANDBOX_CLIENT_ID=$BENCH_CLIENT_ID PINBFF_SANDBOX_CLIENT_SECRET=$BENCH_CLIENT_SECRET AUTH_ISSUER=$BENCH_ISSUER \
  SOLARIS_CLIENT_ID=$BENCH_CLIENT_ID SOLARIS_CLIENT_SECRET=$BENCH_CLIENT_SECRET \
  FINGERPRINT_SECRET=bench-sandbox-fingerprint-secret \
  QUARKUS_LOG_CONSOLE_LEVEL=WARN java -XX:+UseSerialGC -Xmx256m -jar "$WORK/sandbox-app/quarkus-run.jar" > "$WORK/sandbox.log" 2>&1 &
pids+=($!)
export SANDBOX_PID=$!
wait_ready "http://127.0.0.1:$SANDBOX_MANAGEMENT_PORT/q/health/ready" 60

# The plain-proxy anchor: nginx (Debian's nginx-light) in front of the sandbox, one more loopback hop
# that does nothing but forward, so the BFF's overhead can be read against "a hop" and not only
# against "no hop". Skipped when nginx is not installed.
PROXY_PORT=${PROXY_PORT:-18094}
if command -v nginx >/dev/null 2>&1; then
  mkdir -p "$WORK/nginx/logs"
  cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $PWD/$WORK/nginx/nginx.pid;
error_log $PWD/$WORK/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream sandbox { server 127.0.0.1:$SANDBOX_PORT; keepalive 64; }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / { proxy_pass http://sandbox; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINX
  nginx -p "$PWD/$WORK/nginx" -c "$PWD/$WORK/nginx/nginx.conf" > "$WORK/nginx/logs/stdout.log" 2>&1 &
  pids+=($!)
  export PROXY_URL="http://127.0.0.1:$PROXY_PORT"
  echo "== nginx (plain proxy to the sandbox) on :$PROXY_PORT"
fi

bff_env() {
  exec env QUARKUS_HTTP_PORT=$BFF_PORT QUARKUS_MANAGEMENT_PORT=$BFF_MANAGEMENT_PORT \
    QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://localhost:5432/pinbff_bench \
    SOLARIS_CLIENT_ID=$BENCH_CLIENT_ID SOLARIS_CLIENT_SECRET=$BENCH_CLIENT_SECRET AUTH_ISSUER=$BENCH_ISSUER \
    SOLARIS_BASE_URL=http://127.0.0.1:$SANDBOX_PORT/sandbox/solaris \
    SOLARIS_TOKEN_URL=http://127.0.0.1:$SANDBOX_PORT/sandbox/solaris/oauth/token \
    AUTH_JWKS_URL=http://127.0.0.1:$SANDBOX_PORT/sandbox/idp/jwks.json \
    FINGERPRINT_SECRET=bench-fingerprint-secret \
    QUARKUS_LOG_CONSOLE_LEVEL=WARN "$@"
}

# Start-up: the AOT cache `./mvnw package` recorded (target/quarkus-app/app.aot) is in bench/jvm.options.

# PROFILE=1: a JFR recording of the BFF during the load, summarised as hot methods at the end.
[ "${PROFILE:-0}" = 1 ] && BFF_JAVA_OPTS="$BFF_JAVA_OPTS -XX:StartFlightRecording=settings=profile"
# PROFILE=async ASYNC_PROFILER=/path/to/libasyncProfiler.so (from Maven Central's
# tools.profiler:async-profiler:4.2:linux-x64 jar): one CPU profile of the BFF per measured path
# (direct change c=1 and c=32, polling 200 and 304, change-request flow, wrk polling), started and
# stopped around each phase, written as collapsed stacks and summarised by bench/top-frames.sh.
# Every run: the BFF's timers read at the start and end of each measured phase (bench/phase-costs.sh
# turns them into the time per request spent in the BFF, in its Solaris calls and elsewhere).
mkdir -p "$WORK/profiles" "$WORK/phases"
rm -f "$WORK/phases/"*
if [ "${PROFILE:-0}" = async ]; then
  [ -f "${ASYNC_PROFILER:-}" ] || { echo "PROFILE=async needs ASYNC_PROFILER=/path/to/libasyncProfiler.so" >&2; exit 2; }
  BFF_JAVA_OPTS="$BFF_JAVA_OPTS -agentpath:$ASYNC_PROFILER"
  export PROFILE ASYNC_PROFILER PROFILE_EVENT=${PROFILE_EVENT:-cpu}
fi
export BENCH_DIR="$PWD/$WORK" BENCH_TOOLS="$PWD/bench" BFF_MANAGEMENT_PORT
cat > "$WORK/phases/hook.sh" <<'HOOK'
#!/usr/bin/env bash
# begin|end PHASE: the BFF's timers now, and (PROFILE=async) start or stop the profiler in it.
# jcmd's options are quoted: jcmd would read "a=b" as an option of its own.
pid=$(cat "$BENCH_DIR/phases/bff.pid")
curl -s "http://127.0.0.1:$BFF_MANAGEMENT_PORT/q/metrics" > "$BENCH_DIR/phases/$2.$1.metrics" || true
# The BFF's CPU time so far (user + system, clock ticks): CPU per request is far steadier than latency.
awk '{print $14 + $15}' "/proc/$pid/stat" > "$BENCH_DIR/phases/$2.$1.cpu" 2>/dev/null || true
# The same for the sandbox (Solaris and the IdP) and for PostgreSQL (all its processes, both databases).
awk '{print $14 + $15}' "/proc/$SANDBOX_PID/stat" > "$BENCH_DIR/phases/$2.$1.sandbox-cpu" 2>/dev/null || true
for p in $(pgrep -x postgres); do cat "/proc/$p/stat" 2>/dev/null; done | awk '{t += $14 + $15} END {print t + 0}' > "$BENCH_DIR/phases/$2.$1.postgres-cpu"
[ "${PROFILE:-0}" = async ] || exit 0
if [ "$1" = begin ]; then
  jcmd "$pid" JVMTI.agent_load "$ASYNC_PROFILER" "\"start,event=$PROFILE_EVENT,interval=1ms\"" > /dev/null
else
  jcmd "$pid" JVMTI.agent_load "$ASYNC_PROFILER" "\"stop,collapsed,file=$BENCH_DIR/profiles/$2.collapsed\"" > /dev/null
  "$BENCH_TOOLS/top-frames.sh" "$BENCH_DIR/profiles/$2.collapsed" > "$BENCH_DIR/profiles/$2.txt"
fi
HOOK
chmod +x "$WORK/phases/hook.sh"
export BENCH_PHASE_HOOK="$PWD/$WORK/phases/hook.sh"
echo "== BFF on :$BFF_PORT ($BFF_JAVA_OPTS)"
start_ns=$(date +%s%N)
bff_env java $BFF_JAVA_OPTS -jar target/quarkus-app/quarkus-run.jar > "$WORK/bff.log" 2>&1 &
bff_pid=$!
pids+=($bff_pid)
echo "$bff_pid" > "$WORK/phases/bff.pid"
wait_ready "http://127.0.0.1:$BFF_MANAGEMENT_PORT/q/health/ready" 60
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
sleep 2
rss_idle=$(( $(ps -o rss= -p "$bff_pid") / 1024 ))
echo "ready after ${ready_ms} ms, RSS idle ${rss_idle} MiB"

echo "== load"
timeout 240 java -cp target/bench-classes io.pinbff.bench.Load "http://127.0.0.1:$BFF_PORT" "http://127.0.0.1:$SANDBOX_PORT" "$WORK/load.md" "$REQUESTS"
rss_after=$(( $(ps -o rss= -p "$bff_pid") / 1024 ))
# The BFF's own timers (server time per route, Solaris calls per endpoint) for the README's cost breakdown.
curl -s "http://127.0.0.1:$BFF_MANAGEMENT_PORT/q/metrics" > "$WORK/bff-metrics.txt" || true
wrk_lines=""
if command -v wrk >/dev/null 2>&1 && [ -f "$WORK/poll-target.txt" ]; then
  # The same polling with a C load generator (cheaper than the JVM client on 2 shared cores).
  { read -r url; read -r token; read -r etag; } < "$WORK/poll-target.txt"
  for conditional in no yes; do
    hdr=(-H "Authorization: Bearer $token"); [ $conditional = yes ] && hdr+=(-H "If-None-Match: $etag")
    [ -n "${BENCH_PHASE_HOOK:-}" ] && "$BENCH_PHASE_HOOK" begin "wrk-poll-$conditional"
    out=$(timeout 30 wrk -t2 -c64 -d10s --latency "${hdr[@]}" "$url")
    [ -n "${BENCH_PHASE_HOOK:-}" ] && "$BENCH_PHASE_HOOK" end "wrk-poll-$conditional"
    rps=$(echo "$out" | awk '/Requests\/sec/{print $2}'); p50=$(echo "$out" | awk '$1=="50%"{print $2}'); p99=$(echo "$out" | awk '$1=="99%"{print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/{print $NF}')
    wrk_lines+="- wrk, one change request, 64 connections, 10 s, If-None-Match: $conditional: ${rps} req/s, p50 ${p50}, p99 ${p99}${non2xx:+, non-2xx/3xx ${non2xx}}"$'\n'
  done
fi
if [ "${PROFILE:-0}" = 1 ]; then
  jcmd "$bff_pid" JFR.dump filename="$PWD/$WORK/bff.jfr" >/dev/null
  jfr view --width 160 hot-methods "$WORK/bff.jfr" > "$WORK/hot-methods.txt" || true
  echo "JFR hot methods: $WORK/hot-methods.txt"
fi

{
  echo "# PIN BFF benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -n1), BFF JVM options: \`$BFF_JAVA_OPTS\`."
  echo "Everything (BFF, standalone sandbox, PostgreSQL, load generator) on one machine over loopback."
  echo
  cat "$WORK/load.md"
  printf '%s' "$wrk_lines"
  echo "- start to ready (process start until /q/health/ready answers 200, key cached): ${ready_ms} ms"
  echo "- resident memory of the BFF: ${rss_idle} MiB idle after start, ${rss_after} MiB after the load"
  echo
  echo "Where the time of each BFF phase went (the BFF's own timers, bench/phase-costs.sh):"
  echo
  bench/phase-costs.sh "$WORK/phases"
} > "$OUT"
echo
cat "$OUT"
