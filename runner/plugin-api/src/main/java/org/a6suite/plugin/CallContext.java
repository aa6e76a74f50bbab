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
 * @param routeId   the {@code conf_type#conf_id} part of the route key ({@link #routeIdOf}), e.g. {@code route#1},
 *                  used to key per-route state; empty exactly when {@code routeKey} is. The runner derives it once
 *                  per prepared route, so reading it costs a plugin nothing per call
 */
public record CallContext(Optional<String> routeKey, long requestId, Phase phase, Optional<String> routeId) {

    /**
     * @throws IllegalArgumentException if {@code routeId} is not {@link #routeIdOf routeIdOf(routeKey)} (checked
     *                                  without allocating: this constructor runs on every call)
     */
    public CallContext {
        requireNonNull(routeKey, "routeKey");
        requireNonNull(phase, "phase");
        requireNonNull(routeId, "routeId");
        if (routeKey.isPresent() != routeId.isPresent()
                || routeKey.isPresent() && !derives(routeKey.get(), routeId.get())) {
            throw new IllegalArgumentException("routeId: " + routeId + " (expected: routeIdOf(routeKey), "
                    + "the conf_type#conf_id part of the route key)");
        }
    }

    /** A context whose route id is derived from {@code routeKey} here. */
    public CallContext(Optional<String> routeKey, long requestId, Phase phase) {
        this(routeKey, requestId, phase, routeIdOf(routeKey));
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

    /**
     * The {@code conf_type#conf_id} part of a route key: everything before its second {@code #}, or the whole key
     * when it has fewer than two.
     */
    public static Optional<String> routeIdOf(Optional<String> routeKey) {
        requireNonNull(routeKey, "routeKey");
        if (routeKey.isEmpty()) {
            return Optional.empty();
        }
        String key = routeKey.get();
        int end = idEnd(key);
        return end == key.length() ? routeKey : Optional.of(key.substring(0, end));
    }

    /** Where the route id ends in {@code key}: at its second {@code #}, else at its end. */
    private static int idEnd(String key) {
        int first = key.indexOf('#');
        int second = first < 0 ? -1 : key.indexOf('#', first + 1);
        return second < 0 ? key.length() : second;
    }

    private static boolean derives(String key, String id) {
        return id.length() == idEnd(key) && key.startsWith(id);
    }
}
