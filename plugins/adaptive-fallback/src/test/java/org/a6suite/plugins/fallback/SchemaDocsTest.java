package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The schema printed in the plugin's docs page is the one shipped in its jar. */
class SchemaDocsTest {

    @Test
    void shouldPrintTheShippedSchemaInTheDocs() throws Exception {
        String page = Files.readString(Path.of("../../docs/plugins/adaptive-fallback.md"));
        int section = page.indexOf("## JSON Schema");
        assertThat(section).isPositive();
        int start = page.indexOf("```json\n", section) + "```json\n".length();
        String printed = page.substring(start, page.indexOf("```", start));
        try (var shipped = getClass().getClassLoader().getResourceAsStream("schemas/adaptive-fallback.json")) {
            assertThat(shipped).isNotNull();
            var json = JsonMapper.builder().build();
            assertThat(json.readTree(printed)).isEqualTo(json.readTree(shipped));
        }
    }
}
