#!/usr/bin/env bash
# JMH no-regression gate for the runner's per-call CPU paths (codec, view mapping, chain with a6-native and
# official-SDK filters): benchmarks/src/test/java/org/a6suite/bench/jmh/RunnerPathBench.java.
#   benchmarks/jmh-bench.sh [JMH options, e.g. -f 1 -wi 3 -i 5 -prof gc]
# Compare the scores with the table in docs/benchmarks.md; a change that makes a path slower says why.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
a6_select_jdk
# One reactor for both goals, so the runner modules resolve to this tree's classes, never to jars in ~/.m2.
./mvnw -B -q -ntp -pl benchmarks -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/jmh.classpath >/dev/null
cd benchmarks
java -cp "target/test-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main RunnerPathBench "$@"
