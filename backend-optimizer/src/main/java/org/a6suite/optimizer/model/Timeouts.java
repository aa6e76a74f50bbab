package org.a6suite.optimizer.model;

/**
 * An APISIX upstream {@code timeout} object: seconds, all three &gt; 0, fractional allowed.
 */
public record Timeouts(double connect, double send, double read) {

    /** nginx's defaults, in force when an upstream has no {@code timeout}. */
    public static final Timeouts NGINX_DEFAULTS = new Timeouts(60, 60, 60);

    public Timeouts {
        check("timeout.connect", connect);
        check("timeout.send", send);
        check("timeout.read", read);
    }

    private static void check(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: a finite number of seconds > 0)");
        }
    }
}
