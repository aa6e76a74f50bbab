package org.a6suite.ai.internal.provider;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.util.Map;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.http.OutboundHeaders;

/**
 * The chat request headers of OpenAI-shaped targets, built once per target, credential and stream flag instead of a
 * map and the outbound client's header list per call (weak, identity keys, as the gateway's other per-target facts).
 * A credential that changes (a rotated key) replaces the entry on its next use.
 */
final class PrebuiltHeaders {

    /** The headers of one (credential, stream) pair: as a map (for the request record) and as sent. */
    record Entry(Optional<String> apiKey, Map<String, String> map, OutboundHeaders wire) {}

    /** The two entries of a target, non-streamed and streamed; replaced whole, read without locks. */
    private static final class OfTarget {
        volatile Entry whole;
        volatile Entry streamed;
    }

    private static final LoadingCache<Target, OfTarget> TARGETS =
            Caffeine.newBuilder().weakKeys().executor(Runnable::run).build(target -> new OfTarget());

    private PrebuiltHeaders() {}

    static Entry chat(Target target, Optional<String> apiKey, boolean stream) {
        OfTarget of = TARGETS.get(target);
        Entry entry = stream ? of.streamed : of.whole;
        if (entry != null && entry.apiKey().equals(apiKey)) {
            return entry;
        }
        Map<String, String> headers = OpenAiAdapter.authHeaders(target, apiKey);
        headers.put("content-type", "application/json");
        if (stream) {
            headers.put("accept", "text/event-stream");
        }
        Map<String, String> map = Map.copyOf(headers);
        // The wire form keeps the insertion order (credential, content type, accept), as the per-call map did.
        entry = new Entry(apiKey, map, ProviderRequest.wire(headers));
        if (stream) {
            of.streamed = entry;
        } else {
            of.whole = entry;
        }
        return entry;
    }
}
