package org.a6suite.ai.internal;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.ClientBody;
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

    static final String ATTEMPTS = "a6_ai_attempts_total";
    static final String ATTEMPTS_HELP = "Provider attempts by outcome.";
    static final String ATTEMPT_DURATION = "a6_ai_attempt_duration_seconds";
    static final String ATTEMPT_DURATION_HELP = "Provider attempt latency.";
    static final String REQUESTS = "a6_ai_requests_total";
    static final String REQUESTS_HELP = "Gateway calls by outcome.";
    static final String REQUEST_DURATION = "a6_ai_request_duration_seconds";
    static final String REQUEST_DURATION_HELP = "Gateway call latency, fallbacks included.";
    static final String TOKENS = "a6_ai_tokens_total";
    static final String TOKENS_HELP = "Tokens by direction.";
    static final String COST = "a6_ai_cost_usd_total";
    static final String COST_HELP = "Cost in USD at the configured prices.";
    static final String TIME_TO_FIRST_TOKEN = "a6_ai_time_to_first_token_seconds";
    static final String TIME_TO_FIRST_TOKEN_HELP = "Time to the first content chunk of streams.";

    private static final Optional<Integer> OK = Optional.of(200);

    private final PluginMetrics metrics;
    private final OutcomeRecorder outcomes;

    public Accounting(PluginMetrics metrics, OutcomeRecorder outcomes) {
        this.metrics = metrics;
        this.outcomes = outcomes;
    }

    /** Usage from the provider, or counted with the tokenizer and marked estimated. */
    public static Usage usage(Operation operation, ClientBody request, ObjectNode result) {
        JsonNode u = result.path("usage");
        if (u.isObject() && u.has("prompt_tokens")) {
            return new Usage(
                    u.path("prompt_tokens").asLong(0),
                    u.path("completion_tokens").asLong(0),
                    false);
        }
        if (operation == Operation.EMBEDDINGS) {
            long input = 0;
            for (String text : org.a6suite.ai.internal.provider.EmbeddingInputs.of(request.tree())) {
                input += Tokens.count(text);
            }
            return new Usage(input, 0, true);
        }
        return new Usage(Tokens.prompt(request.tree()), Tokens.completion(result), true);
    }

    /** USD for {@code usage} at {@code target}'s prices. */
    public static BigDecimal cost(Target target, Usage usage) {
        return TargetFacts.of(target).prices.cost(usage);
    }

    /**
     * Publishes one call to the log, the metrics and the health reporter. Metric series (bound handles), prices and
     * nodes are the target's, computed once ({@link TargetFacts}); the log line is appended into a reused buffer
     * ({@link CallLogLine}).
     *
     * @return the call's cost in USD (0 when no target served it), for the answer's header
     */
    public BigDecimal record(CallFacts call, boolean logEnabled) {
        CallFacts.Result result = call.result();
        for (AttemptInfo a : result.attempts()) {
            TargetFacts facts = TargetFacts.of(a.target());
            facts.attempts(a.outcome()).increment(metrics, 1);
            if (a.callMade() && !a.outcome().equals("cancelled")) {
                facts.attemptDuration.observe(metrics, a.duration().toNanos() / 1e9);
                outcomes.record(new OutcomeRecorder.Outcome(
                        facts.healthName,
                        facts.node,
                        a.status().isPresent() || !a.outcome().equals("success") ? a.status() : OK,
                        a.duration(),
                        a.healthResult()));
            }
        }
        String operation = call.request().operation().label();
        TargetFacts served = call.served().map(s -> TargetFacts.of(s.target())).orElse(null);
        BigDecimal cost = served == null ? BigDecimal.ZERO : served.prices.cost(result.usage());
        (served == null ? unserved(operation, result.outcome()) : served.requests(operation, result.outcome()))
                .increment(metrics, 1);
        duration(operation, result.outcome()).observe(metrics, result.latencyMillis() / 1000.0);
        if (served != null) {
            Usage usage = result.usage();
            served.tokens(true, usage.estimated()).increment(metrics, usage.input());
            served.tokens(false, usage.estimated()).increment(metrics, usage.output());
            served.cost.increment(metrics, cost.doubleValue());
        }
        if (logEnabled && CALL_LOG.isInfoEnabled()) {
            CALL_LOG.info(logLine(call, cost));
        }
        return cost;
    }

    /** The time from sending a stream's request to its first content chunk, for the target that served it. */
    public void timeToFirstToken(Target target, long nanos) {
        TargetFacts.of(target).timeToFirstToken.observe(metrics, nanos / 1e9);
    }

    /** The call latency histogram of operation x outcome, both from small fixed sets. */
    private static Series.Histogram duration(String operation, String outcome) {
        return DURATIONS
                .computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        o -> new Series.Histogram(
                                REQUEST_DURATION, REQUEST_DURATION_HELP, Map.of("operation", operation, "outcome", o)));
    }

    /** {@code a6_ai_requests_total} of a call no target served. */
    private static Series.Counter unserved(String operation, String outcome) {
        return UNSERVED.computeIfAbsent(operation, o -> new ConcurrentHashMap<>())
                .computeIfAbsent(
                        outcome,
                        o -> new Series.Counter(
                                REQUESTS,
                                REQUESTS_HELP,
                                Map.of(
                                        "target",
                                        "none",
                                        "provider",
                                        "none",
                                        "model",
                                        "none",
                                        "operation",
                                        operation,
                                        "outcome",
                                        o)));
    }

    private static final Map<String, Map<String, Series.Histogram>> DURATIONS = new ConcurrentHashMap<>();
    private static final Map<String, Map<String, Series.Counter>> UNSERVED = new ConcurrentHashMap<>();

    /** The call-log line ({@link CallLogLine}). */
    static String logLine(CallFacts call, BigDecimal cost) {
        return CallLogLine.of(call, cost);
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
}
