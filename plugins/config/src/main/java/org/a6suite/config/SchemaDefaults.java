package org.a6suite.config;

import java.net.URI;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fills a schema's {@code default}s into an instance. The validator only reports; binding wants every defaulted field
 * present, and keeping the defaults in the schema keeps them in one place, the one the docs render.
 *
 * <p>Follows {@code properties}, {@code items}, {@code allOf} and {@code $ref}; defaults under {@code anyOf},
 * {@code oneOf} or conditionals are not applied (the suite's schemas put none there).
 */
final class SchemaDefaults {

    private final ConfigSchema schema;

    SchemaDefaults(ConfigSchema schema) {
        this.schema = schema;
    }

    void fill(JsonNode instance, JsonNode node, URI base) {
        if (node == null || !node.isObject()) {
            return;
        }
        URI here = node.has("$id") ? base.resolve(node.get("$id").asString()) : base;
        if (node.has("$ref")) {
            Resolved target = resolve(here, node.get("$ref").asString());
            fill(instance, target.node(), target.base());
        }
        for (JsonNode sub : node.path("allOf")) {
            fill(instance, sub, here);
        }
        if (instance instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> property : node.path("properties").properties()) {
                JsonNode current = object.get(property.getKey());
                if (current == null) {
                    JsonNode dflt = defaultOf(property.getValue(), here);
                    if (dflt != null) {
                        object.set(property.getKey(), dflt.deepCopy());
                        current = object.get(property.getKey());
                    }
                }
                if (current != null) {
                    fill(current, property.getValue(), here);
                }
            }
        }
        if (instance.isArray() && node.has("items")) {
            for (JsonNode item : instance) {
                fill(item, node.get("items"), here);
            }
        }
    }

    private JsonNode defaultOf(JsonNode node, URI base) {
        if (node.has("default")) {
            return node.get("default");
        }
        if (node.has("$ref")) {
            Resolved target = resolve(base, node.get("$ref").asString());
            return target.node() == null ? null : defaultOf(target.node(), target.base());
        }
        return null;
    }

    Resolved resolve(URI base, String ref) {
        URI uri = base.resolve(ref);
        String fragment = uri.getFragment() == null ? "" : uri.getFragment();
        String document = uri.toString();
        int hash = document.indexOf('#');
        if (hash >= 0) {
            document = document.substring(0, hash);
        }
        JsonNode target = schema.node(document, fragment)
                .orElseThrow(() -> new IllegalStateException("unresolvable $ref " + ref + " from " + base));
        return new Resolved(target, URI.create(document));
    }

    record Resolved(JsonNode node, URI base) {}
}
