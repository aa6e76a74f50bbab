package org.a6suite.ai;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.a6suite.plugin.PluginConfigException;

/**
 * Coverage-guided fuzzing of ai-gateway's route configuration parser: any value parses or is refused with a
 * {@link PluginConfigException}; any other exception is a finding.
 */
class ConfigParserFuzzTest {

    private static final AiGatewayPlugin PLUGIN = new AiGatewayPlugin();

    @FuzzTest(maxDuration = "15s")
    void shouldParseAnyValueOrRefuseItWithAConfigError(String value) {
        try {
            PLUGIN.parseConfig(value);
        } catch (PluginConfigException expected) {
            // the documented refusal
        }
    }
}
