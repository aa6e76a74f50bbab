package org.a6suite.mcp;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.a6suite.plugin.PluginConfigException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeepJsonTest {

    private final McpGatewayPlugin plugin = new McpGatewayPlugin();

    @ParameterizedTest
    @ValueSource(ints = {200, 5_000})
    void shouldRefuseDeeplyNestedConfigurationWithAConfigErrorNotACrash(int depth) {
        String value = "{\"tools\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        assertThatThrownBy(() -> plugin.parseConfig(value)).isInstanceOf(PluginConfigException.class);
    }
}
