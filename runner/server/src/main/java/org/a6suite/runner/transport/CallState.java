package org.a6suite.runner.transport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Body;
import org.a6suite.protocol.message.CallRequest;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.FromApisix;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.metrics.RunnerMetrics.CallType;

/**
 * Everything about the one RPC in flight on a connection. It lives from the request frame to the reply and is then
 * dropped; the handler holds at most one. Only the connection's event loop touches it.
 *
 * <pre>
 *   PREPARING ──────────────────────────────┐
 *   AWAITING_EXTRA_INFO ──(last answer)──> RUNNING ──> REPLIED
 *   (no needs) ───────────────────────────> RUNNING
 * </pre>
 */
final class CallState {

    enum Stage {
        PREPARING,
        AWAITING_EXTRA_INFO,
        RUNNING,
        REPLIED
    }

    final CallType type;
    final long id;
    final FromApisix request;
    final PreparedChain chain;
    final List<ExtraInfoRequest.Info> asked;
    private final List<ExtraInfoResponse> answers;
    Stage stage;
    /** Whether the client's request carried the lane handoff header (read before any plugin rewrites it). */
    boolean clientSentHandoff;
    /** When the request frame arrived (the metrics ticker), for the call's duration. */
    long startNanos;

    private CallState(
            CallType type,
            long id,
            FromApisix request,
            PreparedChain chain,
            List<ExtraInfoRequest.Info> asked,
            Stage stage) {
        this.type = type;
        this.id = id;
        this.request = request;
        this.chain = chain;
        this.asked = asked;
        this.answers = asked.isEmpty() ? List.of() : new ArrayList<>(asked.size());
        this.stage = stage;
    }

    static CallState prepare(PrepareConfRequest request) {
        return new CallState(CallType.PREPARE_CONF, 0, request, null, List.of(), Stage.PREPARING);
    }

    static CallState call(
            CallType type, long id, CallRequest request, PreparedChain chain, List<ExtraInfoRequest.Info> asked) {
        return new CallState(
                type, id, request, chain, asked, asked.isEmpty() ? Stage.RUNNING : Stage.AWAITING_EXTRA_INFO);
    }

    /** Records the next answer (APISIX answers in the order asked); true when it was the last one. */
    boolean answer(ExtraInfoResponse response) {
        answers.add(response);
        if (answers.size() == asked.size()) {
            stage = Stage.RUNNING;
            return true;
        }
        return false;
    }

    /**
     * The answered variables; a variable APISIX had no value for is left out. Built immutable here, since the view
     * keeps an immutable copy ({@code Map.copyOf} returns an immutable map as it is): one map per call, not two.
     */
    Map<String, String> vars() {
        if (asked.isEmpty()) {
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] entries = new Map.Entry[asked.size()];
        int n = 0;
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i) instanceof ExtraInfoRequest.Var(String name)) {
                Optional<byte[]> value = answers.get(i).result();
                if (value.isPresent()) {
                    entries[n++] = Map.entry(name, new String(value.get(), StandardCharsets.UTF_8));
                }
            }
        }
        return n == entries.length ? Map.ofEntries(entries) : Map.ofEntries(Arrays.copyOf(entries, n));
    }

    /** The answer for {@code info} (ReqBody or RespBody), if asked and present. */
    Optional<Body> body(ExtraInfoRequest.Info info) {
        for (int i = 0; i < asked.size(); i++) {
            if (asked.get(i) == info) {
                return answers.get(i).result().map(Body::wrap);
            }
        }
        return Optional.empty();
    }
}
