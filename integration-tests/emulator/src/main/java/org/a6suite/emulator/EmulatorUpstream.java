package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/**
 * A route's upstream as APISIX's upstream schema describes it: weighted, prioritised nodes, the nginx proxy timeouts,
 * {@code retries} and {@code retry_timeout}. Part of the APISIX emulator, a TEST AND DEVELOPMENT FIXTURE that is never
 * shipped as a gateway.
 *
 * @param nodes        the nodes; weight 0 nodes are never picked; an empty list (or all weights 0) answers 502
 *                     ("no valid upstream node"), as APISIX does for an upstream with nothing to pick
 * @param timeout      connect/send/read timeouts of the proxied call (APISIX's {@code timeout}, default 60 s each)
 * @param retries      how many other nodes to try after a failed attempt; empty means APISIX's default, the number of
 *                     nodes minus one
 * @param retryTimeout nginx's {@code proxy_next_upstream_timeout}: no new try once this much time has passed since the
 *                     first; {@link Duration#ZERO} turns the limit off (APISIX's {@code retry_timeout}, default 0)
 * @param checks       the upstream has {@code checks}: its nodes are checked passively with APISIX's defaults,
 *                     unhealthy nodes are skipped while a healthy one is left, and the Control API lists them
 */
public record EmulatorUpstream(
        List<Node> nodes, Timeout timeout, OptionalInt retries, Duration retryTimeout, boolean checks) {

    public EmulatorUpstream {
        nodes = List.copyOf(requireNonNull(nodes, "nodes"));
        requireNonNull(timeout, "timeout");
        requireNonNull(retries, "retries");
        requireNonNull(retryTimeout, "retryTimeout");
        if (retries.isPresent() && retries.getAsInt() < 0) {
            throw new IllegalArgumentException("retries: " + retries.getAsInt() + " (expected: >= 0)");
        }
        if (retryTimeout.isNegative()) {
            throw new IllegalArgumentException("retry_timeout: " + retryTimeout + " (expected: >= 0)");
        }
    }

    /** Nodes and timeouts with APISIX's default retries (nodes - 1), no retry timeout and no health checks. */
    public EmulatorUpstream(List<Node> nodes, Timeout timeout) {
        this(nodes, timeout, OptionalInt.empty(), Duration.ZERO, false);
    }

    /** As the canonical constructor, without health checks. */
    public EmulatorUpstream(List<Node> nodes, Timeout timeout, OptionalInt retries, Duration retryTimeout) {
        this(nodes, timeout, retries, retryTimeout, false);
    }

    /** One node {@code host:port} with weight 1 and the default timeouts. */
    public static EmulatorUpstream of(String host, int port) {
        return new EmulatorUpstream(List.of(new Node(host, port, 1)), Timeout.DEFAULT);
    }

    /** The same upstream with other timeouts (a route-level {@code timeout} overrides the upstream's). */
    public EmulatorUpstream withTimeout(Timeout newTimeout) {
        return new EmulatorUpstream(nodes, newTimeout, retries, retryTimeout, checks);
    }

    /** Tries allowed per request: 1 + {@code retries}, or 1 + (nodes - 1) when {@code retries} is absent. */
    public int maxTries() {
        return 1 + retries.orElse(Math.max(0, nodes.size() - 1));
    }

    /**
     * A node; {@code host} is an IP literal or a name resolvable on this machine. {@code priority} defaults to 0; nodes
     * of a lower priority are used only when every node of a higher priority has failed for this request.
     */
    public record Node(String host, int port, int weight, int priority) {
        public Node {
            requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
            }
            if (weight < 0) {
                throw new IllegalArgumentException("weight: " + weight + " (expected: >= 0)");
            }
        }

        /** A node of priority 0. */
        public Node(String host, int port, int weight) {
            this(host, port, weight, 0);
        }

        /** {@code host:port}, the form of APISIX's {@code nodes} map keys. */
        public String hostPort() {
            return host + ":" + port;
        }
    }

    /** nginx's proxy_connect/send/read_timeout for this upstream. */
    public record Timeout(Duration connect, Duration send, Duration read) {
        /** 60 s each, nginx's defaults. */
        public static final Timeout DEFAULT =
                new Timeout(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(60));

        public Timeout {
            check("connect", connect);
            check("send", send);
            check("read", read);
        }

        private static void check(String name, Duration d) {
            requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeout." + name + ": " + d + " (expected: > 0)");
            }
        }
    }
}
