package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.Requirements;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

/**
 * What a configuration token costs on the heap, measured through the real server: N PrepareConfs over the socket,
 * heap used (after full GCs) before and after, divided by N. Two shapes: many routes (distinct route keys) with
 * one plugin configuration, as APISIX sends when routes share a config or re-prepare every hour; and a distinct
 * configuration per route.
 */
class TokenMemoryTest extends RunnerFixture {

    private static final int TOKENS = 20_000;
    /** A plugin value of the size a real route config has (a few hundred bytes of JSON). */
    private static final String VALUE = "{\"targets\":[{\"provider\":\"openai\",\"model\":\"gpt-4o-mini\","
            + "\"api_key\":{\"env\":\"OPENAI_API_KEY\"},\"timeout_ms\":30000,\"weight\":1},{\"provider\":"
            + "\"anthropic\",\"model\":\"claude-3-5-haiku\",\"api_key\":{\"env\":\"ANTHROPIC_API_KEY\"},"
            + "\"timeout_ms\":30000,\"weight\":1}],\"retries\":2,\"fallback\":\"next\"}";

    @Test
    void shouldCostLittleMoreThanItsCacheEntryAndRouteKeyWhenRoutesShareAConfiguration() {
        long perToken = bytesPerToken(i -> VALUE);
        System.out.printf("token memory, one shared configuration: %d bytes per token%n", perToken);
        assertThat(perToken).isLessThan(400);
    }

    @Test
    void shouldReportTheCostOfADistinctConfigurationPerRoute() {
        long perToken = bytesPerToken(i -> VALUE.replace("\"retries\":2", "\"retries\":" + i));
        System.out.printf("token memory, a distinct configuration per route: %d bytes per token%n", perToken);
        assertThat(perToken).isLessThan(4_000);
    }

    private long bytesPerToken(java.util.function.IntFunction<String> value) {
        RunnerServer server = start(TestPlugin.named("gateway")
                .parser(v -> new String(v))
                .requirements(Requirements.vars("route_id", "remote_addr"))
                .build());
        try (A6TestClient client = connect()) {
            // Warm up class loading, caches and the connection before the first measure.
            prepareAll(client, 2_000, i -> "warmup-" + value.apply(i), "warmup");
            long before = usedHeap();
            prepareAll(client, TOKENS, value, "route");
            long after = usedHeap();
            assertThat(server.runnerMetrics()
                            .calls(
                                    org.a6suite.runner.metrics.RunnerMetrics.CallType.PREPARE_CONF,
                                    org.a6suite.runner.metrics.RunnerMetrics.CallResult.OK))
                    .isEqualTo(2_000 + TOKENS);
            return (after - before) / TOKENS;
        }
    }

    private static void prepareAll(
            A6TestClient client, int n, java.util.function.IntFunction<String> value, String prefix) {
        for (int i = 0; i < n; i++) {
            var reply = client.call(new PrepareConfRequest(
                    List.of(TextEntry.of("gateway", value.apply(i))),
                    Optional.of(prefix + "#" + i + "#ext-plugin-pre-req#1")));
            assertThat(reply).isInstanceOf(PrepareConfResponse.class);
        }
    }

    private static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
