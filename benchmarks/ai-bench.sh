#!/usr/bin/env bash
# ai-gateway benchmark: latency the gateway path adds over calling the provider test server
# directly, at 1/16/64 closed-loop clients, with an emulator pass-through route as the HTTP-hop baseline; and the
# time to a fallback answer when the first provider hangs. Everything runs in one JVM on loopback.
#   benchmarks/ai-bench.sh [--seconds 10] [--warmup 3] [--rounds 3] [--connections "1 16 64"]
#                          [--fallback-seconds 10] [--fallback-connections "1 16"] [--attempt-deadline-ms 500]
#                          [--call-log on|off] [--jit-warmup 8]
# Raw JSON lines go to benchmarks/results/ai-raw-<stamp>.jsonl; the markdown tables of medians to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. benchmarks/bench-lib.sh
a6_select_jdk

echo "ai-bench: building benchmarks and what it depends on (package, no install) ..." >&2
a6_bench_build
work=$(mktemp -d /tmp/a6-ai-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p benchmarks/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)

a6_bench_logback "$work"

echo "ai-bench: running (nproc $(nproc), $(java -version 2>&1 | head -1)) ..." >&2
java -Xms1g -Xmx1g -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dlogback.configurationFile="$work/logback.xml" \
  -cp "$(a6_bench_classpath)" org.a6suite.bench.ai.AiGatewayBench \
  --out "benchmarks/results/ai-raw-$stamp.jsonl" "$@"
echo "ai-bench: call log lines written: $(wc -l <"$work/ai-calls.log" 2>/dev/null || echo 0)" >&2
