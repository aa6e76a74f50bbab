package org.a6suite.bench.mcp;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Latency mcp-gateway adds per {@code tools/call}: closed-loop clients at each concurrency calling one REST-backed
 * tool three ways (see {@link Target.Kind}): the backend directly, the backend through the APISIX emulator with no
 * plugin, and the MCP tool through emulator + runner + mcp-gateway; and one federated tool two ways: an SDK-built
 * upstream MCP server directly, and through emulator + runner + mcp-gateway federating it. Prints one JSON line per point to stdout while
 * running (for the raw record) and the medians over rounds as markdown at the end.
 *
 * <pre>{@code benchmarks/mcp-bench.sh --rounds 3 --seconds 8 --warmup 2 --clients "1 16 64"}</pre>
 *
 * Everything (driver, backend, emulator, runner) shares one JVM and the machine's cores: the numbers are relative,
 * not a capacity statement.
 */
public final class McpGatewayBench {

    private McpGatewayBench() {}

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("mcp-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        PrintStream out = System.out;
        try (GatewayStack stack = GatewayStack.start(options.fixture())) {
            System.err.printf(
                    "mcp-bench: backend %s, emulator %s, %d rounds x %s clients x %s, %d s (+%d s warmup)%n",
                    stack.backendUri(),
                    stack.emulatorUri(),
                    options.rounds(),
                    options.clients(),
                    options.targets().stream().map(k -> k.label).toList(),
                    options.seconds(),
                    options.warmupSeconds());
            // JIT warm-up of every path before anything is recorded.
            for (Target.Kind kind : options.targets()) {
                LoadPoint.run(0, kind, 4, 0, 3, factory(stack, kind));
            }
            List<LoadPoint.Result> results = new ArrayList<>();
            for (int round = 1; round <= options.rounds(); round++) {
                for (int clients : options.clients()) {
                    for (Target.Kind kind : Summary.order(options.targets(), round)) {
                        LoadPoint.Result r = LoadPoint.run(
                                round, kind, clients, options.warmupSeconds(), options.seconds(), factory(stack, kind));
                        results.add(r);
                        out.println(r.toJson());
                        out.flush();
                    }
                }
            }
            out.println();
            out.print(Summary.markdown(results, options.clients()));
            out.flush();
        }
        // The SDK-built upstream leaves non-daemon Reactor threads behind its close(): end the run explicitly.
        System.exit(0);
    }

    private static LoadPoint.ClientFactory factory(GatewayStack stack, Target.Kind kind) {
        return switch (kind) {
            case DIRECT -> (http, i) -> Target.get(http, stack.backendUri(), "b-" + i);
            case EMULATOR_NOOP -> (http, i) -> Target.get(http, stack.emulatorUri(), "b-" + i);
            case GATEWAY -> (http, i) -> Target.mcp(http, stack.mcpEndpoint(), "b-" + i);
            case UPSTREAM_DIRECT ->
                (http, i) ->
                        Target.mcpCall(http, stack.upstreamEndpoint(), "add", "{\"a\":" + i + ",\"b\":1}", "\"sum\"");
            case GATEWAY_FEDERATED ->
                (http, i) -> Target.mcpCall(
                        http, stack.federatedEndpoint(), "calc_add", "{\"a\":" + i + ",\"b\":1}", "\"sum\"");
        };
    }
}
