package org.a6suite.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The schema printed in the plugin's docs page is the one shipped in its jar. */
class SchemaDocsTest {

    @Test
    void shouldPrintTheShippedSchemaInTheDocs() throws Exception {
        String page = Files.readString(Path.of("../../docs/plugins/mcp-gateway.md"));
        int section = page.indexOf("## JSON Schema");
        assertThat(section).isPositive();
        int start = page.indexOf("```json\n", section) + "```json\n".length();
        String printed = page.substring(start, page.indexOf("```", start));
        try (var shipped = getClass().getClassLoader().getResourceAsStream("schemas/mcp-gateway.json")) {
            assertThat(shipped).isNotNull();
            var json = JsonMapper.builder().build();
            assertThat(json.readTree(printed)).isEqualTo(json.readTree(shipped));
        }
    }

    @Test
    void shouldDocumentEveryFieldOfTheSchemaInTheReference() throws Exception {
        String page = Files.readString(Path.of("../../docs/plugins/mcp-gateway.md"));
        String reference = page.substring(page.indexOf("## Configuration reference"), page.indexOf("## Sessions"));
        var json = JsonMapper.builder().build();
        JsonNode schema;
        try (var shipped = getClass().getClassLoader().getResourceAsStream("schemas/mcp-gateway.json")) {
            schema = json.readTree(shipped);
        }
        Set<String> names = new TreeSet<>();
        collect(schema, names);
        assertThat(names)
                .isNotEmpty()
                .allSatisfy(name -> assertThat(reference)
                        .as("the reference tables name %s", name)
                        .containsPattern("`([A-Za-z_\\[\\]]+\\.)*" + name + "(\\[])?(\\.[A-Za-z_\\[\\]]+)*`"));
    }

    private static void collect(JsonNode node, Set<String> names) {
        if (node.isObject()) {
            node.path("properties").propertyNames().forEach(names::add);
            node.forEach(child -> collect(child, names));
        } else if (node.isArray()) {
            node.forEach(child -> collect(child, names));
        }
    }
}
