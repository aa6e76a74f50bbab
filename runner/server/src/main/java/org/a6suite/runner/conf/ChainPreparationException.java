package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A PrepareConf cannot be honoured: a plugin name is unknown or a plugin rejected its value. The runner fails
 * closed (Err BAD_REQUEST, so APISIX answers 503) instead of serving the route with part of its chain. The message
 * is safe to log: values of secret-looking fields are withheld.
 */
public final class ChainPreparationException extends Exception {

    private final Optional<String> routeKey;
    private final String plugin;
    private final String field;

    public ChainPreparationException(Optional<String> routeKey, String plugin, String field, String detail) {
        super(
                "route " + requireNonNull(routeKey, "routeKey").orElse("<no key>") + ", plugin "
                        + requireNonNull(plugin, "plugin") + ", field " + requireNonNull(field, "field") + ": "
                        + requireNonNull(detail, "detail"),
                null,
                false,
                false);
        this.routeKey = routeKey;
        this.plugin = plugin;
        this.field = field;
    }

    public Optional<String> routeKey() {
        return routeKey;
    }

    public String plugin() {
        return plugin;
    }

    public String field() {
        return field;
    }
}
