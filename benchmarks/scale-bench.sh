#!/usr/bin/env bash
# Scale benchmark of the optimizer's policy engine: 10,000 upstreams x 10 nodes with health for
# all, full recompute time (median/p90 of N passes after warm-up) and heap in use after GC, in a 512 MiB heap.
#   benchmarks/scale-bench.sh [--no-build] [--upstreams 10000] [--nodes 10] [--apisix 3] [--warmup 5] [--passes 20] [--settled 1|0]
# The bench is a test-scoped main of backend-optimizer (org.a6suite.optimizer.bench.ScaleBench): the optimizer's main
# artifact is a Spring Boot jar, which the benchmarks module cannot compile against.
# SCALE_BENCH_JAVA_OPTS adds JVM options. Output goes to benchmarks/results/scale-<stamp>.txt (and stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
a6_select_jdk

# Compiled privately with javac from the committed optimizer sources (git HEAD) plus the bench's own file: other
# builds in this tree recompile backend-optimizer/target while they run, and may hold uncommitted changes.
work=$(mktemp -d /tmp/a6-scale-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The class path comes from the reactor (backend-optimizer and the etcd fixture, its only module dependency, up to
# test-compile: siblings resolve to their target/classes), never from ~/.m2: nothing is installed. --no-build is kept
# for compatibility; the class path is always resolved (a few seconds).
if [ "${1:-}" = "--no-build" ]; then shift; fi
echo "scale-bench: resolving backend-optimizer's class path (test-compile of it and the etcd fixture, no install) ..." >&2
./mvnw -B -q -ntp -pl backend-optimizer -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/scale-bench.classpath -Dmdep.includeScope=test >/dev/null
cp backend-optimizer/target/scale-bench.classpath "$work/classpath"
git archive HEAD backend-optimizer/src/main/java | tar -x -C "$work"
mkdir -p "$work/classes"
"$JAVA_HOME/bin/javac" --release 21 -Xlint:none -d "$work/classes" -cp "$(cat "$work/classpath")" \
  $(find "$work/backend-optimizer/src/main/java" -name '*.java') \
  backend-optimizer/src/test/java/org/a6suite/optimizer/bench/*.java 2>&1 | grep -v '^Note:' || true
test -f "$work/classes/org/a6suite/optimizer/bench/ScaleBench.class"
mkdir -p benchmarks/results
result=benchmarks/results/scale-$(date -u +%Y%m%dT%H%M%SZ).txt
{
  echo "# nproc=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# java=$("$JAVA_HOME/bin/java" -version 2>&1 | head -1); commit=$(git rev-parse --short HEAD)"
  echo "# args: $*"
} | tee "$result"
java -Xms512m -Xmx512m ${SCALE_BENCH_JAVA_OPTS:-} \
  -cp "$work/classes:$(cat "$work/classpath")" \
  org.a6suite.optimizer.bench.ScaleBench "$@" | tee -a "$result"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$result"
