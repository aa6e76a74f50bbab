package org.a6suite.emulator.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.a6suite.emulator.EmulatorUpstream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Passive health checks of upstreams that have {@code checks}, with APISIX's passive defaults
 * (lua-resty-healthcheck): healthy again after 5 successes (statuses 200-399); unhealthy after 5 HTTP failures
 * (statuses 429, 500, 503), 2 TCP failures or 7 timeouts. A success clears the failure counters and a failure the
 * success counter. State is kept per upstream name and node across versions (APISIX >= 3.14 keeps it when only nodes
 * change). Active probes are not emulated. Thread-safe.
 */
public final class PassiveHealth {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int HEALTHY_SUCCESSES = 5;
    private static final int HTTP_FAILURES = 5;
    private static final int TCP_FAILURES = 2;
    private static final int TIMEOUTS = 7;
    private static final Set<Integer> UNHEALTHY_STATUSES = Set.of(429, 500, 503);

    /** What one try gave. */
    public enum Outcome {
        RESPONSE,
        TCP_FAILURE,
        TIMEOUT
    }

    private final Map<String, Map<String, NodeState>> upstreams = new ConcurrentHashMap<>();

    private static final class NodeState {
        final String ip;
        final int port;
        boolean healthy = true;
        int success;
        int httpFailure;
        int tcpFailure;
        int timeoutFailure;

        NodeState(String ip, int port) {
            this.ip = ip;
            this.port = port;
        }

        synchronized void record(Outcome outcome, int status) {
            boolean failure = switch (outcome) {
                case RESPONSE -> {
                    if (UNHEALTHY_STATUSES.contains(status)) {
                        httpFailure++;
                        yield true;
                    }
                    if (status < 200 || status > 399) {
                        yield false; // neither healthy nor unhealthy status: not counted
                    }
                    success++;
                    httpFailure = tcpFailure = timeoutFailure = 0;
                    if (!healthy && success >= HEALTHY_SUCCESSES) {
                        healthy = true;
                    }
                    yield false;
                }
                case TCP_FAILURE -> {
                    tcpFailure++;
                    yield true;
                }
                case TIMEOUT -> {
                    timeoutFailure++;
                    yield true;
                }
            };
            if (failure) {
                success = 0;
                if (httpFailure >= HTTP_FAILURES || tcpFailure >= TCP_FAILURES || timeoutFailure >= TIMEOUTS) {
                    healthy = false;
                }
            }
        }

        synchronized boolean isHealthy() {
            return healthy;
        }

        synchronized String status() {
            boolean failures = httpFailure + tcpFailure + timeoutFailure > 0;
            if (healthy) {
                return failures ? "mostly_healthy" : "healthy";
            }
            return success > 0 ? "mostly_unhealthy" : "unhealthy";
        }
    }

    private NodeState state(String upstreamName, EmulatorUpstream.Node node) {
        return upstreams
                .computeIfAbsent(upstreamName, k -> new ConcurrentHashMap<>())
                .computeIfAbsent(node.hostPort(), k -> new NodeState(node.host(), node.port()));
    }

    public void record(String upstreamName, EmulatorUpstream.Node node, Outcome outcome, int status) {
        state(upstreamName, node).record(outcome, status);
    }

    /** Nodes to skip: the unhealthy ones, unless no healthy node would be left (then APISIX uses them all). */
    public Set<EmulatorUpstream.Node> unhealthy(String upstreamName, List<EmulatorUpstream.Node> nodes) {
        Map<String, NodeState> states = upstreams.get(upstreamName);
        if (states == null) {
            return Set.of();
        }
        Set<EmulatorUpstream.Node> down = nodes.stream()
                .filter(n -> {
                    NodeState s = states.get(n.hostPort());
                    return s != null && !s.isHealthy();
                })
                .collect(Collectors.toSet());
        return down.size() == nodes.stream().filter(n -> n.weight() > 0).count() ? Set.of() : down;
    }

    /** The Control API's {@code GET /v1/healthcheck} body. */
    public String render() {
        ArrayNode root = JSON.createArrayNode();
        List<String> names = new ArrayList<>(upstreams.keySet());
        names.sort(null);
        for (String name : names) {
            ObjectNode u = root.addObject();
            u.put("name", name);
            u.put("type", "http");
            ArrayNode nodes = u.putArray("nodes");
            List<NodeState> states = new ArrayList<>(upstreams.get(name).values());
            states.sort((a, b) -> (a.ip + ":" + a.port).compareTo(b.ip + ":" + b.port));
            for (NodeState s : states) {
                synchronized (s) {
                    ObjectNode n = nodes.addObject();
                    n.put("ip", s.ip);
                    n.put("port", s.port);
                    n.put("status", s.status());
                    ObjectNode c = n.putObject("counter");
                    c.put("success", s.success);
                    c.put("http_failure", s.httpFailure);
                    c.put("tcp_failure", s.tcpFailure);
                    c.put("timeout_failure", s.timeoutFailure);
                }
            }
        }
        return JSON.writeValueAsString(root);
    }
}
