package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;

/**
 * A route's upstream: weighted nodes and the nginx proxy timeouts. Part of the APISIX emulator, a TEST AND DEVELOPMENT
 * FIXTURE that is never shipped as a gateway.
 *
 * @param nodes   at least one node; nodes with weight 0 are never picked
 * @param timeout connect/send/read timeouts of the proxied call (APISIX's {@code timeout}, default 60 s each)
 */
public record EmulatorUpstream(List<Node> nodes, Timeout timeout) {

    public EmulatorUpstream {
        nodes = List.copyOf(requireNonNull(nodes, "nodes"));
        requireNonNull(timeout, "timeout");
        if (nodes.stream().noneMatch(n -> n.weight() > 0)) {
            throw new IllegalArgumentException("nodes: " + nodes + " (expected: at least one node with weight > 0)");
        }
    }

    /** One node {@code host:port} with weight 1 and the default timeouts. */
    public static EmulatorUpstream of(String host, int port) {
        return new EmulatorUpstream(List.of(new Node(host, port, 1)), Timeout.DEFAULT);
    }

    /** A node; {@code host} is an IP literal or a name resolvable on this machine. */
    public record Node(String host, int port, int weight) {
        public Node {
            requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            }
            if (weight < 0) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
            }
        }

        /** {@code host:port}, the form of APISIX's {@code nodes} map keys. */
        public String hostPort() {
            return host + ":" + port;
        }
    }

    /** nginx's proxy_connect/send/read_timeout for this upstream. */
    public record Timeout(Duration connect, Duration send, Duration read) {
        /** 60 s each, nginx's defaults. */
        public static final Timeout DEFAULT = new Timeout(Duration.ofSeconds(60), Duration.ofSeconds(60),
                Duration.ofSeconds(60));

        public Timeout {
            check("connect", connect);
            check("send", send);
            check("read", read);
        }

        private static void check(String name, Duration d) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
            }
        }
    }
}
