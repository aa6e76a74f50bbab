package org.a6suite.mcp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.a6suite.plugin.PluginConfigException;

/**
 * Coverage-guided fuzzing of mcp-gateway's route configuration parser: any value parses or is refused with a
 * {@link PluginConfigException}; any other exception is a finding.
 */
class ConfigParserFuzzTest {

    private static final McpGatewayPlugin PLUGIN = new McpGatewayPlugin();

    @FuzzTest(maxDuration = "15s")
    void shouldParseAnyValueOrRefuseItWithAConfigError(String value) {
        try {
            PLUGIN.parseConfig(value == null ? "" : value);
        } catch (PluginConfigException expected) {
            // the documented refusal
        }
    }
}
