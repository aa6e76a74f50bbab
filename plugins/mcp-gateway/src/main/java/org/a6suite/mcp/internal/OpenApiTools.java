package org.a6suite.mcp.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * Generates REST tools from an OpenAPI 3 document (JSON or YAML), one per operation with an {@code operationId}.
 * Path, query and header parameters become arguments; a JSON request body becomes the argument {@code body}; the
 * JSON schema of the 200/201 response becomes the tool's {@code outputSchema} when it is an object schema. OpenAPI 3.0
 * schemas are translated to JSON Schema 2020-12 ({@link JsonSchemas#fromOpenApi30}). Local
 * {@code #/components/...} references are inlined; any other reference is refused. The document's {@code servers}
 * are ignored: calls always go to the named backend's base URL, so a document cannot widen what the gateway contacts.
 */
final class OpenApiTools {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final int MAX_REF_DEPTH = 16;

    private final ToolRules rules;
    private final ObjectMapper mapper;

    OpenApiTools(ToolRules rules, ObjectMapper mapper) {
        this.rules = rules;
        this.mapper = mapper;
    }

    List<LocalTool> generate(McpGatewayValue.OpenApi spec, String field) throws PluginConfigException {
        String file = spec.file();
        String backend = spec.backend();
        String prefix = spec.prefix();
        Set<String> only = Set.copyOf(spec.operations());
        JsonNode doc;
        try {
            byte[] bytes = Files.readAllBytes(Path.of(file));
            String lower = file.toLowerCase(Locale.ROOT);
            ObjectMapper reader = lower.endsWith(".yaml") || lower.endsWith(".yml") ? new YAMLMapper() : mapper;
            doc = reader.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw PluginConfigException.invalid(field + ".file", file, "a readable OpenAPI 3 document (JSON or YAML)");
        }
        if (!doc.path("openapi").asString("").startsWith("3.")) {
            throw PluginConfigException.invalid(field + ".file", file, "an OpenAPI 3.x document");
        }
        List<LocalTool> tools = new ArrayList<>();
        for (var pathEntry : doc.path("paths").properties()) {
            String path = pathEntry.getKey();
            JsonNode item = pathEntry.getValue();
            for (var opEntry : item.properties()) {
                String method = opEntry.getKey();
                JsonNode op = opEntry.getValue();
                String operationId = op.path("operationId").asString("");
                if (!METHODS.contains(method)
                        || operationId.isEmpty()
                        || (!only.isEmpty() && !only.contains(operationId))) {
                    continue;
                }
                String opField = field + ".paths." + path + "." + method;
                tools.add(tool(doc, opField, prefix + operationId, op, item, method, path, backend));
            }
        }
        for (String wanted : only) {
            if (tools.stream().noneMatch(t -> t.name().equals(prefix + wanted))) {
                throw PluginConfigException.invalid(field + ".operations", wanted, "an operationId in " + file);
            }
        }
        return tools;
    }

    private LocalTool tool(
            JsonNode doc,
            String field,
            String name,
            JsonNode op,
            JsonNode item,
            String method,
            String path,
            String backend)
            throws PluginConfigException {
        ObjectNode input = mapper.createObjectNode();
        input.put("type", "object");
        ObjectNode props = input.putObject("properties");
        ArrayNode required = mapper.createArrayNode();
        Map<String, LocalTool.ArgBinding> args = new LinkedHashMap<>();
        List<JsonNode> params = new ArrayList<>();
        item.path("parameters").forEach(params::add);
        op.path("parameters").forEach(params::add);
        for (JsonNode raw : params) {
            JsonNode p = resolve(doc, raw, field, 0);
            String pname = p.path("name").asString("");
            String in = p.path("in").asString("");
            LocalTool.ArgBinding.In where = switch (in) {
                case "path" -> LocalTool.ArgBinding.In.PATH;
                case "query" -> LocalTool.ArgBinding.In.QUERY;
                case "header" -> LocalTool.ArgBinding.In.HEADER;
                default -> null;
            };
            if (where == null || pname.isEmpty()) {
                continue; // cookie parameters are never sent
            }
            ObjectNode schema = p.has("schema") && p.get("schema").isObject()
                    ? (ObjectNode) schema(doc, p.get("schema"), field)
                    : mapper.createObjectNode().put("type", "string");
            if (p.has("description") && !schema.has("description")) {
                schema.put("description", p.path("description").asString(""));
            }
            props.set(pname, schema);
            if (p.path("required").asBoolean(false) || where == LocalTool.ArgBinding.In.PATH) {
                required.add(pname);
            }
            args.put(
                    pname,
                    new LocalTool.ArgBinding(
                            where, where == LocalTool.ArgBinding.In.HEADER ? pname.toLowerCase(Locale.ROOT) : pname));
        }
        JsonNode body = resolve(doc, op.path("requestBody"), field, 0);
        JsonNode bodySchema = body.path("content").path("application/json").path("schema");
        if (!bodySchema.isMissingNode()) {
            props.set("body", schema(doc, bodySchema, field));
            if (body.path("required").asBoolean(false)) {
                required.add("body");
            }
            args.put("body", new LocalTool.ArgBinding(LocalTool.ArgBinding.In.BODY, "body"));
        }
        if (!required.isEmpty()) {
            input.set("required", required);
        }
        Optional<JsonNode> output = Optional.empty();
        for (String status : List.of("200", "201")) {
            JsonNode schema = resolve(doc, op.path("responses").path(status), field, 0)
                    .path("content")
                    .path("application/json")
                    .path("schema");
            if (!schema.isMissingNode()) {
                JsonNode inlined = schema(doc, schema, field);
                if ("object".equals(inlined.path("type").asString(""))) {
                    output = Optional.of(inlined);
                }
                break;
            }
        }
        String description = op.path("description").asString(op.path("summary").asString(name));
        Optional<String> title =
                op.has("summary") ? Optional.of(op.path("summary").asString()) : Optional.empty();
        return rules.tool(
                field,
                name,
                title,
                description.isEmpty() ? name : description,
                input,
                output,
                backend,
                method.toUpperCase(Locale.ROOT),
                path,
                args,
                Optional.empty());
    }

    /**
     * A schema of the document as JSON Schema 2020-12: references inlined, and an OpenAPI 3.0 Schema Object
     * translated ({@link JsonSchemas#fromOpenApi30}), so {@code nullable}, boolean exclusive bounds and
     * {@code example} mean what the document's author meant (3.1 documents use 2020-12 already).
     */
    private JsonNode schema(JsonNode doc, JsonNode schema, String field) throws PluginConfigException {
        JsonNode inlined = inline(doc, schema, field, 0);
        return doc.path("openapi").asString("").startsWith("3.0") ? JsonSchemas.fromOpenApi30(inlined) : inlined;
    }

    private JsonNode resolve(JsonNode doc, JsonNode node, String field, int depth) throws PluginConfigException {
        JsonNode current = node;
        int hops = depth;
        while (current.has("$ref")) {
            current = target(doc, current.get("$ref").asString(""), field, ++hops);
        }
        return current;
    }

    /** Copies {@code schema} with every local {@code $ref} replaced by its target (bounded depth, no cycles). */
    private JsonNode inline(JsonNode doc, JsonNode schema, String field, int depth) throws PluginConfigException {
        if (depth > MAX_REF_DEPTH) {
            throw PluginConfigException.invalid(
                    field, "$ref nesting deeper than " + MAX_REF_DEPTH, "acyclic references");
        }
        if (schema.isObject()) {
            if (schema.has("$ref")) {
                return inline(doc, target(doc, schema.get("$ref").asString(""), field, depth), field, depth + 1);
            }
            ObjectNode copy = mapper.createObjectNode();
            for (var e : schema.properties()) {
                copy.set(e.getKey(), inline(doc, e.getValue(), field, depth));
            }
            return copy;
        }
        if (schema.isArray()) {
            ArrayNode copy = mapper.createArrayNode();
            for (JsonNode e : schema) {
                copy.add(inline(doc, e, field, depth));
            }
            return copy;
        }
        return schema;
    }

    private static JsonNode target(JsonNode doc, String ref, String field, int depth) throws PluginConfigException {
        if (!ref.startsWith("#/") || depth > MAX_REF_DEPTH) {
            throw PluginConfigException.invalid(
                    field + ".$ref",
                    ref,
                    "a local reference such as " + "#/components/schemas/Pet (remote documents are never fetched)");
        }
        JsonNode target = doc.at(ref.substring(1));
        if (target.isMissingNode()) {
            throw PluginConfigException.invalid(field + ".$ref", ref, "a reference that exists in the document");
        }
        return target;
    }
}
