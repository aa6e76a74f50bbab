#!/usr/bin/env bash
# Closed-loop optimizer benchmark: four loopback backend nodes behind the APISIX emulator following
# a real etcd, the runner jar with the health reporter, the optimizer jar; node 4 degrades by +300 ms and 5% errors.
# The same traffic runs once per scenario: static (optimizer mode=off), auto (defaults), auto-tuned (see --tuned).
#   benchmarks/loop-bench.sh [--no-build] [--scenarios static,auto,auto-tuned] [--rate 50] [--warmup 20]
#                            [--measure 90] [--health-interval 5] [--optimizer-interval 1s] [--operator-every-ms 1000]
#                            [--tuned "weight_floor=0.01,max_weight_step=0.5,weight_min_interval_seconds=5"]
#                            [--exporter-refresh 15]   (APISIX's prometheus refresh_interval, played by the emulator)
#                            [--fault-delay-ms 300] [--fault-error-rate 0.05]   (node 4's degradation)
# About 2.5 minutes per scenario. Output (and per-process logs) go to benchmarks/results/loop-<stamp>/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. benchmarks/bench-lib.sh
a6_select_jdk

build=1
if [ "${1:-}" = "--no-build" ]; then build=0; shift; fi
if [ "$build" -eq 1 ]; then
  echo "loop-bench: building the runner, optimizer, dev-stack jars and the benchmark module (package, no install) ..." >&2
  ./mvnw -B -q -ntp package -DskipTests -pl runner/dist,backend-optimizer,integration-tests/dev-stack -am
  a6_bench_build
elif [ ! -f benchmarks/target/bench-cp.txt ]; then
  echo "loop-bench: --no-build needs an earlier build (benchmarks/target/bench-cp.txt is missing)" >&2
  exit 2
fi

stamp=$(date -u +%Y%m%dT%H%M%SZ)
out=benchmarks/results/loop-$stamp
mkdir -p "$out/jars" "$out/lib"
# Private copies: other builds in this tree must not swap jars or classes mid-run.
cp runner/dist/target/a6-runner.jar "$out/jars/"
cp "$(ls backend-optimizer/target/a6-backend-optimizer-*.jar | grep -v original | head -1)" "$out/jars/optimizer.jar"
cp integration-tests/dev-stack/target/a6-dev-stack.jar "$out/jars/"
cp -r benchmarks/target/classes "$out/classes"
# Sibling modules are on the class path as their target/ jars (package, no install): copied like the others.
tr ':' '\n' <benchmarks/target/bench-cp.txt | while read -r jar; do [ -n "$jar" ] && cp "$jar" "$out/lib/"; done

{
  echo "# nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
  echo "# commit=$(git rev-parse --short HEAD) dirty modules: $(git status --porcelain -- backend-optimizer runner integration-tests | wc -l) files"
  echo "# args: $*"
} | tee "$out/result.txt"
cat >"$out/logback.xml" <<'XML'
<configuration>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss} %-5level %logger{36} - %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="ERR"/></root>
</configuration>
XML
java -Xmx256m --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$out/logback.xml" -cp "$out/classes:$out/lib/*" org.a6suite.bench.loop.LoopBench \
  --runner-jar "$out/jars/a6-runner.jar" --optimizer-jar "$out/jars/optimizer.jar" \
  --devstack-jar "$out/jars/a6-dev-stack.jar" --work "$out" "$@" 2>&1 | tee -a "$out/result.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/result.txt"
rm -rf "$out/lib" "$out/classes" "$out/jars"
