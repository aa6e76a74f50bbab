package org.a6suite.plugins.fallback.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugins.fallback.CacheSettings;
import org.a6suite.plugins.fallback.FallbackConfig;
import org.a6suite.plugins.fallback.HealthGate;
import org.a6suite.plugins.fallback.KeySpec;
import org.a6suite.plugins.fallback.LaneSettings;
import org.a6suite.plugins.fallback.StaticResponse;
import org.a6suite.plugins.fallback.StatusSet;
import org.a6suite.resilience.AdaptiveTimeoutConfig;
import org.a6suite.resilience.BreakerConfig;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Turns a route's JSON value into a {@link FallbackConfig}; every error names the JSON path of the field. */
public final class ConfigParser {

    private static final ObjectMapper JSON = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
            // Bounded reads: nesting and size limits, so hostile JSON is refused instead of walking the stack.
            .streamReadConstraints(tools.jackson.core.StreamReadConstraints.builder().maxNestingDepth(128)
                    .maxDocumentLength(64L * 1024 * 1024).build()).build()).build();
    private static final Set<String> TOP = Set.of("key", "methods", "cache", "good_statuses", "failure_statuses",
            "breaker", "unanswered_timeout", "static", "replace_failures", "upstream_key", "health", "lane");
    private static final Set<String> LANE = Set.of("upstream_id", "upstream", "attempt_timeout", "retries", "hedge",
            "commit_bytes");
    private static final Set<String> ATTEMPT = Set.of("percentile", "multiplier", "floor", "ceiling", "min_samples",
            "warmup", "window");
    private static final Set<String> HEDGE = Set.of("percentile", "warmup_delay", "max_extra_load");
    private static final Set<String> HEALTH = Set.of("enabled", "error_rate", "min_requests", "max_age");
    private static final Set<String> KEY = Set.of("args", "headers");
    private static final Set<String> CACHE = Set.of("max_entries", "max_body_bytes", "max_age", "cache_set_cookie");
    private static final Set<String> BREAKER = Set.of("window_type", "window_size", "minimum_calls", "failure_rate",
            "slow_call_duration", "slow_call_rate", "wait_in_open", "half_open_probes", "half_open_share");
    private static final Set<String> STATIC = Set.of("status", "headers", "body", "content_type");
    private static final Set<String> FORBIDDEN_STATIC_HEADERS = Set.of("content-length", "transfer-encoding",
            "connection", "content-type");

    /** Defaults that differ from Resilience4j's: a gateway fallback must react within seconds, not minutes. */
    static final int DEFAULT_WINDOW = 20;
    static final int DEFAULT_MINIMUM_CALLS = 10;
    static final Duration DEFAULT_SLOW_CALL = Duration.ofSeconds(10);
    static final Duration DEFAULT_WAIT_IN_OPEN = Duration.ofSeconds(10);
    static final int DEFAULT_HALF_OPEN_PROBES = 3;

    private ConfigParser() {
    }

    public static FallbackConfig parse(String value) throws PluginConfigException {
        JsonNode root;
        if (value == null || value.isBlank()) {
            root = JSON.createObjectNode();
        } else {
            try {
                root = JSON.readTree(value);
            } catch (JacksonException e) {
                throw new PluginConfigException("$", "not JSON (" + e.getOriginalMessage() + ")");
            }
        }
        requireObject("$", root, TOP);
        KeySpec key = parseKey(root.get("key"));
        Set<HttpMethod> methods = parseMethods(root.get("methods"));
        CacheSettings cache = parseCache(root.get("cache"));
        StatusSet good = statuses("good_statuses", root.get("good_statuses"), List.of("2xx"));
        StatusSet failure = statuses("failure_statuses", root.get("failure_statuses"), List.of("5xx"));
        if (good.intersects(failure)) {
            throw PluginConfigException.invalid("failure_statuses", failure, "no status also in good_statuses "
                    + good);
        }
        JsonNode b = root.get("breaker");
        requireObject("breaker", b, BREAKER);
        BreakerConfig breaker = parseBreaker(b);
        double share = b == null || !b.has("half_open_share") ? 0.1
                : number("breaker.half_open_share", b.get("half_open_share"));
        if (!(share > 0 && share <= 1)) {
            throw PluginConfigException.invalid("breaker.half_open_share", share, "0 < share <= 1");
        }
        Duration unanswered = seconds("unanswered_timeout", root.get("unanswered_timeout"), Duration.ofSeconds(10),
                Duration.ofMillis(1), Duration.ofSeconds(3600));
        Optional<StaticResponse> staticResponse = parseStatic(root.get("static"));
        boolean replace = bool("replace_failures", root.get("replace_failures"), true);
        Optional<String> upstreamKey = Optional.empty();
        JsonNode up = root.get("upstream_key");
        if (up != null && !up.isNull()) {
            String text = text("upstream_key", up);
            if (!text.matches("(upstreams|routes|services)/[A-Za-z0-9._-]{1,64}")) {
                throw PluginConfigException.invalid("upstream_key", text,
                        "upstreams/<id>, routes/<id> or services/<id>");
            }
            upstreamKey = Optional.of(text);
        }
        return new FallbackConfig(key, methods, cache, good, failure, breaker, share, unanswered, staticResponse,
                replace, upstreamKey, parseHealth(root.get("health")), parseLane(root.get("lane")));
    }

    private static Optional<LaneSettings> parseLane(JsonNode node) throws PluginConfigException {
        requireObject("lane", node, LANE);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        Optional<String> id = Optional.empty();
        Optional<UpstreamSpec> inline = Optional.empty();
        if (node.hasNonNull("upstream_id")) {
            JsonNode v = node.get("upstream_id");
            String text = v.isIntegralNumber() ? v.asString() : text("lane.upstream_id", v);
            if (!text.matches("[A-Za-z0-9._-]{1,64}")) {
                throw PluginConfigException.invalid("lane.upstream_id", text, "an APISIX upstream id such as 1");
            }
            id = Optional.of(text);
        }
        if (node.hasNonNull("upstream")) {
            try {
                inline = Optional.of(UpstreamSpec.parse("lane.upstream", node.get("upstream")));
            } catch (IllegalArgumentException e) {
                String message = e.getMessage();
                int colon = message.indexOf(": ");
                throw colon > 0 ? new PluginConfigException(message.substring(0, colon),
                        message.substring(colon + 2), e) : new PluginConfigException("lane.upstream", message, e);
            }
        }
        if (id.isPresent() == inline.isPresent()) {
            throw PluginConfigException.invalid("lane", id.isPresent() ? "both upstream_id and upstream" : "neither",
                    "exactly one of upstream_id (an APISIX upstream in etcd) and upstream (inline nodes)");
        }
        JsonNode a = node.get("attempt_timeout");
        requireObject("lane.attempt_timeout", a, ATTEMPT);
        AdaptiveTimeoutConfig.Builder at = AdaptiveTimeoutConfig.builder().percentile(99).multiplier(2)
                .floor(Duration.ofMillis(50)).ceiling(Duration.ofSeconds(60)).minSamples(20)
                .warmupTimeout(Duration.ofSeconds(5)).window(Duration.ofSeconds(60));
        if (a != null && !a.isNull()) {
            if (a.has("percentile")) {
                at.percentile(percent("lane.attempt_timeout.percentile", a.get("percentile"), 99));
            }
            if (a.has("multiplier")) {
                double m = number("lane.attempt_timeout.multiplier", a.get("multiplier"));
                if (!(m >= 1 && m <= 100)) {
                    throw PluginConfigException.invalid("lane.attempt_timeout.multiplier", m, "1..100");
                }
                at.multiplier(m);
            }
            at.floor(seconds("lane.attempt_timeout.floor", a.get("floor"), Duration.ofMillis(50),
                    Duration.ofMillis(1), Duration.ofSeconds(3600)));
            at.ceiling(seconds("lane.attempt_timeout.ceiling", a.get("ceiling"), Duration.ofSeconds(60),
                    Duration.ofMillis(1), Duration.ofSeconds(3600)));
            at.minSamples(integer("lane.attempt_timeout.min_samples", a.get("min_samples"), 20, 1, 100_000));
            at.warmupTimeout(seconds("lane.attempt_timeout.warmup", a.get("warmup"), Duration.ofSeconds(5),
                    Duration.ofMillis(1), Duration.ofSeconds(3600)));
            at.window(seconds("lane.attempt_timeout.window", a.get("window"), Duration.ofSeconds(60),
                    Duration.ofSeconds(1), Duration.ofSeconds(3600)));
        }
        AdaptiveTimeoutConfig attempt;
        try {
            attempt = at.build();
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("lane.attempt_timeout", e.getMessage(), e);
        }
        int retries = integer("lane.retries", node.get("retries"), 1, 0, 5);
        JsonNode h = node.get("hedge");
        requireObject("lane.hedge", h, HEDGE);
        Optional<LaneSettings.HedgeSettings> hedge = Optional.empty();
        if (h != null && !h.isNull()) {
            double p = h.has("percentile") ? number("lane.hedge.percentile", h.get("percentile")) : 95;
            if (!(p > 0 && p < 100)) {
                throw PluginConfigException.invalid("lane.hedge.percentile", p, "0 < percentile < 100");
            }
            double load = h.has("max_extra_load") ? number("lane.hedge.max_extra_load", h.get("max_extra_load"))
                    : 0.05;
            if (!(load > 0 && load <= 1)) {
                throw PluginConfigException.invalid("lane.hedge.max_extra_load", load, "0 < load <= 1");
            }
            hedge = Optional.of(new LaneSettings.HedgeSettings(p, seconds("lane.hedge.warmup_delay",
                    h.get("warmup_delay"), Duration.ofSeconds(1), Duration.ofMillis(1), Duration.ofSeconds(3600)),
                    load));
        }
        int commit = integer("lane.commit_bytes", node.get("commit_bytes"), 65_536, 0, 16 << 20);
        return Optional.of(new LaneSettings(id, inline, attempt, retries, hedge, commit));
    }

    private static HealthGate parseHealth(JsonNode node) throws PluginConfigException {
        requireObject("health", node, HEALTH);
        if (node == null || node.isNull()) {
            return HealthGate.DEFAULT;
        }
        boolean enabled = bool("health.enabled", node.get("enabled"), HealthGate.DEFAULT.enabled());
        double rate = node.has("error_rate") ? number("health.error_rate", node.get("error_rate"))
                : HealthGate.DEFAULT.errorRate();
        if (!(rate > 0 && rate <= 1)) {
            throw PluginConfigException.invalid("health.error_rate", rate, "0 < rate <= 1");
        }
        int min = integer("health.min_requests", node.get("min_requests"), HealthGate.DEFAULT.minRequests(), 1,
                1_000_000);
        Duration maxAge = seconds("health.max_age", node.get("max_age"), HealthGate.DEFAULT.maxAge(),
                Duration.ofSeconds(1), Duration.ofHours(1));
        return new HealthGate(enabled, rate, min, maxAge);
    }

    private static void requireObject(String path, JsonNode node, Set<String> allowed) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw PluginConfigException.invalid(path, node, "a JSON object");
        }
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                String field = path.equals("$") ? name : path + "." + name;
                throw PluginConfigException.invalid(field, "unknown field", "one of " + new java.util.TreeSet<>(allowed));
            }
        }
    }

    private static KeySpec parseKey(JsonNode node) throws PluginConfigException {
        requireObject("key", node, KEY);
        if (node == null || node.isNull()) {
            return KeySpec.DEFAULT;
        }
        List<String> args = strings("key.args", node.get("args"), List.of());
        List<String> headers = new ArrayList<>();
        for (String h : strings("key.headers", node.get("headers"), List.of())) {
            if (!h.matches("[A-Za-z0-9-]{1,64}")) {
                throw PluginConfigException.invalid("key.headers", h, "a header name of letters, digits and '-'");
            }
            headers.add(h.toLowerCase(Locale.ROOT));
        }
        for (String a : args) {
            if (!a.matches("[A-Za-z0-9_.-]{1,64}")) {
                throw PluginConfigException.invalid("key.args", a, "an argument name of letters, digits, '_', '.', '-'");
            }
        }
        return new KeySpec(List.copyOf(new LinkedHashSet<>(args)), List.copyOf(new LinkedHashSet<>(headers)));
    }

    private static Set<HttpMethod> parseMethods(JsonNode node) throws PluginConfigException {
        List<String> names = strings("methods", node, List.of("GET", "HEAD"));
        Set<HttpMethod> methods = EnumSet.noneOf(HttpMethod.class);
        for (String n : names) {
            try {
                methods.add(HttpMethod.valueOf(n.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw PluginConfigException.invalid("methods", n, "one of " + List.of(HttpMethod.values()));
            }
        }
        return methods;
    }

    private static CacheSettings parseCache(JsonNode node) throws PluginConfigException {
        requireObject("cache", node, CACHE);
        CacheSettings d = CacheSettings.DEFAULT;
        if (node == null || node.isNull()) {
            return d;
        }
        int maxEntries = integer("cache.max_entries", node.get("max_entries"), d.maxEntries(), 0, 1_000_000);
        int maxBody = integer("cache.max_body_bytes", node.get("max_body_bytes"), d.maxBodyBytes(), 0, 16 << 20);
        Duration maxAge = seconds("cache.max_age", node.get("max_age"), d.maxAge(), Duration.ofMillis(1),
                Duration.ofDays(7));
        boolean setCookie = bool("cache.cache_set_cookie", node.get("cache_set_cookie"), d.cacheSetCookie());
        return new CacheSettings(maxEntries, maxBody, maxAge, setCookie);
    }

    private static BreakerConfig parseBreaker(JsonNode node) throws PluginConfigException {
        BreakerConfig.Builder b = BreakerConfig.builder()
                .windowSize(DEFAULT_WINDOW)
                .minimumCalls(DEFAULT_MINIMUM_CALLS)
                .slowCallDuration(DEFAULT_SLOW_CALL)
                .waitInOpenState(DEFAULT_WAIT_IN_OPEN)
                .permittedCallsInHalfOpen(DEFAULT_HALF_OPEN_PROBES);
        if (node != null && !node.isNull()) {
            JsonNode type = node.get("window_type");
            if (type != null) {
                String t = text("breaker.window_type", type).toLowerCase(Locale.ROOT);
                switch (t) {
                    case "count" -> b.windowType(BreakerConfig.WindowType.COUNT);
                    case "time" -> b.windowType(BreakerConfig.WindowType.TIME);
                    default -> throw PluginConfigException.invalid("breaker.window_type", t, "count or time");
                }
            }
            b.windowSize(integer("breaker.window_size", node.get("window_size"), DEFAULT_WINDOW, 1, 100_000));
            b.minimumCalls(integer("breaker.minimum_calls", node.get("minimum_calls"), DEFAULT_MINIMUM_CALLS, 1,
                    100_000));
            b.failureRateThreshold((float) percent("breaker.failure_rate", node.get("failure_rate"), 50));
            b.slowCallRateThreshold((float) percent("breaker.slow_call_rate", node.get("slow_call_rate"), 100));
            b.slowCallDuration(seconds("breaker.slow_call_duration", node.get("slow_call_duration"),
                    DEFAULT_SLOW_CALL, Duration.ofMillis(1), Duration.ofSeconds(3600)));
            b.waitInOpenState(seconds("breaker.wait_in_open", node.get("wait_in_open"), DEFAULT_WAIT_IN_OPEN,
                    Duration.ofMillis(1), Duration.ofSeconds(3600)));
            b.permittedCallsInHalfOpen(integer("breaker.half_open_probes", node.get("half_open_probes"),
                    DEFAULT_HALF_OPEN_PROBES, 1, 10_000));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException("breaker", e.getMessage(), e);
        }
    }

    private static Optional<StaticResponse> parseStatic(JsonNode node) throws PluginConfigException {
        requireObject("static", node, STATIC);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        int status = integer("static.status", node.get("status"), 200, 100, 599);
        String contentType = node.has("content_type") ? text("static.content_type", node.get("content_type"))
                : "application/json";
        List<Headers.Header> headers = new ArrayList<>();
        JsonNode h = node.get("headers");
        if (h != null && !h.isNull()) {
            if (!h.isObject()) {
                throw PluginConfigException.invalid("static.headers", h, "an object of header name to string");
            }
            for (Map.Entry<String, JsonNode> e : h.properties()) {
                String name = e.getKey();
                if (!name.matches("[A-Za-z0-9-]{1,64}")
                        || FORBIDDEN_STATIC_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    throw PluginConfigException.invalid("static.headers", name,
                            "a header name other than content-length, transfer-encoding, connection, content-type "
                                    + "(use content_type)");
                }
                headers.add(new Headers.Header(name, text("static.headers." + name, e.getValue())));
            }
        }
        String body = node.has("body") ? text("static.body", node.get("body")) : "";
        return Optional.of(new StaticResponse(status, Headers.of(headers), Body.of(body), contentType));
    }

    private static StatusSet statuses(String field, JsonNode node, List<String> dflt) throws PluginConfigException {
        List<String> entries = new ArrayList<>();
        if (node == null || node.isNull()) {
            entries.addAll(dflt);
        } else if (node.isArray()) {
            for (JsonNode e : node) {
                if (e.isInt() || e.isString()) {
                    entries.add(e.asString());
                } else {
                    throw PluginConfigException.invalid(field, e, "status codes, \"Nxx\" or \"from-to\"");
                }
            }
        } else {
            throw PluginConfigException.invalid(field, node, "an array of status codes, \"Nxx\" or \"from-to\"");
        }
        try {
            StatusSet set = StatusSet.parse(entries);
            if (set.isEmpty()) {
                throw PluginConfigException.invalid(field, "[]", "at least one status");
            }
            return set;
        } catch (IllegalArgumentException e) {
            throw new PluginConfigException(field, e.getMessage());
        }
    }

    private static List<String> strings(String field, JsonNode node, List<String> dflt) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return dflt;
        }
        if (!node.isArray()) {
            throw PluginConfigException.invalid(field, node, "an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : node) {
            if (!e.isString()) {
                throw PluginConfigException.invalid(field, e, "an array of strings");
            }
            out.add(e.asString());
        }
        if (out.size() > 32) {
            throw PluginConfigException.invalid(field, out.size() + " entries", "at most 32");
        }
        return out;
    }

    private static String text(String field, JsonNode node) throws PluginConfigException {
        if (node == null || !node.isString()) {
            throw PluginConfigException.invalid(field, node, "a string");
        }
        return node.asString();
    }

    private static boolean bool(String field, JsonNode node, boolean dflt) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return dflt;
        }
        if (!node.isBoolean()) {
            throw PluginConfigException.invalid(field, node, "true or false");
        }
        return node.asBoolean();
    }

    private static double number(String field, JsonNode node) throws PluginConfigException {
        if (node == null || !node.isNumber()) {
            throw PluginConfigException.invalid(field, node, "a number");
        }
        return node.asDouble();
    }

    private static int integer(String field, JsonNode node, int dflt, int min, int max) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return dflt;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            throw PluginConfigException.invalid(field, node, "an integer in [" + min + ", " + max + "]");
        }
        return node.asInt();
    }

    private static double percent(String field, JsonNode node, double dflt) throws PluginConfigException {
        if (node == null || node.isNull()) {
            return dflt;
        }
        double v = number(field, node);
        if (!(v > 0 && v <= 100)) {
            throw PluginConfigException.invalid(field, node, "a percentage in (0, 100]");
        }
        return v;
    }

    /** Durations are seconds, fractional allowed, as APISIX writes its own timeouts. */
    private static Duration seconds(String field, JsonNode node, Duration dflt, Duration min, Duration max)
            throws PluginConfigException {
        if (node == null || node.isNull()) {
            return dflt;
        }
        double s = number(field, node);
        Duration d = Duration.ofNanos((long) Math.min(Long.MAX_VALUE, s * 1e9));
        if (!(s > 0) || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw PluginConfigException.invalid(field, node, "seconds in [" + min.toMillis() / 1000.0 + ", "
                    + max.toSeconds() + "]");
        }
        return d;
    }
}
