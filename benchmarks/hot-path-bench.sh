#!/usr/bin/env bash
# Per-call CPU and allocation of ai-gateway (non-streaming chat, invoke mode) and mcp-gateway (tools/call of a REST
# tool and of a federated tool), the plugin called directly (no emulator, no A6 socket) against loopback test
# fixtures, each path alternating with a bare outbound call to the same fixture (see AiInvokePathBench and
# McpCallPathBench). With --jfr, a second run of the plugin path alone under JFR (profile settings) prints the
# hottest methods by CPU samples.
#   benchmarks/hot-path-bench.sh ai|mcp [--jfr] [--inflight 4] [--seconds 5] [--warmup 5] [--rounds 3] [--paths a,b]
# Logging as in production: the plugins' call logs through the batching appender (runner/logging) to a file,
# everything else at WARN on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. benchmarks/bench-lib.sh
a6_select_jdk

which=${1:?usage: hot-path-bench.sh ai|mcp [--jfr] [driver options]}
shift
jfr=false
if [ "${1:-}" = "--jfr" ]; then
  jfr=true
  shift
fi
case "$which" in
  ai) main=org.a6suite.bench.hotpath.AiInvokePathBench; plugin_path=invoke ;;
  mcp) main=org.a6suite.bench.hotpath.McpCallPathBench; plugin_path=rest-tool,federated-tool ;;
  *) echo "hot-path-bench: ai or mcp, not $which" >&2; exit 2 ;;
esac

echo "hot-path-bench: building benchmarks and what it depends on (package, no install) ..." >&2
a6_bench_build
work=$(mktemp -d /tmp/a6-hot-path.XXXXXX)
trap 'rm -rf "$work"' EXIT
a6_bench_logback "$work"
# mcp-gateway's call log too, through the same batching appender to the same file, as in production
sed -i 's|<root level="WARN">|<logger name="org.a6suite.mcp.calls" level="INFO" additivity="false"><appender-ref ref="CALLS"/></logger>\n  <root level="WARN">|' \
  "$work/logback.xml"
# Netty's leak detector off, as the runner's Main sets it: at its default level it samples buffers with a stack
# trace each, a cost production does not pay.
opts=(-Xms512m -Xmx512m -XX:+UseG1GC --enable-native-access=ALL-UNNAMED -Dio.netty.leakDetection.level=disabled
  -Dlogback.configurationFile="$work/logback.xml")
echo "hot-path-bench: $which (nproc $(nproc), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
java "${opts[@]}" -cp "$(a6_bench_classpath)" "$main" "$@"
if $jfr; then
  echo "hot-path-bench: profiling $plugin_path alone under JFR ..." >&2
  java "${opts[@]}" -XX:StartFlightRecording=filename="$work/run.jfr",settings=profile \
    -cp "$(a6_bench_classpath)" "$main" --paths "$plugin_path" "$@" >/dev/null
  jfr view --width 180 hot-methods "$work/run.jfr"
  jfr view --width 180 allocation-by-class "$work/run.jfr"
fi
