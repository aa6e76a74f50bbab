package org.a6suite.plugins.fallback;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The example routes in apisix-conf/examples parse, and each route gives both phases the same value. */
class ExampleRoutesTest {

    @Test
    void shouldParseEveryAdaptiveFallbackExampleRoute() throws Exception {
        Path examples = Path.of("../../apisix-conf/examples");
        List<Path> files;
        try (Stream<Path> s = Files.list(examples)) {
            files = s.filter(p -> p.getFileName().toString().startsWith("adaptive-fallback-"))
                    .sorted()
                    .toList();
        }
        assertThat(files).isNotEmpty();
        AdaptiveFallbackPlugin plugin = new AdaptiveFallbackPlugin();
        for (Path file : files) {
            JsonNode route = JsonMapper.builder().build().readTree(Files.readString(file));
            String pre = value(route, "ext-plugin-pre-req");
            String post = value(route, "ext-plugin-post-resp");
            assertThat(pre).as(file.toString()).isEqualTo(post);
            assertThat(plugin.parseConfig(pre)).as(file.toString()).isNotNull();
        }
    }

    private static String value(JsonNode route, String phase) {
        for (JsonNode entry : route.path("plugins").path(phase).path("conf")) {
            if (entry.path("name").asString().equals(AdaptiveFallbackPlugin.NAME)) {
                return entry.path("value").asString();
            }
        }
        throw new AssertionError(phase + " has no adaptive-fallback entry");
    }
}
