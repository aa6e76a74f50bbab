package org.a6suite.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.api.Test;

class AiGatewayConfigTest {

    private final AiGatewayPlugin plugin = new AiGatewayPlugin();

    private static final String TARGET = """
            {"id": "main", "type": "openai", "endpoint": "https://api.openai.com/v1", "model": "gpt-4o-mini",
             "credentials": {"env": "OPENAI_API_KEY"}}""";

    @Test
    void shouldApplyDefaultsToMinimalConfig() throws Exception {
        AiGatewayConfig config = plugin.parseConfig("{\"targets\": [" + TARGET + "]}");

        assertThat(config.mode()).isEqualTo(AiGatewayConfig.Mode.INVOKE);
        assertThat(config.strategy()).isEqualTo(AiGatewayConfig.Strategy.PRIORITY);
        assertThat(config.timeouts().total()).isEqualTo(Duration.ofSeconds(55));
        assertThat(config.timeouts().warmup()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.retry().maxAttempts()).isEqualTo(2);
        assertThat(config.breaker().enabled()).isTrue();
        assertThat(config.hedge().enabled()).isFalse();
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576);
        assertThat(config.log().includeContent()).isFalse();
        assertThat(config.passthrough().targetHeader()).isEqualTo("x-a6-ai-target");
        assertThat(config.targets().get(0).weight()).isEqualTo(1);
    }

    @Test
    void shouldAllowLongTotalsAndStreamDeadlinesInLaneMode() throws Exception {
        AiGatewayConfig config = plugin.parseConfig("""
                {"mode": "lane", "targets": [%s],
                 "timeouts": {"total_ms": 86400000, "attempt_ceiling_ms": 3600000, "attempt_warmup_ms": 600000,
                   "first_token": {"percentile": 95, "multiplier": 4, "floor_ms": 500, "ceiling_ms": 120000,
                                   "warmup_ms": 60000, "min_samples": 10},
                   "token_gap": {"ceiling_ms": 90000}},
                 "breaker": {"count_rate_limits": true}}""".formatted(TARGET));

        assertThat(config.mode()).isEqualTo(AiGatewayConfig.Mode.LANE);
        assertThat(config.timeouts().total()).isEqualTo(Duration.ofHours(24));
        assertThat(config.timeouts().firstToken())
                .isEqualTo(new AiGatewayConfig.Adaptive(
                        95, 4, Duration.ofMillis(500), Duration.ofMinutes(2), Duration.ofMinutes(1), 10));
        assertThat(config.timeouts().tokenGap().ceiling()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.timeouts().tokenGap().floor()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.breaker().countRateLimits()).isTrue();
    }

    @Test
    void shouldDefaultStreamDeadlinesAndNotCountRateLimits() throws Exception {
        AiGatewayConfig config = plugin.parseConfig("{\"targets\": [" + TARGET + "]}");

        assertThat(config.timeouts().firstToken())
                .isEqualTo(new AiGatewayConfig.Adaptive(
                        99, 3, Duration.ofSeconds(2), Duration.ofSeconds(50), Duration.ofSeconds(30), 20));
        assertThat(config.timeouts().tokenGap())
                .isEqualTo(new AiGatewayConfig.Adaptive(
                        99.9, 5, Duration.ofSeconds(10), Duration.ofSeconds(55), Duration.ofSeconds(30), 50));
        assertThat(config.breaker().countRateLimits()).isFalse();
    }

    @Test
    void shouldRejectBadStreamDeadlines() {
        assertRejected(
                "{\"mode\": \"lane\", \"targets\": [" + TARGET + "], \"timeouts\": {\"total_ms\": 86400001}}",
                "timeouts.total_ms: 86400001 (expected: milliseconds in [100, 86400000])");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"timeouts\": {\"first_token\": {\"floor_ms\": 5000,"
                        + " \"ceiling_ms\": 1000}}}",
                "timeouts.first_token.ceiling_ms: 1000 (expected: >= floor_ms (5000))");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"timeouts\": {\"token_gap\": {\"gap\": 1}}}",
                "timeouts.token_gap.gap: unknown field (expected: one of [ceiling_ms, floor_ms, min_samples,"
                        + " multiplier, percentile, warmup_ms])");
    }

    private void assertRejected(String json, String message) {
        assertThatThrownBy(() -> plugin.parseConfig(json))
                .isInstanceOf(PluginConfigException.class)
                .hasMessage(message);
    }

    @Test
    void shouldNameFieldValueAndExpectationInErrors() {
        assertRejected("", "$: \"\" (expected: a JSON object with at least \"targets\")");
        assertRejected(
                "{\"targets\": []}", "targets: an array of 0 (expected: a non-empty array of at most 64 targets)");
        assertRejected(
                "{\"targets\": [" + TARGET.replace("openai\", \"endpoint", "openia\", \"endpoint") + "]}",
                "targets[0].type: \"openia\" (expected: one of [openai, azure-openai, anthropic, gemini, mistral,"
                        + " ollama, deepseek, openai-compatible])");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"timeouts\": {\"total_ms\": 60000}}",
                "timeouts.total_ms: 60000 (expected: <= 59000 outside lane mode (use \"mode\": \"lane\" for longer"
                        + " calls))");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"strategy\": \"fastest\"}",
                "strategy: \"fastest\" (expected: one of [priority, weighted, latency, cost])");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"retires\": {}}",
                "retires: unknown field (expected: one of [allowed_models, breaker, hedge, log, max_body_bytes, mode,"
                        + " model_aliases, passthrough, prompt, retry, strategy, targets, timeouts])");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"model_aliases\": {\"fast\": [\"nope\"]}}",
                "model_aliases.fast: \"nope\" (expected: a target id, one of [main])");
        assertRejected(
                "{\"targets\": [" + TARGET + ", " + TARGET + "]}",
                "targets[1].id: \"main\" (expected: unique target ids)");
    }

    @Test
    void shouldRefuseInlineSecretsWithoutEchoingThem() {
        String inline = TARGET.replace("{\"env\": \"OPENAI_API_KEY\"}", "\"sk-live-123\"");

        assertThatThrownBy(() -> plugin.parseConfig("{\"targets\": [" + inline + "]}"))
                .isInstanceOf(PluginConfigException.class)
                .hasMessageStartingWith("targets[0].credentials: a string (value not shown)")
                .hasMessageNotContaining("sk-live-123");
    }

    @Test
    void shouldRequireCredentialsForHostedProvidersOnly() throws Exception {
        assertRejected(
                "{\"targets\": [" + TARGET.replaceAll(",\\s*\"credentials\": \\{[^}]*}", "") + "]}",
                "targets[0].credentials: absent (expected: {\"env\": \"NAME\"} or {\"file\": \"/path\"}"
                        + " for provider openai)");
        AiGatewayConfig ollama = plugin.parseConfig("""
                {"targets": [{"id": "local", "type": "ollama", "endpoint": "http://127.0.0.1:11434",
                              "model": "llama3.2"}]}""");
        assertThat(ollama.targets().get(0).credentials()).isEmpty();
    }

    @Test
    void shouldRejectNonOpenAiProvidersInPassthroughMode() {
        assertRejected(
                """
                {"mode": "passthrough", "targets": [{"id": "c", "type": "anthropic",
                 "endpoint": "https://api.anthropic.com", "model": "claude", "credentials": {"env": "K"}}]}""",
                "targets[0].type: \"anthropic\" (expected: an OpenAI-shaped provider in passthrough mode (openai,"
                        + " azure-openai, mistral, deepseek, openai-compatible))");
    }

    @Test
    void shouldRejectAttemptCeilingAboveTotal() {
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"timeouts\": {\"total_ms\": 1000,"
                        + " \"attempt_ceiling_ms\": 2000}}",
                "timeouts.attempt_ceiling_ms: 2000 (expected: <= total_ms (1000))");
    }

    @Test
    void shouldCompilePromptSchemasAndCollectVariables() throws Exception {
        AiGatewayConfig config = plugin.parseConfig("{\"targets\": [" + TARGET + "], \"prompt\": {\"template\":"
                + " \"Translate {{text}} to {{ lang }}\", \"input_schema\": {\"type\": \"object\"}}}");

        assertThat(config.prompt().orElseThrow().variables()).containsExactlyInAnyOrder("text", "lang");
        assertRejected(
                "{\"targets\": [" + TARGET + "], \"prompt\": {\"template\": \"x\", \"input_schema\": 3}}",
                "prompt.input_schema: 3 (expected: a JSON object)");
    }

    @Test
    void shouldAcceptEveryShippedRouteExample() throws Exception {
        var mapper = tools.jackson.databind.json.JsonMapper.builder().build();
        var dir = java.nio.file.Path.of("../../apisix-conf/examples");
        try (var files = java.nio.file.Files.list(dir)) {
            var examples = files.filter(f -> f.getFileName().toString().startsWith("ai-gateway-"))
                    .toList();
            assertThat(examples).hasSizeGreaterThanOrEqualTo(3);
            for (var file : examples) {
                var route = mapper.readTree(file.toFile());
                String value = route.path("plugins")
                        .path("ext-plugin-pre-req")
                        .path("conf")
                        .path(0)
                        .path("value")
                        .asString();
                assertThat(plugin.parseConfig(value)).as(file.toString()).isNotNull();
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {200, 500, 5_000})
    void shouldRefuseDeeplyNestedConfigurationWithAFieldErrorNotACrash(int depth) {
        String value = "{\"targets\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> plugin.parseConfig(value))
                .isInstanceOf(org.a6suite.plugin.PluginConfigException.class)
                .hasMessageContaining("levels deep");
    }

    @Test
    void shouldReportEveryTypeAndRangeProblemInOneMessage() {
        assertRejected(
                "{\"targets\": [" + TARGET.replace("\"model\"", "\"weight\": 0, \"model\"") + "],"
                        + " \"breaker\": {\"wait_in_open_ms\": 1.5}, \"log\": {\"enabled\": \"yes\"}}",
                "breaker.wait_in_open_ms: 1.5 (expected: milliseconds in [1, 3600000]);"
                        + " log.enabled: \"yes\" (expected: true or false);"
                        + " targets[0].weight: 0 (expected: an integer in [1, 1000])");
    }

    @Test
    void shouldBindTheSharedBreakerVocabularyIncludingTheWindowType() throws Exception {
        AiGatewayConfig config = plugin.parseConfig("{\"targets\": [" + TARGET + "], \"breaker\": {\"window_type\":"
                + " \"time\", \"window_size\": 30, \"wait_in_open_ms\": 5000}}");

        assertThat(config.breaker().windowType()).isEqualTo(org.a6suite.resilience.BreakerConfig.WindowType.TIME);
        assertThat(config.breaker().windowSize()).isEqualTo(30);
        assertThat(config.breaker().waitInOpen()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.breaker().minimumCalls()).isEqualTo(20);
    }

    @Test
    void shouldShipItsSchemaInTheJar() {
        assertThat(getClass().getClassLoader().getResource("schemas/ai-gateway.json"))
                .isNotNull();
        assertThat(getClass().getClassLoader().getResource("schemas/resilience/breaker.json"))
                .isNotNull();
    }
}
