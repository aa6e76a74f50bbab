package org.a6suite.ai.internal;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.plugin.PluginMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Tokens, cost and latency of each call: into response headers, one JSON line per call on the {@code a6.ai.calls}
 * logger, Prometheus metrics, and the health reporter's outcomes. Credentials never reach any of them.
 */
public final class Accounting {

    /** The call-log logger; route it to its own file or sink in the logging configuration. */
    public static final Logger CALL_LOG = LoggerFactory.getLogger("a6.ai.calls");

    private final PluginMetrics metrics;
    private final OutcomeRecorder outcomes;

    public Accounting(PluginMetrics metrics, OutcomeRecorder outcomes) {
        this.metrics = metrics;
        this.outcomes = outcomes;
    }

    /** Usage from the provider, or counted with the tokenizer and marked estimated. */
    public static Usage usage(Operation operation, ObjectNode request, ObjectNode result) {
        JsonNode u = result.path("usage");
        if (u.isObject() && u.has("prompt_tokens")) {
            return new Usage(
                    u.path("prompt_tokens").asLong(0),
                    u.path("completion_tokens").asLong(0),
                    false);
        }
        if (operation == Operation.EMBEDDINGS) {
            long input = 0;
            for (String text : org.a6suite.ai.internal.provider.EmbeddingInputs.of(request)) {
                input += Tokens.count(text);
            }
            return new Usage(input, 0, true);
        }
        return new Usage(Tokens.prompt(request), Tokens.completion(result), true);
    }

    /** USD for {@code usage} at {@code target}'s prices. */
    public static BigDecimal cost(Target target, Usage usage) {
        return TokenPrices.of(target).cost(usage);
    }

    /** Publishes one call to the log, the metrics and the health reporter. */
    public void record(CallFacts call, boolean logEnabled) {
        CallFacts.Result result = call.result();
        for (AttemptInfo a : result.attempts()) {
            Map<String, String> labels = Map.of(
                    "target", a.target().id(), "provider", a.target().type().wireName(), "outcome", a.outcome());
            metrics.increment("a6_ai_attempts_total", "Provider attempts by outcome.", labels, 1);
            if (a.callMade() && !a.outcome().equals("cancelled")) {
                metrics.observe(
                        "a6_ai_attempt_duration_seconds",
                        "Provider attempt latency.",
                        Map.of(
                                "target",
                                a.target().id(),
                                "provider",
                                a.target().type().wireName()),
                        a.duration().toNanos() / 1e9);
                outcomes.record(new OutcomeRecorder.Outcome(
                        "ai/" + a.target().id(),
                        node(a.target()),
                        a.status().or(() -> a.outcome().equals("success") ? Optional.of(200) : Optional.empty()),
                        a.duration(),
                        a.healthResult()));
            }
        }
        Optional<Target> target = call.served().map(CallFacts.Served::target);
        String provider = target.map(t -> t.type().wireName()).orElse("none");
        String targetId = target.map(Target::id).orElse("none");
        String model = target.map(Target::model).orElse("none");
        String operation = call.request().operation().label();
        metrics.increment(
                "a6_ai_requests_total",
                "Gateway calls by outcome.",
                Map.of(
                        "target",
                        targetId,
                        "provider",
                        provider,
                        "model",
                        model,
                        "operation",
                        operation,
                        "outcome",
                        result.outcome()),
                1);
        metrics.observe(
                "a6_ai_request_duration_seconds",
                "Gateway call latency, fallbacks included.",
                Map.of("operation", operation, "outcome", result.outcome()),
                result.latencyMillis() / 1000.0);
        target.ifPresent(t -> {
            Usage usage = result.usage();
            Map<String, String> in = Map.of(
                    "target",
                    t.id(),
                    "provider",
                    provider,
                    "model",
                    model,
                    "direction",
                    "input",
                    "estimated",
                    Boolean.toString(usage.estimated()));
            Map<String, String> out = Map.of(
                    "target",
                    t.id(),
                    "provider",
                    provider,
                    "model",
                    model,
                    "direction",
                    "output",
                    "estimated",
                    Boolean.toString(usage.estimated()));
            metrics.increment("a6_ai_tokens_total", "Tokens by direction.", in, usage.input());
            metrics.increment("a6_ai_tokens_total", "Tokens by direction.", out, usage.output());
            metrics.increment(
                    "a6_ai_cost_usd_total",
                    "Cost in USD at the configured prices.",
                    Map.of("target", t.id(), "provider", provider, "model", model),
                    cost(t, usage).doubleValue());
        });
        if (logEnabled && CALL_LOG.isInfoEnabled()) {
            CALL_LOG.info(Json.MAPPER.writeValueAsString(logLine(call)));
        }
    }

    /** The time from sending a stream's request to its first content chunk, for the target that served it. */
    public void timeToFirstToken(Target target, long nanos) {
        metrics.observe(
                "a6_ai_time_to_first_token_seconds",
                "Time to the first content chunk of streams.",
                Map.of("target", target.id(), "provider", target.type().wireName()),
                nanos / 1e9);
    }

    static ObjectNode logLine(CallFacts call) {
        CallFacts.Request request = call.request();
        CallFacts.Result result = call.result();
        ObjectNode line = Json.MAPPER.createObjectNode();
        line.put("route", request.routeId());
        line.put("request_id", request.requestId());
        line.put("operation", request.operation().label());
        line.put("stream", request.stream());
        request.requestedModel()
                .ifPresentOrElse(m -> line.put("model_requested", m), () -> line.putNull("model_requested"));
        call.served()
                .ifPresentOrElse(
                        s -> {
                            line.put("target", s.target().id());
                            line.put("provider", s.target().type().wireName());
                            line.put("model", s.target().model());
                        },
                        () -> {
                            line.putNull("target");
                            line.putNull("provider");
                            line.putNull("model");
                        });
        call.served().ifPresent(s -> line.put("model_reported", s.reportedModel()));
        line.put("status", result.status());
        line.put("outcome", result.outcome());
        line.put("tokens_input", result.usage().input());
        line.put("tokens_output", result.usage().output());
        line.put("tokens_estimated", result.usage().estimated());
        line.put(
                "cost_usd",
                call.served().map(s -> cost(s.target(), result.usage())).orElse(BigDecimal.ZERO));
        line.put("latency_ms", result.latencyMillis());
        line.set("attempts", attempts(result.attempts()));
        call.content().ifPresent(c -> {
            line.put("prompt", c.prompt());
            line.put("completion", c.completion());
        });
        return line;
    }

    /** The attempt list for logs and error bodies: target, provider, outcome, status, milliseconds. */
    public static ArrayNode attempts(List<AttemptInfo> attempts) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (AttemptInfo a : attempts) {
            ObjectNode o = array.addObject();
            o.put("target", a.target().id());
            o.put("provider", a.target().type().wireName());
            o.put("outcome", a.outcome());
            a.status().ifPresent(s -> o.put("status", s));
            o.put("ms", a.duration().toMillis());
        }
        return array;
    }

    private static String node(Target target) {
        java.net.URI uri = java.net.URI.create(target.endpoint());
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }
}
