package org.a6suite.plugins.fallback;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugins.fallback.internal.ConfigParser;

/**
 * Coverage-guided fuzzing of the route configuration parser: any value either parses or is refused with a
 * {@link PluginConfigException} (which fails APISIX's PrepareConf with a message); any other exception is a finding.
 */
class ConfigParserFuzzTest {

    @FuzzTest(maxDuration = "15s")
    void shouldParseAnyValueOrRefuseItWithAConfigError(String value) {
        try {
            ConfigParser.parse(value);
        } catch (PluginConfigException expected) {
            // the documented refusal
        }
    }
}
