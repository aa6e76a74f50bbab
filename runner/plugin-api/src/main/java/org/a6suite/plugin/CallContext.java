package org.a6suite.plugin;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Facts about the current call that are not part of the request.
 *
 * @param routeKey  APISIX's PrepareConf key, {@code conf_type#conf_id#plugin#conf_version} such as
 *                  {@code route#1#ext-plugin-pre-req#148}; empty if APISIX sent none
 * @param requestId APISIX's call id, {@code (worker_id << 22) + counter}; for correlation in logs only
 * @param phase     which ext-plugin phase the call belongs to, when the route key tells; {@link Phase#LANE} for a
 *                  call on the runner's HTTP lane
 */
public record CallContext(Optional<String> routeKey, long requestId, Phase phase) {

    public CallContext {
        requireNonNull(routeKey, "routeKey");
        requireNonNull(phase, "phase");
    }

    /** The APISIX plugin that made the call. */
    public enum Phase {
        PRE_REQ,
        POST_REQ,
        POST_RESP,
        /** A request APISIX proxied to the runner's HTTP lane after a pre-req handoff. */
        LANE,
        UNKNOWN;

        /** Reads the phase from a route key's plugin part. */
        public static Phase fromRouteKey(String key) {
            if (key.contains("#ext-plugin-pre-req#")) {
                return PRE_REQ;
            }
            if (key.contains("#ext-plugin-post-req#")) {
                return POST_REQ;
            }
            if (key.contains("#ext-plugin-post-resp#")) {
                return POST_RESP;
            }
            return UNKNOWN;
        }
    }

    /** The {@code conf_type#conf_id} part of the route key, e.g. {@code route#1}, used to key per-route state. */
    public Optional<String> routeId() {
        return routeKey.map(k -> {
            String[] parts = k.split("#", -1);
            return parts.length >= 2 ? parts[0] + "#" + parts[1] : k;
        });
    }
}
