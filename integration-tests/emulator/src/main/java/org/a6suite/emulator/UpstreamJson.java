package org.a6suite.emulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import tools.jackson.databind.JsonNode;

/**
 * Reads APISIX's upstream JSON (the value stored at {@code /apisix/upstreams/<id>}, or a route's inline
 * {@code upstream}) and its {@code timeout} object, with the schema's rules: nodes as a {@code "host:port": weight} map
 * or an array of {@code {host, port, weight, priority}}; timeouts in seconds, fractional allowed, all three required
 * when {@code timeout} is present. Errors name the field.
 */
final class UpstreamJson {

    private UpstreamJson() {}

    static EmulatorUpstream upstream(JsonNode node, String field) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(field + ": " + node + " (expected: an object with nodes)");
        }
        String type = node.path("type").asString("roundrobin");
        if (!type.equals("roundrobin")) {
            // chash, ewma and least_conn pick differently; running them as round robin would mislead a test.
            throw new IllegalArgumentException(field + ".type: " + type + " (expected: roundrobin, the only balancer "
                    + "the emulator implements)");
        }
        List<EmulatorUpstream.Node> nodes = new ArrayList<>();
        JsonNode n = node.path("nodes");
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                String hostPort = e.getKey();
                int colon = hostPort.lastIndexOf(':');
                int weight = weight(e.getValue(), field + ".nodes." + hostPort);
                if (colon < 0) {
                    nodes.add(new EmulatorUpstream.Node(hostPort, 80, weight));
                } else {
                    nodes.add(new EmulatorUpstream.Node(
                            hostPort.substring(0, colon),
                            port(field, hostPort, hostPort.substring(colon + 1)),
                            weight));
                }
            }
        } else if (n.isArray()) {
            int i = 0;
            for (JsonNode e : n.values()) {
                String f = field + ".nodes[" + i++ + "]";
                JsonNode host = e.path("host");
                if (!host.isString()) {
                    throw new IllegalArgumentException(f + ".host: " + host + " (expected: a string)");
                }
                nodes.add(new EmulatorUpstream.Node(
                        host.asString(),
                        e.path("port").asInt(80),
                        e.has("weight") ? weight(e.path("weight"), f + ".weight") : 1,
                        e.path("priority").asInt(0)));
            }
        } else {
            throw new IllegalArgumentException(field + ".nodes: " + n + " (expected: a map or an array)");
        }
        EmulatorUpstream.Timeout timeout = node.has("timeout")
                ? timeout(node.path("timeout"), field + ".timeout")
                : EmulatorUpstream.Timeout.DEFAULT;
        OptionalInt retries = OptionalInt.empty();
        if (node.has("retries")) {
            JsonNode r = node.path("retries");
            if (!r.isIntegralNumber() || r.asInt() < 0) {
                throw new IllegalArgumentException(field + ".retries: " + r + " (expected: an integer >= 0)");
            }
            retries = OptionalInt.of(r.asInt());
        }
        Duration retryTimeout = Duration.ZERO;
        if (node.has("retry_timeout")) {
            JsonNode r = node.path("retry_timeout");
            if (!r.isNumber() || r.asDouble() < 0) {
                throw new IllegalArgumentException(field + ".retry_timeout: " + r + " (expected: a number >= 0)");
            }
            retryTimeout = seconds(r.asDouble());
        }
        return new EmulatorUpstream(
                nodes, timeout, retries, retryTimeout, node.path("checks").isObject());
    }

    /** APISIX's {@code timeout {connect, send, read}}: seconds, > 0, all three required. */
    static EmulatorUpstream.Timeout timeout(JsonNode node, String field) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(field + ": " + node + " (expected: {connect, send, read} in seconds)");
        }
        return new EmulatorUpstream.Timeout(
                second(node, "connect", field), second(node, "send", field), second(node, "read", field));
    }

    private static Duration second(JsonNode timeout, String name, String field) {
        JsonNode v = timeout.path(name);
        if (!v.isNumber() || v.asDouble() <= 0) {
            throw new IllegalArgumentException(field + "." + name + ": " + v + " (expected: seconds > 0)");
        }
        return seconds(v.asDouble());
    }

    private static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1_000_000_000d));
    }

    private static int weight(JsonNode v, String field) {
        if (!v.isIntegralNumber() || v.asInt() < 0) {
            throw new IllegalArgumentException(field + ": " + v + " (expected: an integer weight >= 0)");
        }
        return v.asInt();
    }

    private static int port(String field, String hostPort, String port) {
        try {
            return Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + ".nodes: " + hostPort + " (expected: host:port)", e);
        }
    }
}
