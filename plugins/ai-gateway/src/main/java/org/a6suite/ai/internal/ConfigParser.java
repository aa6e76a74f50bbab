package org.a6suite.ai.internal;

import java.util.regex.Pattern;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.config.ConfigBinder;
import org.a6suite.plugin.PluginConfigException;

/**
 * Reads a route's value into an {@link AiGatewayConfig}: {@code schemas/ai-gateway.json} checks types, ranges and
 * unknown fields (every problem in one message), the records' constructors check the rest.
 */
public final class ConfigParser {

    /** A template variable: {@code {{name}}}, spaces allowed inside the braces. */
    public static final Pattern VARIABLE = Pattern.compile("\\{\\{\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*}}");

    private static final ConfigBinder<AiGatewayConfig> BINDER = ConfigBinder.of(
                    AiGatewayConfig.class, "ai-gateway.json")
            .blankRefused("a JSON object with at least \"targets\"");

    private ConfigParser() {}

    public static AiGatewayConfig parse(String value) throws PluginConfigException {
        return BINDER.bind(value);
    }

    /** The binder (and through it the schema), for tools that check routes. */
    public static ConfigBinder<AiGatewayConfig> binder() {
        return BINDER;
    }
}
