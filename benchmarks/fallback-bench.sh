#!/usr/bin/env bash
# adaptive-fallback benchmark, two parts:
#   benchmarks/fallback-bench.sh jmh   [JMH args, default: -f 3 -wi 3 -i 5 -w 1s -r 1s]
#       per-call cost of the resilience toolkit's decorator stack vs the bare call, and of the plugin's phases
#       (FallbackBench in plugins/adaptive-fallback/src/test/java/.../bench, compiled with the module's tests).
#   benchmarks/fallback-bench.sh drive [--rate 50] [--warmup 8] [--steady 6] [--fault 20] [--recovery 15] [--fast-ms 50]
#                                      [--unanswered-timeout 2] [--scenarios hang,503]
#       open-loop traffic through the APISIX emulator + in-process runner to a route with adaptive-fallback and to
#       the same route without it; the backends start hanging (or answering 503), then recover.
# Raw output goes to benchmarks/results/fallback-{jmh,drive}-<stamp>.*; the summary tables to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. benchmarks/bench-lib.sh
a6_select_jdk

part=${1:-}
[ $# -gt 0 ] && shift
mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
work=$(mktemp -d /tmp/a6-fallback-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "fallback-bench: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

case "$part" in
  jmh)
    echo "fallback-bench: compiling plugins/adaptive-fallback and its tests (no install: siblings from target/) ..." >&2
    # test-compile in the reactor resolves sibling modules to their target/classes; the class path file is written
    # by every module of the reactor, each into its own target/.
    ./mvnw -B -q -ntp -pl plugins/adaptive-fallback -am test-compile dependency:build-classpath \
      -Dmdep.includeScope=test -Dmdep.outputFile=target/fallback-jmh-cp.txt >/dev/null
    cp plugins/adaptive-fallback/target/fallback-jmh-cp.txt "$work/cp.txt"
    [ $# -eq 0 ] && set -- -f 3 -wi 3 -i 5 -w 1s -r 1s
    echo "fallback-bench: load before $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    java -cp "plugins/adaptive-fallback/target/test-classes:plugins/adaptive-fallback/target/classes:$(cat "$work/cp.txt")" \
      org.openjdk.jmh.Main FallbackBench "$@" -rf json -rff "benchmarks/results/fallback-jmh-$stamp.json"
    echo "fallback-bench: load after $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    python3 - "benchmarks/results/fallback-jmh-$stamp.json" <<'PY'
import json, statistics, sys
rows = json.load(open(sys.argv[1]))
med = {}
print("| benchmark | median ns/op | min | max | mean ± 99.9% CI | samples |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    name = r["benchmark"].rsplit(".", 1)[1]
    raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
    med[name] = statistics.median(raw)
    pm = r["primaryMetric"]
    print(f"| {name} | {med[name]:.1f} | {min(raw):.1f} | {max(raw):.1f} | {float(pm['score']):.1f} ± {float(pm['scoreError']):.1f} | {len(raw)} |")
def ratio(a, b):
    if a in med and b in med:
        print(f"- {a} / {b} = {med[a] / med[b]:.1f}x ({med[a] - med[b]:.0f} ns more)")
ratio("decoratorStack", "bareCall")
ratio("requestRoundTripClosed", "preReqOpenFromCache")
ratio("requestRoundTripClosed", "postRespOnlyClosed")
if "requestRoundTripClosed" in med and "postRespOnlyClosed" in med:
    print(f"- pre-req closed (round trip - post-resp alone) ~ {med['requestRoundTripClosed'] - med['postRespOnlyClosed']:.0f} ns")
PY
    ;;
  drive)
    echo "fallback-bench: building benchmarks and what it depends on (package, no install) ..." >&2
    a6_bench_build
    cat >"$work/logback.xml" <<XML
<configuration>
  <appender name="ERR" class="ch.qos.logback.core.ConsoleAppender">
    <target>System.err</target>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
  </appender>
  <!-- one ERROR line per 504 on the route without the plugin: expected here, counted by the driver instead -->
  <logger name="org.a6suite.emulator.internal.Engine" level="OFF"/>
  <root level="WARN"><appender-ref ref="ERR"/></root>
</configuration>
XML
    java -Xms512m -Xmx512m -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$work/logback.xml" \
      -cp "$(a6_bench_classpath)" org.a6suite.bench.fallback.FallbackDriveBench \
      --out "benchmarks/results/fallback-drive-$stamp.jsonl" "$@"
    ;;
  *)
    echo "usage: benchmarks/fallback-bench.sh jmh|drive [args]" >&2
    exit 2
    ;;
esac
