package org.a6suite.ai.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Price;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.resilience.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;

/** The call-log line must be, byte for byte, what the plugin's Jackson generator wrote before. */
class CallLogLineTest {

    private static final Target PRIMARY = new Target(
            "primary", ProviderType.OPENAI, "http://127.0.0.1:1/v1", "gpt-4o", Optional.empty(), Price.FREE, 1, 0, "");
    private static final Target BACKUP = new Target(
            "backup", ProviderType.ANTHROPIC, "http://127.0.0.1:2", "claude", Optional.empty(), Price.FREE, 1, 0, "");

    /** The line as the generator path wrote it (the implementation this class replaced), for comparison. */
    private static String generatorLine(CallFacts call, BigDecimal cost) {
        CallFacts.Request request = call.request();
        CallFacts.Result result = call.result();
        StringWriter text = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.createGenerator(text)) {
            g.writeStartObject();
            g.writeStringProperty("route", request.routeId());
            g.writeNumberProperty("request_id", request.requestId());
            g.writeStringProperty("operation", request.operation().label());
            g.writeBooleanProperty("stream", request.stream());
            g.writeStringProperty("model_requested", request.requestedModel().orElse(null));
            Optional<CallFacts.Served> served = call.served();
            g.writeStringProperty("target", served.map(s -> s.target().id()).orElse(null));
            g.writeStringProperty(
                    "provider", served.map(s -> s.target().type().wireName()).orElse(null));
            g.writeStringProperty("model", served.map(s -> s.target().model()).orElse(null));
            if (served.isPresent()) {
                g.writeStringProperty("model_reported", served.get().reportedModel());
            }
            g.writeNumberProperty("status", result.status());
            g.writeStringProperty("outcome", result.outcome());
            g.writeNumberProperty("tokens_input", result.usage().input());
            g.writeNumberProperty("tokens_output", result.usage().output());
            g.writeBooleanProperty("tokens_estimated", result.usage().estimated());
            g.writeNumberProperty("cost_usd", cost);
            g.writeNumberProperty("latency_ms", result.latencyMillis());
            g.writeName("attempts");
            g.writeStartArray();
            for (AttemptInfo a : result.attempts()) {
                g.writeStartObject();
                g.writeStringProperty("target", a.target().id());
                g.writeStringProperty("provider", a.target().type().wireName());
                g.writeStringProperty("outcome", a.outcome());
                if (a.status().isPresent()) {
                    g.writeNumberProperty("status", a.status().get());
                }
                g.writeNumberProperty("ms", a.duration().toMillis());
                g.writeEndObject();
            }
            g.writeEndArray();
            if (call.content().isPresent()) {
                g.writeStringProperty("prompt", call.content().get().prompt());
                g.writeStringProperty("completion", call.content().get().completion());
            }
            g.writeEndObject();
        }
        return text.toString();
    }

    private static AttemptInfo attempt(Target target, String outcome, Optional<Integer> status, long ms) {
        return new AttemptInfo(target, outcome, status, Duration.ofMillis(ms), Outcome.Type.SUCCESS, true);
    }

    private static CallFacts served(String route, String requested, String reported, Optional<CallFacts.Content> c) {
        return new CallFacts(
                new CallFacts.Request(route, 42L, Operation.CHAT, false, Optional.ofNullable(requested)),
                Optional.of(new CallFacts.Served(PRIMARY, reported)),
                new CallFacts.Result(
                        200,
                        "success",
                        new Usage(19, 10, false),
                        123,
                        List.of(
                                attempt(BACKUP, "server_error", Optional.of(503), 7),
                                attempt(PRIMARY, "success", Optional.empty(), 115))),
                c);
    }

    @Test
    void shouldWriteWhatTheGeneratorWroteForAServedCall() {
        CallFacts call = served("r1", "gpt-4o", "gpt-4o-2024-08-06", Optional.empty());
        BigDecimal cost = new BigDecimal("0.000123");

        assertThat(CallLogLine.of(call, cost)).isEqualTo(generatorLine(call, cost));
        JsonNode line = Json.MAPPER.readTree(CallLogLine.of(call, cost));
        assertThat(line.path("attempts").get(0).path("status").asInt()).isEqualTo(503);
        assertThat(line.path("cost_usd").decimalValue()).isEqualByComparingTo("0.000123");
    }

    @Test
    void shouldWriteWhatTheGeneratorWroteForACallNoTargetServed() {
        CallFacts call = new CallFacts(
                new CallFacts.Request("unknown", 7L, Operation.EMBEDDINGS, true, Optional.empty()),
                Optional.empty(),
                new CallFacts.Result(504, "deadline_exceeded", Usage.NONE, 30_001, List.of()),
                Optional.empty());

        assertThat(CallLogLine.of(call, BigDecimal.ZERO)).isEqualTo(generatorLine(call, BigDecimal.ZERO));
        assertThat(CallLogLine.of(call, BigDecimal.ZERO)).contains("\"target\":null", "\"attempts\":[]");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "a/b",
                "quote \" and backslash \\",
                "new\nline\r\ttab\u0001\u001f\u007f",
                "caf\u00e9 \u2028 \ud83d\ude00 <>&'",
                "lone \ud83d surrogate",
                ""
            })
    void shouldEscapeClientTextAsTheGeneratorDid(String text) {
        CallFacts call = served(text, text, text, Optional.of(new CallFacts.Content("[" + text + "]", text)));
        BigDecimal cost = new BigDecimal("1E-7");

        assertThat(CallLogLine.of(call, cost)).isEqualTo(generatorLine(call, cost));
    }

    @Test
    void shouldStartEachLineAfreshWhenTheBufferIsReusedAndAfterALargeLine() {
        String large = "x".repeat(10_000);
        CallFacts big = served("r", "m", "m", Optional.of(new CallFacts.Content(large, large)));
        CallFacts small = served("r2", null, "m2", Optional.empty());

        assertThat(CallLogLine.of(big, BigDecimal.ONE)).isEqualTo(generatorLine(big, BigDecimal.ONE));
        assertThat(CallLogLine.of(small, BigDecimal.TEN)).isEqualTo(generatorLine(small, BigDecimal.TEN));
        assertThat(CallLogLine.of(small, BigDecimal.TEN)).isEqualTo(generatorLine(small, BigDecimal.TEN));
    }
}
