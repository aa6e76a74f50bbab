package org.a6suite.health;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The health reporter's settings, read once from the runner's environment and validated. Every variable is
 * documented in {@code docs/health-reporter.md}.
 *
 * @param etcdEndpoints  {@code A6_HEALTH_ETCD_ENDPOINTS}, comma-separated {@code http://host:port}; unset disables
 *                       the reporter
 * @param prefix         {@code A6_HEALTH_PREFIX}, default {@code /a6/health}; the document key is
 *                       {@code <prefix>/<node-id>}
 * @param interval       {@code A6_HEALTH_INTERVAL}, default 5 s, range [100 ms, 5 min]
 * @param nodeId         {@code A6_HEALTH_NODE_ID}, default the host name
 * @param prometheusUrl  {@code A6_HEALTH_PROMETHEUS_URL}, APISIX's prometheus exporter, optional
 * @param controlUrl     {@code A6_HEALTH_CONTROL_URL}, APISIX's Control API {@code /v1/healthcheck}, optional
 * @param keyMapping     {@code A6_HEALTH_ROUTE_UPSTREAMS}, {@code routes/1=upstreams/1,services/2=upstreams/3}:
 *                       rewrites the upstream key of every source's data
 * @param prometheusRefresh {@code A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL}, default 15 s, range [100 ms, 1 h]: how
 *                       often APISIX re-renders the exporter's cached text ({@code plugin_attr.prometheus
 *                       .refresh_interval} in APISIX's {@code config.yaml}, 15 s by default since APISIX 3.14); set
 *                       it to the same value. An exporter unchanged for longer than this plus one interval has
 *                       refreshed with no new requests.
 */
public record HealthReporterConfig(
        List<URI> etcdEndpoints,
        String prefix,
        Duration interval,
        String nodeId,
        Optional<URI> prometheusUrl,
        Optional<URI> controlUrl,
        Map<String, String> keyMapping,
        Duration prometheusRefresh) {

    public static final String ETCD_ENDPOINTS = "A6_HEALTH_ETCD_ENDPOINTS";
    public static final String PREFIX = "A6_HEALTH_PREFIX";
    public static final String INTERVAL = "A6_HEALTH_INTERVAL";
    public static final String NODE_ID = "A6_HEALTH_NODE_ID";
    public static final String PROMETHEUS_URL = "A6_HEALTH_PROMETHEUS_URL";
    public static final String CONTROL_URL = "A6_HEALTH_CONTROL_URL";
    public static final String ROUTE_UPSTREAMS = "A6_HEALTH_ROUTE_UPSTREAMS";
    public static final String PROMETHEUS_REFRESH = "A6_HEALTH_PROMETHEUS_REFRESH_INTERVAL";

    public static final String DEFAULT_PREFIX = "/a6/health";
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
    static final Duration MIN_INTERVAL = Duration.ofMillis(100);
    static final Duration MAX_INTERVAL = Duration.ofMinutes(5);
    /**
     * APISIX's default {@code plugin_attr.prometheus.refresh_interval}: {@code DEFAULT_REFRESH_INTERVAL = 15} in
     * {@code apisix/plugins/prometheus/exporter.lua} and {@code refresh_interval: 15} in {@code apisix/cli/config.lua}.
     */
    public static final Duration DEFAULT_PROMETHEUS_REFRESH = Duration.ofSeconds(15);

    static final Duration MAX_PROMETHEUS_REFRESH = Duration.ofHours(1);

    private static final Pattern KEY = Pattern.compile("(upstreams|routes|services)/[A-Za-z0-9._-]{1,64}");
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    public HealthReporterConfig {
        etcdEndpoints = List.copyOf(etcdEndpoints);
        requireNonNull(prefix, "prefix");
        requireNonNull(interval, "interval");
        requireNonNull(nodeId, "nodeId");
        requireNonNull(prometheusUrl, "prometheusUrl");
        requireNonNull(controlUrl, "controlUrl");
        keyMapping = Map.copyOf(keyMapping);
        requireNonNull(prometheusRefresh, "prometheusRefresh");
        if (prometheusRefresh.compareTo(MIN_INTERVAL) < 0 || prometheusRefresh.compareTo(MAX_PROMETHEUS_REFRESH) > 0) {
            throw new IllegalArgumentException(PROMETHEUS_REFRESH + ": " + prometheusRefresh
                    + " (expected: 100ms..1h, the refresh_interval of APISIX's prometheus plugin_attr, e.g. 15s)");
        }
        if (etcdEndpoints.isEmpty()) {
            throw new IllegalArgumentException(ETCD_ENDPOINTS + ": empty (expected: at least one http://host:port)");
        }
        if (!prefix.startsWith("/") || prefix.endsWith("/") || prefix.contains("//")) {
            throw new IllegalArgumentException(PREFIX + ": " + prefix + " (expected: a path like /a6/health)");
        }
        if (interval.compareTo(MIN_INTERVAL) < 0 || interval.compareTo(MAX_INTERVAL) > 0) {
            throw new IllegalArgumentException(INTERVAL + ": " + interval + " (expected: 100ms..5m)");
        }
        if (!NODE.matcher(nodeId).matches()) {
            throw new IllegalArgumentException(
                    NODE_ID + ": " + nodeId + " (expected: 1-128 letters, digits, '.', '_', ':', '-')");
        }
    }

    /** With APISIX's default exporter refresh interval (15 s). */
    public HealthReporterConfig(
            List<URI> etcdEndpoints,
            String prefix,
            Duration interval,
            String nodeId,
            Optional<URI> prometheusUrl,
            Optional<URI> controlUrl,
            Map<String, String> keyMapping) {
        this(
                etcdEndpoints,
                prefix,
                interval,
                nodeId,
                prometheusUrl,
                controlUrl,
                keyMapping,
                DEFAULT_PROMETHEUS_REFRESH);
    }

    /** The etcd key of this node's document. */
    public String documentKey() {
        return prefix + "/" + nodeId;
    }

    /** The lease TTL: three intervals, at least 2 s (etcd's minimum lease TTL with default timing). */
    public Duration leaseTtl() {
        long seconds = (long) Math.ceil(interval.toMillis() * 3 / 1000.0);
        return Duration.ofSeconds(Math.max(2, seconds));
    }

    /** The upstream key after {@link #keyMapping()}. */
    public String mapKey(String upstreamKey) {
        return keyMapping.getOrDefault(upstreamKey, upstreamKey);
    }

    /**
     * Reads the configuration; empty when {@value #ETCD_ENDPOINTS} is unset or blank (the reporter is off).
     *
     * @throws IllegalArgumentException naming the variable, the bad value and what was expected
     */
    public static Optional<HealthReporterConfig> fromEnvironment(Function<String, String> env) {
        requireNonNull(env, "env");
        String endpoints = trimmed(env.apply(ETCD_ENDPOINTS));
        if (endpoints == null) {
            return Optional.empty();
        }
        List<URI> uris = new ArrayList<>();
        for (String e : endpoints.split(",")) {
            if (!e.isBlank()) {
                uris.add(url(ETCD_ENDPOINTS, e.trim()));
            }
        }
        String prefix = Optional.ofNullable(trimmed(env.apply(PREFIX))).orElse(DEFAULT_PREFIX);
        Duration interval = Optional.ofNullable(trimmed(env.apply(INTERVAL)))
                .map(v -> duration(INTERVAL, v))
                .orElse(DEFAULT_INTERVAL);
        String nodeId = Optional.ofNullable(trimmed(env.apply(NODE_ID))).orElseGet(HealthReporterConfig::hostname);
        Optional<URI> prometheus =
                Optional.ofNullable(trimmed(env.apply(PROMETHEUS_URL))).map(v -> url(PROMETHEUS_URL, v));
        Optional<URI> control =
                Optional.ofNullable(trimmed(env.apply(CONTROL_URL))).map(v -> url(CONTROL_URL, v));
        Map<String, String> mapping = Optional.ofNullable(trimmed(env.apply(ROUTE_UPSTREAMS)))
                .map(HealthReporterConfig::mapping)
                .orElse(Map.of());
        Duration refresh = Optional.ofNullable(trimmed(env.apply(PROMETHEUS_REFRESH)))
                .map(v -> duration(PROMETHEUS_REFRESH, v))
                .orElse(DEFAULT_PROMETHEUS_REFRESH);
        return Optional.of(
                new HealthReporterConfig(uris, prefix, interval, nodeId, prometheus, control, mapping, refresh));
    }

    private static String trimmed(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static URI url(String variable, String value) {
        try {
            URI uri = URI.create(value);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    && uri.getHost() != null
                    && uri.getPort() > 0) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(variable + ": " + value + " (expected: http://host:port[/path])");
    }

    /** {@code 5s}, {@code 500ms}, {@code 1m}, or plain seconds ({@code 2.5}). */
    static Duration duration(String variable, String value) {
        String v = value.toLowerCase(Locale.ROOT);
        try {
            if (v.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            if (v.endsWith("s")) {
                return Duration.ofMillis(Math.round(
                        Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 1000));
            }
            if (v.endsWith("m")) {
                return Duration.ofMillis(Math.round(
                        Double.parseDouble(v.substring(0, v.length() - 1).trim()) * 60_000));
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + ": " + value + " (expected: a duration like 5s, 500ms, 1m)");
        }
    }

    private static Map<String, String> mapping(String value) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String pair : value.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            if (kv.length != 2
                    || !KEY.matcher(kv[0].trim()).matches()
                    || !KEY.matcher(kv[1].trim()).matches()) {
                throw new IllegalArgumentException(ROUTE_UPSTREAMS + ": " + pair.trim()
                        + " (expected: comma-separated routes/<id>=upstreams/<id>)");
            }
            map.put(kv[0].trim(), kv[1].trim());
        }
        return map;
    }

    private static String hostname() {
        String env = System.getenv("HOSTNAME");
        if (env != null && NODE.matcher(env).matches()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
