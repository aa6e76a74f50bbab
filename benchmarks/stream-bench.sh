#!/usr/bin/env bash
# ai-gateway streaming benchmark: time to first token through emulator -> runner lane -> ai-gateway
# (lane mode) vs the provider directly at 1/16/64 concurrent streams; runner CPU per streamed chunk; heap per open
# stream; non-streaming latency direct vs invoke mode vs lane mode. Everything runs in one JVM on loopback.
#   benchmarks/stream-bench.sh [--rounds 3] [--seconds 8] [--warmup 2] [--streams "1 16 64"] [--first-token-ms 200]
#                              [--tokens 20] [--gap-ms 20] [--cpu-streams 8] [--cpu-tokens 20000]
#                              [--heap-streams "200 1000"] [--whole-seconds 5] [--whole-clients "1 16 64"]
#                              [--jit-warmup 10]
# Raw JSON lines go to benchmarks/results/stream-raw-<stamp>.jsonl; the markdown tables of medians to stdout.
# STREAM_BENCH_JAVA_OPTS passes JVM options (e.g. -XX:StartFlightRecording=...).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. benchmarks/bench-lib.sh
a6_select_jdk

work=$(mktemp -d /tmp/a6-stream-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "stream-bench: building benchmarks and what it depends on (package, no install) ..." >&2
a6_bench_build
mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

a6_bench_logback "$work"

echo "stream-bench: running (nproc $(nproc), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)) ..." >&2
# shellcheck disable=SC2086
java -Xms1g -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$work/logback.xml" \
  ${STREAM_BENCH_JAVA_OPTS:-} \
  -cp "$(a6_bench_classpath)" org.a6suite.bench.ai.StreamBench \
  --out "benchmarks/results/stream-raw-$stamp.jsonl" "$@"
echo "stream-bench: call log lines written: $(wc -l <"$work/ai-calls.log" 2>/dev/null || echo 0); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
