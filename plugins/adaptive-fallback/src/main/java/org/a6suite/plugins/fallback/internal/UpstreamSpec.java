package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an APISIX upstream object the lane uses: nodes, scheme, timeouts. Read from the route's value (lane
 * mode with inline nodes) or from {@code /apisix/upstreams/<id>} in etcd, with APISIX's schema
 * ({@code apisix/schema_def.lua}): {@code nodes} as a map {@code {"host:port": weight}} or an array of
 * {@code {host, port, weight, priority}}; {@code timeout} with {@code connect}, {@code send}, {@code read} in seconds.
 *
 * @param nodes   the nodes; weight 0 is never picked
 * @param scheme  {@code http} or {@code https}; default http
 * @param timeout the upstream's timeouts; nginx's 60 s defaults when absent
 */
public record UpstreamSpec(List<Node> nodes, String scheme, Timeout timeout) {

    /** One node. */
    public record Node(String host, int port, int weight, int priority) {
        public Node {
            requireNonNull(host, "host");
        }

        /** {@code host:port}, brackets around an IPv6 literal: the node key of the health documents. */
        public String hostPort() {
            return (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** nginx's {@code proxy_connect_timeout}, {@code proxy_send_timeout}, {@code proxy_read_timeout}. */
    public record Timeout(Duration connect, Duration send, Duration read) {
        public static final Timeout NGINX_DEFAULT =
                new Timeout(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));

        public Timeout {
            requireNonNull(connect, "connect");
            requireNonNull(send, "send");
            requireNonNull(read, "read");
        }

        /** The longest an attempt can take before nginx would have given up: connect, then read. */
        public Duration attemptCap() {
            return connect.plus(read);
        }
    }

    public UpstreamSpec {
        nodes = List.copyOf(nodes);
        requireNonNull(scheme, "scheme");
        requireNonNull(timeout, "timeout");
    }

    /**
     * Parses an APISIX upstream object.
     *
     * @param path the JSON path for error messages ({@code lane.upstream}, or the etcd key)
     * @throws IllegalArgumentException {@code path.field: value (expected: ...)}
     */
    public static UpstreamSpec parse(String path, JsonNode node) {
        if (node == null || !node.isObject()) {
            throw invalid(path, node, "an APISIX upstream object");
        }
        List<Node> nodes = new ArrayList<>();
        JsonNode n = node.get("nodes");
        if (n != null && n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String key = e.getKey();
                int colon = key.lastIndexOf(':');
                String host = colon > 0 ? key.substring(0, colon) : key;
                int port = colon > 0 ? port(path + ".nodes", key.substring(colon + 1)) : 80;
                nodes.add(new Node(strip(host), port, weight(path + ".nodes." + key, e.getValue()), 0));
            }
        } else if (n != null && n.isArray()) {
            for (JsonNode item : n) {
                if (!item.isObject()
                        || !item.hasNonNull("host")
                        || !item.get("host").isString()) {
                    throw invalid(path + ".nodes", item, "{host, port, weight}");
                }
                JsonNode p = item.get("port");
                int port = p == null || p.isNull() ? 80 : p.isIntegralNumber() ? p.asInt() : -1;
                if (port < 1 || port > 65535) {
                    throw invalid(path + ".nodes.port", p, "1..65535");
                }
                JsonNode prio = item.get("priority");
                nodes.add(new Node(
                        strip(item.get("host").asString()),
                        port,
                        weight(path + ".nodes.weight", item.get("weight")),
                        prio == null || prio.isNull() ? 0 : prio.asInt()));
            }
        } else {
            throw invalid(path + ".nodes", n, "a map of \"host:port\" to weight, or an array of {host, port, weight}");
        }
        if (nodes.isEmpty()) {
            throw invalid(path + ".nodes", n, "at least one node");
        }
        String scheme =
                node.hasNonNull("scheme") ? node.get("scheme").asString().toLowerCase(Locale.ROOT) : "http";
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw invalid(path + ".scheme", scheme, "http or https");
        }
        Timeout timeout = Timeout.NGINX_DEFAULT;
        JsonNode t = node.get("timeout");
        if (t != null && !t.isNull()) {
            timeout = new Timeout(
                    seconds(path + ".timeout.connect", t.get("connect")),
                    seconds(path + ".timeout.send", t.get("send")),
                    seconds(path + ".timeout.read", t.get("read")));
        }
        return new UpstreamSpec(nodes, scheme, timeout);
    }

    private static String strip(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static int port(String path, String text) {
        try {
            int p = Integer.parseInt(text);
            if (p >= 1 && p <= 65535) {
                return p;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw invalid(path, text, "host:port with a port in 1..65535");
    }

    private static int weight(String path, JsonNode w) {
        if (w == null || !w.isIntegralNumber() || !w.canConvertToInt() || w.asInt() < 0) {
            throw invalid(path, w, "an integer weight >= 0");
        }
        return w.asInt();
    }

    private static Duration seconds(String path, JsonNode s) {
        if (s == null || !s.isNumber() || !(s.asDouble() > 0) || s.asDouble() > 86_400) {
            throw invalid(path, s, "seconds > 0 (all three of connect, send, read)");
        }
        return Duration.ofNanos((long) (s.asDouble() * 1e9));
    }

    private static IllegalArgumentException invalid(String path, Object value, String expected) {
        return new IllegalArgumentException(path + ": " + value + " (expected: " + expected + ")");
    }
}
