package org.a6suite.ai.internal;

import java.math.BigDecimal;
import java.util.Optional;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Writes the call-log line: one JSON object, fields in a fixed order (route, request_id, operation, stream,
 * model_requested, target, provider, model, model_reported when served, status, outcome, tokens_input,
 * tokens_output, tokens_estimated, cost_usd, latency_ms, attempts, and prompt and completion when the route logs
 * content).
 *
 * <p>The text is what the plugin's Jackson generator wrote (same escaping: Jackson's {@link JsonStringEncoder}, which
 * the generator's rules match; numbers as {@code Long.toString} and {@code BigDecimal.toString}), appended into a
 * buffer each thread reuses: a generator, its writer and their growing buffers per call were a tenth of the
 * plugin's allocation per call. The only allocation left for a line is the {@code String} handed to the logger.
 */
final class CallLogLine {

    /** Lines of calls that log content can be large; a buffer that grew past this is not kept. */
    private static final int KEPT_CAPACITY = 4096;

    private static final ThreadLocal<StringBuilder> BUFFERS = ThreadLocal.withInitial(() -> new StringBuilder(512));

    private CallLogLine() {}

    static String of(CallFacts call, BigDecimal cost) {
        StringBuilder b = BUFFERS.get();
        b.setLength(0);
        try {
            write(b, call, cost);
            return b.toString();
        } finally {
            if (b.capacity() > KEPT_CAPACITY) {
                BUFFERS.remove();
            }
        }
    }

    private static void write(StringBuilder b, CallFacts call, BigDecimal cost) {
        CallFacts.Request request = call.request();
        CallFacts.Result result = call.result();
        Optional<CallFacts.Served> served = call.served();
        b.append('{');
        string(b, "route", request.routeId());
        b.append(",\"request_id\":").append(request.requestId());
        b.append(',');
        string(b, "operation", request.operation().label());
        b.append(",\"stream\":").append(request.stream());
        b.append(',');
        string(b, "model_requested", request.requestedModel().orElse(null));
        b.append(',');
        string(b, "target", served.isPresent() ? served.get().target().id() : null);
        b.append(',');
        string(b, "provider", served.isPresent() ? served.get().target().type().wireName() : null);
        b.append(',');
        string(b, "model", served.isPresent() ? served.get().target().model() : null);
        if (served.isPresent()) {
            b.append(',');
            string(b, "model_reported", served.get().reportedModel());
        }
        b.append(",\"status\":").append(result.status());
        b.append(',');
        string(b, "outcome", result.outcome());
        b.append(",\"tokens_input\":").append(result.usage().input());
        b.append(",\"tokens_output\":").append(result.usage().output());
        b.append(",\"tokens_estimated\":").append(result.usage().estimated());
        b.append(",\"cost_usd\":").append(cost == null ? "null" : cost.toString());
        b.append(",\"latency_ms\":").append(result.latencyMillis());
        b.append(",\"attempts\":[");
        boolean first = true;
        for (AttemptInfo a : result.attempts()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append('{');
            string(b, "target", a.target().id());
            b.append(',');
            string(b, "provider", a.target().type().wireName());
            b.append(',');
            string(b, "outcome", a.outcome());
            if (a.status().isPresent()) {
                b.append(",\"status\":").append(a.status().get().intValue());
            }
            b.append(",\"ms\":").append(a.duration().toMillis());
            b.append('}');
        }
        b.append(']');
        if (call.content().isPresent()) {
            b.append(',');
            string(b, "prompt", call.content().get().prompt());
            b.append(',');
            string(b, "completion", call.content().get().completion());
        }
        b.append('}');
    }

    /** {@code "name":"value"} (or {@code null}); names are the fixed ASCII ones above and need no escaping. */
    private static void string(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":");
        if (value == null) {
            b.append("null");
            return;
        }
        b.append('"');
        if (needsEscaping(value)) {
            JsonStringEncoder.getInstance().quoteAsString(value, b);
        } else {
            b.append(value);
        }
        b.append('"');
    }

    /** Whether the generator would escape a character of {@code value}: controls, quote and backslash. */
    private static boolean needsEscaping(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return true;
            }
        }
        return false;
    }
}
