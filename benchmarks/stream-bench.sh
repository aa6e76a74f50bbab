#!/usr/bin/env bash
# ai-gateway streaming benchmark (issue 10 item 7): time to first token through emulator -> runner lane -> ai-gateway
# (lane mode) vs the provider directly at 1/16/64 concurrent streams; runner CPU per streamed chunk; heap per open
# stream; non-streaming latency direct vs invoke mode vs lane mode. Everything runs in one JVM on loopback.
#   benchmarks/stream-bench.sh [--rounds 3] [--seconds 8] [--warmup 2] [--streams "1 16 64"] [--first-token-ms 200]
#                              [--tokens 20] [--gap-ms 20] [--cpu-streams 8] [--cpu-tokens 20000]
#                              [--heap-streams "200 1000"] [--whole-seconds 5] [--whole-clients "1 16 64"]
#                              [--jit-warmup 10]
# Raw JSON lines go to benchmarks/results/stream-raw-<stamp>.jsonl; the markdown tables of medians to stdout.
# Builds with `package` only and runs from the reactor's target/ directories: nothing is installed into ~/.m2.
# STREAM_BENCH_JAVA_OPTS passes JVM options (e.g. -XX:StartFlightRecording=...).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
a6_select_jdk

work=$(mktemp -d /tmp/a6-stream-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "stream-bench: building benchmarks and what it depends on (package, no install) ..." >&2
# One reactor invocation: -am resolves the sibling modules from this tree's target/ (never ~/.m2), and every module
# writes its own target/stream-bench-cp.txt; the benchmarks module's is the one used.
./mvnw -B -q -ntp -o -pl benchmarks -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=provided -Dmdep.outputFile=target/stream-bench-cp.txt >/dev/null
mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

# The call log (a6.ai.calls) goes to a file, as in production; everything else at WARN.
cat >"$work/logback.xml" <<XML
<configuration>
  <appender name="CALLS" class="ch.qos.logback.core.FileAppender">
    <file>$work/ai-calls.log</file>
    <encoder><pattern>%msg%n</pattern></encoder>
  </appender>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="a6.ai.calls" level="INFO" additivity="false"><appender-ref ref="CALLS"/></logger>
  <root level="WARN"><appender-ref ref="ERR"/></root>
</configuration>
XML

echo "stream-bench: running (nproc $(nproc), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)) ..." >&2
# shellcheck disable=SC2086
java -Xms1g -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$work/logback.xml" \
  ${STREAM_BENCH_JAVA_OPTS:-} \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/stream-bench-cp.txt)" org.a6suite.bench.ai.StreamBench \
  --out "benchmarks/results/stream-raw-$stamp.jsonl" "$@"
echo "stream-bench: call log lines written: $(wc -l <"$work/ai-calls.log" 2>/dev/null || echo 0); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
