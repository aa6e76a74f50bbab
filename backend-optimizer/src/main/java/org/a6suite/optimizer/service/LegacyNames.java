package org.a6suite.optimizer.service;

import java.util.ArrayList;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the optimizer's own etcd documents written before its JSON became snake_case: decisions stored as
 * {@code {"atMs": ..., "modRevisionBefore": ...}} and policies stored as {@code {"readFactor": 3}} are renamed to
 * {@code at_ms}, {@code mod_revision_before}, {@code read_factor} when read, so an upgrade keeps the history and the
 * operators' policies. Only this reading path renames: the API refuses camelCase input.
 *
 * <p>A key is renamed only when it looks like a Java identifier in camelCase; map keys such as node addresses
 * ({@code 10.0.0.1:80}) and upstream keys ({@code upstreams/1}) never do.
 */
final class LegacyNames {

    private static final Pattern CAMEL = Pattern.compile("[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+");

    private LegacyNames() {}

    /** {@code node} with every camelCase object key renamed to snake_case, in place; returns it. */
    static JsonNode toSnakeCase(JsonNode node) {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> e : new ArrayList<>(object.properties())) {
                toSnakeCase(e.getValue());
                String key = e.getKey();
                if (CAMEL.matcher(key).matches()) {
                    String snake = key.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
                    object.remove(key);
                    if (!object.has(snake)) {
                        object.set(snake, e.getValue());
                    }
                }
            }
        } else if (node instanceof ArrayNode array) {
            array.forEach(LegacyNames::toSnakeCase);
        }
        return node;
    }
}
