#!/usr/bin/env bash
# mcp-gateway benchmark: latency added per MCP tools/call over calling the REST backend directly,
# with the APISIX emulator's own hop measured separately (a route with no ext-plugin), at 1, 16 and 64 clients.
#   benchmarks/mcp-bench.sh [--rounds 3] [--seconds 8] [--warmup 2] [--clients "1 16 64"]
#                           [--targets "direct emulator-noop gateway upstream-direct gateway-federated"]
#                           [--backend bench|fixture]
# upstream-direct / gateway-federated: tools/call of an SDK-built upstream MCP server directly / through the gateway.
# MCP_BENCH_JAVA_OPTS adds JVM options (e.g. -XX:StartFlightRecording=filename=/tmp/mcp.jfr to profile).
# Raw JSON lines and the markdown summary go to benchmarks/results/mcp-<stamp>.txt (and stdout).
# Logging is the shipped runner's (runner/dist logback.xml: INFO and up), written to a file instead of stderr, so
# the per-call log line mcp-gateway writes by default is part of what is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
a6_select_jdk

echo "mcp-bench: building the benchmark module and what it depends on ..." >&2
# install, not package: the classpath below is resolved from the local repository, which must hold this tree's jars.
./mvnw -B -q -ntp -pl benchmarks -am install -DskipTests
./mvnw -B -q -ntp -pl benchmarks org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile=target/mcp-bench.classpath -Dmdep.includeScope=test >/dev/null

# Run from a private copy: other builds in this tree (or of the local repository) must not swap classes mid-run.
work=$(mktemp -d /tmp/a6-mcp-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib"
cp -r benchmarks/target/classes "$work/classes"
tr ':' '\n' <benchmarks/target/mcp-bench.classpath | while read -r jar; do [ -n "$jar" ] && cp "$jar" "$work/lib/"; done
CP="$work/classes:$work/lib/*"
cat >"$work/logback.xml" <<'XML'
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>${A6_MCP_BENCH_LOG}</file>
    <encoder><pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <logger name="io.netty" level="WARN"/>
  <root level="INFO"><appender-ref ref="FILE"/></root>
</configuration>
XML

mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
result=benchmarks/results/mcp-$stamp.txt
{
  echo "# nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "# args: $*"
} | tee "$result"
java -Xms512m -Xmx512m ${MCP_BENCH_JAVA_OPTS:-} -DA6_MCP_BENCH_LOG="$work/gateway.log" -Dlogback.configurationFile="$work/logback.xml" \
  -cp "$CP" org.a6suite.bench.mcp.McpGatewayBench "$@" | tee -a "$result"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg); gateway log lines: $(wc -l <"$work/gateway.log")" | tee -a "$result"
