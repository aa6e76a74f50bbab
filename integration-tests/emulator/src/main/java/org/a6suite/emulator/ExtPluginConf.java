package org.a6suite.emulator;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * The configuration of one ext-plugin on a route ({@code ext-plugin-pre-req}, {@code ext-plugin-post-req} or
 * {@code ext-plugin-post-resp}): {@code {"conf": [{"name", "value"}], "allow_degradation": false}} (transcripts README §6).
 * Part of the APISIX emulator, a TEST AND DEVELOPMENT FIXTURE that is never shipped as a gateway.
 *
 * @param conf              the {@code conf} list in order; empty when the route gave none, in which case the
 *                          PrepareConf carries no conf at all (transcript s15)
 * @param allowDegradation  when the runner fails, pass the request through unchanged instead of answering 503
 */
public record ExtPluginConf(List<Entry> conf, boolean allowDegradation) {

    public ExtPluginConf {
        conf = List.copyOf(requireNonNull(conf, "conf"));
    }

    /** A plugin with these conf entries and {@code allow_degradation: false}. */
    public static ExtPluginConf of(Entry... entries) {
        return new ExtPluginConf(List.of(entries), false);
    }

    /** The same conf with {@code allow_degradation} set. */
    public ExtPluginConf withAllowDegradation(boolean allow) {
        return new ExtPluginConf(conf, allow);
    }

    /**
     * One {@code {"name", "value"}} entry; the name is 1..128 characters as APISIX's schema requires.
     */
    public record Entry(String name, String value) {
        public Entry {
            requireNonNull(name, "name");
            requireNonNull(value, "value");
            if (name.isEmpty() || name.length() > 128) {
                throw new IllegalArgumentException("name: " + name + " (expected: 1..128 characters)");
            }
        }

        public static Entry of(String name, String value) {
            return new Entry(name, value);
        }
    }

    /** The plugin phases APISIX runs through the runner, with their plugin names. */
    public enum Phase {
        /** Rewrite phase, priority 12000: before auth and proxy-rewrite. */
        PRE_REQ("ext-plugin-pre-req"),
        /** Access phase, priority -3000. */
        POST_REQ("ext-plugin-post-req"),
        /** before_proxy, priority -4000: APISIX fetches the upstream itself, then sends HTTPRespCall. */
        POST_RESP("ext-plugin-post-resp");

        private final String pluginName;

        Phase(String pluginName) {
            this.pluginName = pluginName;
        }

        public String pluginName() {
            return pluginName;
        }

        public static Optional<Phase> ofPluginName(String name) {
            for (Phase p : values()) {
                if (p.pluginName.equals(name)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }
}
