package org.a6suite.runner.dist;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The route objects written as {@code json} code blocks of a Markdown page, so the routes the docs show are checked
 * like the shipped ones. A block that is not valid JSON (an excerpt), holds no {@code ext-plugin-*} entry, or shows
 * an entry's value as a placeholder ({@code "<the JSON below, as a string>"}, {@code "{...}"}) is not a complete
 * route and is skipped.
 */
final class MarkdownRoutes {

    private MarkdownRoutes() {}

    static List<CheckConf.Route> find(String markdown, JsonMapper json) {
        List<CheckConf.Route> routes = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().equals("```json")) {
                continue;
            }
            int start = i + 1;
            StringBuilder block = new StringBuilder();
            for (i = start; i < lines.length && !lines[i].strip().equals("```"); i++) {
                block.append(lines[i]).append('\n');
            }
            JsonNode node;
            try {
                node = json.readTree(block.toString());
            } catch (JacksonException e) {
                continue;
            }
            for (CheckConf.Route route : CheckConf.routes(node)) {
                if (hasEntries(route.node())) {
                    routes.add(new CheckConf.Route(route.id() + " (block at line " + (start + 1) + ")", route.node()));
                }
            }
        }
        return routes;
    }

    private static boolean hasEntries(JsonNode route) {
        boolean any = false;
        for (String phase : CheckConf.PHASES) {
            for (JsonNode entry : route.path("plugins").path(phase).path("conf")) {
                String value = entry.path("value").asString("");
                if (value.startsWith("<") || value.contains("...")) {
                    return false;
                }
                any = true;
            }
        }
        return any;
    }
}
