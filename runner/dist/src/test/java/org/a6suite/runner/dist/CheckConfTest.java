package org.a6suite.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.a6suite.ai.AiGatewayPlugin;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugins.fallback.AdaptiveFallbackPlugin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfTest {

    private static final Map<String, Plugin<?>> PLUGINS =
            Map.of("adaptive-fallback", new AdaptiveFallbackPlugin(), "ai-gateway", new AiGatewayPlugin());

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int check(Path... files) {
        return CheckConf.check(
                List.of(files),
                PLUGINS,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private Path write(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json);
    }

    @Test
    void shouldPassValidRoutesInEveryShapeAndCountTheirEntries() throws Exception {
        Path route = write("route.json", """
                {"id": "7", "uri": "/x", "plugins": {
                  "ext-plugin-pre-req": {"conf": [{"name": "adaptive-fallback", "value": "{}"}]},
                  "ext-plugin-post-resp": {"conf": [{"name": "adaptive-fallback", "value": ""}]}}}""");
        Path etcd = write("etcd.json", """
                [{"key": "/apisix/routes/8", "value": {"uri": "/y", "plugins": {
                  "ext-plugin-post-req": {"conf": [{"name": "adaptive-fallback", "value": "{\\"methods\\":[\\"GET\\"]}"}]}}}}]""");

        assertThat(check(route, etcd)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("3 plugin entries in 2 files, 0 invalid");
    }

    @Test
    void shouldPrintEveryInvalidEntryWithFileRoutePhaseAndError() throws Exception {
        Path route = write("bad.json", """
                {"id": "9", "plugins": {"ext-plugin-pre-req": {"conf": [
                  {"name": "ai-gateway", "value": "{\\"targets\\": []}"},
                  {"name": "adaptive-fallback", "value": "{\\"cache\\": {\\"max_age\\": 1}}"},
                  {"name": "nope", "value": ""}]}}}""");

        assertThat(check(route)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(
                        route + ": route 9: ext-plugin-pre-req conf[0] ai-gateway: targets: an array of 0 (expected: a"
                                + " non-empty array of at most 64 targets)",
                        route + ": route 9: ext-plugin-pre-req conf[1] adaptive-fallback: cache.max_age: unknown field"
                                + " (expected: one of [cache_set_cookie, max_age_ms, max_body_bytes, max_entries])",
                        route + ": route 9: ext-plugin-pre-req conf[2] nope: no plugin of that name (known:"
                                + " [adaptive-fallback, ai-gateway])");
    }

    @Test
    void shouldCheckTheRouteBlocksOfMarkdownPagesAndExpandSeedPlaceholders() throws Exception {
        Path page = write("page.md", """
                Text.

                ```json
                {"uri": "/a", "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "adaptive-fallback",
                  "value": "{\\"unanswered_timeout\\": 3}"}]}}}
                ```

                ```json
                {"not": "a route"}
                ```
                """);
        Path seed = write("seed.json", """
                {"id": "s", "plugins": {"ext-plugin-pre-req": {"conf": [{"name": "ai-gateway", "value":
                  "{\\"targets\\": [{\\"id\\": \\"a\\", \\"type\\": \\"ollama\\", \\"model\\": \\"m\\", \\"endpoint\\": \\"http://${A6_CHECK_CONF_UNSET_HOST:-127.0.0.1}:11434\\"}]}"}]}}}""");

        assertThat(check(page, seed)).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .containsExactly(page + ": route (no id) (block at"
                        + " line 4): ext-plugin-pre-req conf[0] adaptive-fallback: unanswered_timeout: unknown field"
                        + " (expected: one of [breaker, cache, failure_statuses, good_statuses, health, key, lane, methods,"
                        + " replace_failures, static, unanswered_timeout_ms, upstream_key])");
    }

    @Test
    void shouldExitWithTwoForAFileThatIsNotJson() throws Exception {
        assertThat(check(write("broken.json", "{"))).isEqualTo(2);
    }

    @Test
    void shouldAcceptEveryShippedExampleAndSeedRoute() throws Exception {
        List<Path> files = new java.util.ArrayList<>();
        for (String d : List.of("../../apisix-conf/examples", "../../etcd-seed/data/routes")) {
            try (var s = Files.list(Path.of(d))) {
                // lane-route.json is a template for a plugin of your own (my-streaming-plugin), not one of ours.
                s.filter(p -> p.toString().endsWith(".json") && !p.endsWith("lane-route.json"))
                        .sorted()
                        .forEach(files::add);
            }
        }
        CheckConf.check(
                files,
                PLUGINS,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        // The other plugins' entries are reported as unknown here (scripts/check-conf.sh checks them with all).
        assertThat(out.toString(StandardCharsets.UTF_8).lines())
                .filteredOn(l -> l.contains(" ai-gateway: ") || l.contains(" adaptive-fallback: "))
                .isEmpty();
        assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain(" 0 plugin entries");
    }
}
