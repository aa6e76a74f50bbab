package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.function.Function;
import org.a6suite.config.ConfigBinder;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.databind.ObjectMapper;

/**
 * Reads a route's value into an {@link McpGatewayConfig}: {@code schemas/mcp-gateway.json} checks types, ranges,
 * patterns and unknown fields (every problem in one message, {@code path: value (expected: ...)}), then
 * {@link ConfigRules} resolves secrets, compiles tools and checks the rules that span fields.
 */
public final class ConfigParser {

    private static final ConfigBinder<McpGatewayValue> BINDER = ConfigBinder.of(
                    McpGatewayValue.class, "mcp-gateway.json")
            .blankRefused("a JSON object with at least \"session\" and one of tools, openapi, upstreams, resources or "
                    + "prompts");

    private final ConfigRules rules;

    /**
     * @param mapper reads OpenAPI documents and builds schemas
     * @param env    resolves environment variables (the runner's {@code PluginEnvironment.getenv})
     */
    public ConfigParser(ObjectMapper mapper, Function<String, Optional<String>> env) {
        this.rules = new ConfigRules(requireNonNull(mapper, "mapper"), new Secrets(env));
    }

    public McpGatewayConfig parse(String value) throws PluginConfigException {
        return rules.toConfig(BINDER.bind(value));
    }

    /** The binder (and through it the schema), for tools that check routes. */
    public static ConfigBinder<McpGatewayValue> binder() {
        return BINDER;
    }
}
