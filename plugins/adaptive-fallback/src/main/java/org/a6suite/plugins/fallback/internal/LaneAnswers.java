package org.a6suite.plugins.fallback.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.LaneResponse;

/**
 * The answers the lane commits: the upstream's (whole when its body is all held, else streamed), its own problem
 * documents, and the {@code Server-Timing} it adds to answers it made itself.
 */
final class LaneAnswers {

    /** Framing and connection headers: the lane server writes its own. */
    private static final Set<String> NOT_RELAYED = Set.of(
            "connection",
            "keep-alive",
            "proxy-connection",
            "te",
            "trailer",
            "transfer-encoding",
            "upgrade",
            "content-length");

    private LaneAnswers() {}

    /** The upstream's answer: whole (with a content-length) when the body ended before the commit point. */
    static LaneResponse upstream(Attempted attempted) {
        RelayBody relay = attempted.body();
        if (relay.isComplete()) {
            return LaneResponse.whole(attempted.status(), attempted.headers(), relay.wholeBody());
        }
        return LaneResponse.streamed(attempted.status(), attempted.headers(), relay);
    }

    /** The response's end-to-end headers (names lower-cased by the outbound client). */
    static Headers relayedHeaders(OutboundResponse response) {
        Map<String, List<String>> map = response.headers().map();
        List<Headers.Header> list = new ArrayList<>(map.size());
        for (Map.Entry<String, List<String>> e : map.entrySet()) {
            if (NOT_RELAYED.contains(e.getKey())) {
                continue;
            }
            for (String v : e.getValue()) {
                list.add(new Headers.Header(e.getKey(), v));
            }
        }
        return Headers.of(list);
    }

    /** Server-sent events or {@code X-Accel-Buffering: no}: relayed as it comes, never held back. */
    static boolean isStream(OutboundResponse response) {
        return response.headers()
                        .firstValue("content-type")
                        .map(t -> t.regionMatches(true, 0, "text/event-stream", 0, 17))
                        .orElse(false)
                || response.headers()
                        .firstValue("x-accel-buffering")
                        .map(v -> v.trim().equalsIgnoreCase("no"))
                        .orElse(false);
    }

    /**
     * Adds {@code Server-Timing: a6-fallback;dur=<waited ms>, a6-budget;dur=<budget ms>} to an answer the lane
     * made itself: how long the lane spent on the upstream before answering, against the budget it had.
     */
    static LaneResponse timed(LaneResponse response, Duration waited, Duration budget) {
        if (!(response instanceof LaneResponse.Whole whole)) {
            return response;
        }
        String timing = String.format(
                Locale.ROOT, "a6-fallback;dur=%.1f, a6-budget;dur=%d", waited.toNanos() / 1e6, budget.toMillis());
        return LaneResponse.whole(whole.status(), whole.headers().plus("server-timing", timing), whole.body());
    }

    /** An RFC 9457 problem document with the lane's {@code reason}. */
    static LaneResponse problem(int status, String title, String detail, String reason) {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail.replace("\"", "'") + "\",\"reason\":\"" + reason + "\"}";
        return LaneResponse.whole(status, Headers.of("content-type", "application/problem+json"), Body.of(json));
    }
}
