#!/usr/bin/env bash
# Runner benchmark: the users' comparison (the SAME official-SDK filter jar, benchmarks/official-filters, in our
# runner and in the official runner) next to our a6-native plugins and two echo floors (a blocking-I/O one and one on
# the runner's own transport, Netty epoll); same driver, same frames, one fresh server start per workload.
#   benchmarks/bench.sh [--rounds 3] [--seconds 5] [--warmup 2] [--connections "1 16 64"]
#                       [--workloads "noop vars body postresp"]
#                       [--servers "ours ours-sdk official-warn echo echo-netty"] [--baseline-jar PATH]
#                       [--server-warmup SECONDS]
# --baseline-jar adds the servers base / base-sdk: another build of our runner (e.g. the previous commit's
# runner/dist/target/a6-runner.jar) run the same way, for before/after figures from one run.
# Optional servers: ours-uring (our runner with A6_TRANSPORT=io_uring, a6-native plugins), ours-sdk-uring,
# echo-netty-uring (the Netty floor on io_uring), ours-shipped and ours-sdk-shipped (our runner with the JVM options
# apisix-conf/config.yaml ships in ext-plugin.cmd, read from there; the others run with the JVM's defaults, as the
# official runner's documentation runs it).
# --server-warmup runs each fresh server, unrecorded, at 16 connections for that long before its first point.
# BENCH_JAVA_OPTS is passed to our runner's JVM (e.g. a JFR recording).
# Prints raw JSON lines to benchmarks/results/raw-<stamp>.jsonl and markdown tables of medians and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
a6_select_jdk

rounds=3; seconds=5; warmup=2; conns="1 16 64"; workloads="noop vars body postresp"
servers="ours ours-sdk official-warn echo echo-netty"; baseline=""; server_warmup=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2;; --seconds) seconds=$2; shift 2;; --warmup) warmup=$2; shift 2;;
    --connections) conns=$2; shift 2;; --workloads) workloads=$2; shift 2;; --servers) servers=$2; shift 2;;
    --baseline-jar) baseline=$(realpath "$2"); shift 2;;
    --server-warmup) server_warmup=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done
[ -n "$baseline" ] && servers="$servers base base-sdk"

echo "bench: building runner, benchmarks and the official-SDK filters ..." >&2
./mvnw -B -q -ntp -pl runner/dist,benchmarks -am package -DskipTests
./mvnw -B -q -ntp -f benchmarks/official-filters/pom.xml package
RUNNER_JAR=$(ls runner/dist/target/a6-runner*.jar | grep -v -e original -e classes | head -1)
DRIVER_JAR=benchmarks/target/a6-benchmarks-0.1.0-SNAPSHOT-driver.jar
# The newest apisix-runner-starter on Maven Central (0.6.0 is not published there).
OFFICIAL_JAR=benchmarks/official-filters/target/official/apisix-runner-starter-0.4.0.jar
FILTER_JAR=benchmarks/official-filters/target/a6-bench-official-filters-0.1.0-SNAPSHOT.jar

work=$(mktemp -d /tmp/a6-bench.XXXXXX)
mkdir -p "$work/our-plugins" "$work/official-plugins" benchmarks/results
# Our runner gets the native plugins and the official-SDK filter jar in one plugins dir; the official runner the
# filter jar alone.
cp benchmarks/target/a6-benchmarks-0.1.0-SNAPSHOT.jar "$work/our-plugins/"
cp "$FILTER_JAR" "$work/our-plugins/"
cp "$FILTER_JAR" "$work/official-plugins/"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
raw=benchmarks/results/raw-$stamp.jsonl
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

wait_socket() {
  for _ in $(seq 1 240); do [ -S "$1" ] && return 0; sleep 0.25; done
  echo "bench: $1 did not appear" >&2; return 1
}

# The JVM options of our runner's ext-plugin.cmd in the shipped APISIX config (heap and collector).
SHIPPED_JVM_OPTS=$(grep -o '"-X[^"]*"' apisix-conf/config.yaml | tr -d '"' | tr '\n' ' ')
[ -n "$SHIPPED_JVM_OPTS" ] || { echo "bench: no -X options in apisix-conf/config.yaml's ext-plugin.cmd" >&2; exit 1; }

start_ours() { # $1 = jar, $2 = socket, $3 = log, $4 = A6_TRANSPORT, $5 = JVM options
  # shellcheck disable=SC2086
  APISIX_LISTEN_ADDRESS="unix:$2" APISIX_CONF_EXPIRE_TIME=3600 A6_PLUGINS_DIR="$work/our-plugins" A6_LANE_ADDRESS=off \
    A6_TRANSPORT="$4" java ${5:-} ${BENCH_JAVA_OPTS:-} -jar "$1" >"$3" 2>&1 &
}

start_server() { # $1 = server label, $2 = workload
  local sock="$work/$1.sock"; rm -f "$sock"
  case "$1" in
    ours|ours-sdk) start_ours "$RUNNER_JAR" "$sock" "$work/$1.log" epoll ;;
    ours-uring|ours-sdk-uring) start_ours "$RUNNER_JAR" "$sock" "$work/$1.log" io_uring ;;
    ours-shipped|ours-sdk-shipped) start_ours "$RUNNER_JAR" "$sock" "$work/$1.log" epoll "$SHIPPED_JVM_OPTS" ;;
    base|base-sdk) start_ours "$baseline" "$sock" "$work/$1.log" epoll ;;
    official-warn) APISIX_LISTEN_ADDRESS="unix:$sock" APISIX_CONF_EXPIRE_TIME=3600 \
            java -Dlogging.level.root=WARN -Dloader.path="$work/official-plugins" -jar "$OFFICIAL_JAR" >"$work/$1.log" 2>&1 & ;;
    echo) java -cp "$DRIVER_JAR" org.a6suite.bench.EchoFloorServer --socket "$sock" --workload "$2" >"$work/$1.log" 2>&1 & ;;
    echo-netty) java -cp "$DRIVER_JAR" org.a6suite.bench.EchoNettyFloorServer --socket "$sock" --workload "$2" \
            >"$work/$1.log" 2>&1 & ;;
    echo-netty-uring) java -cp "$DRIVER_JAR" org.a6suite.bench.EchoNettyFloorServer --socket "$sock" --workload "$2" \
            --transport io_uring >"$work/$1.log" 2>&1 & ;;
  esac
  server_pid=$!
  wait_socket "$sock"
  SOCK=$sock
}

# CPU time (user + system, all threads) the server process has used, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICK_HZ=$(getconf CLK_TCK)

stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; }

for round in $(seq 1 "$rounds"); do
  for target in $servers; do
    for wl in $workloads; do
      # a6-native plugins exist for noop, vars and body only
      case "$target:$wl" in ours:postresp|ours-uring:postresp|ours-shipped:postresp|base:postresp) continue;; esac
      start_server "$target" "$wl"
      case "$target" in
        official-*) drv_target=official;; *-sdk|*-sdk-*) drv_target=ours-sdk;; base|ours-*) drv_target=ours;;
        echo*) drv_target=echo;; *) drv_target=$target;;
      esac
      if [ "$server_warmup" != 0 ]; then # unrecorded: lets every server's JIT reach its steady state first
        java -cp "$DRIVER_JAR" org.a6suite.bench.A6LoadDriver --socket "$SOCK" --target "$drv_target" \
          --workload "$wl" --connections 16 --warmup 0 --seconds "$server_warmup" >/dev/null
      fi
      for c in $conns; do
        # The server's CPU per call is the fair efficiency measure on a 2-core machine where the driver competes for
        # the same cores. server_cpu_s covers warm-up and measurement (divided by the calls of both); the driver
        # also reads it over the measured window alone (server_cpu_measured_s: the steady state, which the tables
        # use), since a fresh server's JIT work otherwise lands on whichever point runs first.
        cpu0=$(cpu_ticks "$server_pid")
        line=$(java -cp "$DRIVER_JAR" org.a6suite.bench.A6LoadDriver --socket "$SOCK" --target "$drv_target" \
                 --workload "$wl" --connections "$c" --warmup "$warmup" --seconds "$seconds" \
                 --server-pid "$server_pid" --clock-ticks "$TICK_HZ")
        cpu1=$(cpu_ticks "$server_pid")
        load=$(cut -d' ' -f1 /proc/loadavg)
        echo "{\"round\":$round,\"server\":\"$target\",\"server_cpu_s\":$(awk -v a="$cpu0" -v b="$cpu1" -v hz="$TICK_HZ" 'BEGIN {printf "%.2f", (b - a) / hz}'),\"load1\":$load,${line#\{}" | tee -a "$raw" >&2
      done
      stop_server
    done
  done
done

python3 benchmarks/summarize.py "$raw"
