package org.a6suite.plugins.fallback.internal;

import org.a6suite.config.ConfigBinder;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugins.fallback.FallbackConfig;

/**
 * Reads a route's value into a {@link FallbackConfig}: {@code schemas/adaptive-fallback.json} checks types, ranges
 * and unknown fields (every problem in one message), {@link FallbackValue#toConfig()} the rest. A blank value means
 * every default.
 */
public final class ConfigParser {

    private static final ConfigBinder<FallbackValue> BINDER =
            ConfigBinder.of(FallbackValue.class, "adaptive-fallback.json");

    private ConfigParser() {}

    public static FallbackConfig parse(String value) throws PluginConfigException {
        return BINDER.bind(value, FallbackValue::toConfig);
    }

    /** The binder (and through it the schema), for tools that check routes. */
    public static ConfigBinder<FallbackValue> binder() {
        return BINDER;
    }
}
