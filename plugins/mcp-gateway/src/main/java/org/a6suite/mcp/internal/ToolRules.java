package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Compiles REST tools (declared in {@code tools[]}, generated from OpenAPI, or the GET behind a resource) against the
 * route's backends: the name, the backend, the method, a path template that cannot leave the backend, argument
 * bindings, and the input and output schemas compiled once.
 */
final class ToolRules {

    static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final ObjectMapper mapper;
    private final Map<String, McpGatewayConfig.Backend> backends;

    ToolRules(ObjectMapper mapper, Map<String, McpGatewayConfig.Backend> backends) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.backends = Map.copyOf(backends);
    }

    LocalTool declared(McpGatewayValue.Tool t, String field) throws PluginConfigException {
        Map<String, LocalTool.ArgBinding> args = new LinkedHashMap<>();
        for (var e : t.args().entrySet()) {
            JsonNode binding = e.getValue();
            // The schema allows a location string or {in, name}.
            String in = binding.isString()
                    ? binding.stringValue()
                    : binding.path("in").stringValue();
            String target = binding.isObject() && binding.has("name")
                    ? binding.get("name").stringValue()
                    : e.getKey();
            LocalTool.ArgBinding.In where = LocalTool.ArgBinding.In.valueOf(in.toUpperCase(Locale.ROOT));
            args.put(
                    e.getKey(),
                    new LocalTool.ArgBinding(
                            where, where == LocalTool.ArgBinding.In.HEADER ? target.toLowerCase(Locale.ROOT) : target));
        }
        return tool(
                field,
                t.name(),
                t.title(),
                t.description().orElse(t.name()),
                t.inputSchema(),
                t.outputSchema().map(JsonNode.class::cast),
                t.backend(),
                t.method(),
                t.path(),
                args,
                t.response().pointer());
    }

    /** Validates and compiles one tool, declared or generated; {@code field} is its path from the root. */
    LocalTool tool(
            String field,
            String name,
            Optional<String> title,
            String description,
            JsonNode input,
            Optional<JsonNode> output,
            String backend,
            String method,
            String path,
            Map<String, LocalTool.ArgBinding> bindings,
            Optional<String> pointer)
            throws PluginConfigException {
        if (!TOOL_NAME.matcher(name).matches()) {
            throw PluginConfigException.invalid(field + ".name", name, TOOL_NAME.pattern());
        }
        if (!backends.containsKey(backend)) {
            throw PluginConfigException.invalid(field + ".backend", backend, "one of " + backends.keySet());
        }
        String m = method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw PluginConfigException.invalid(field + ".method", method, METHODS.toString());
        }
        // The template is only ever a path below the backend's base path: no scheme, authority, query or
        // dot-segments, so no argument value or template can point a call at another host (SSRF).
        if (!path.startsWith("/")
                || path.startsWith("//")
                || path.contains("?")
                || path.contains("#")
                || path.contains("\\")
                || List.of(path.split("/")).stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw PluginConfigException.invalid(
                    field + ".path",
                    path,
                    "an absolute path such as /orders/{id}, without //, ?, #, \\ or dot-segments");
        }
        Map<String, LocalTool.ArgBinding> args = new LinkedHashMap<>(bindings);
        Matcher matcher = PLACEHOLDER.matcher(path);
        while (matcher.find()) {
            String arg = matcher.group(1);
            LocalTool.ArgBinding existing = args.get(arg);
            if (existing != null && existing.in() != LocalTool.ArgBinding.In.PATH) {
                throw PluginConfigException.invalid(
                        field + ".args." + arg, existing.in(), "path (it is a placeholder)");
            }
            args.putIfAbsent(arg, new LocalTool.ArgBinding(LocalTool.ArgBinding.In.PATH, arg));
        }
        String literal = PLACEHOLDER.matcher(path).replaceAll("");
        if (literal.contains("{") || literal.contains("}")) {
            throw PluginConfigException.invalid(field + ".path", path, "placeholders like {name}");
        }
        if (args.values().stream()
                        .filter(b -> b.in() == LocalTool.ArgBinding.In.BODY)
                        .count()
                > 1) {
            throw PluginConfigException.invalid(field + ".args", "several body arguments", "at most one");
        }
        if (!input.isObject() || !"object".equals(input.path("type").asString(""))) {
            throw PluginConfigException.invalid(
                    field + ".input_schema", input.path("type"), "an object schema ({\"type\": \"object\", ...})");
        }
        if (output.isPresent()
                && (!output.get().isObject()
                        || !"object".equals(output.get().path("type").asString("")))) {
            throw PluginConfigException.invalid(
                    field + ".output_schema",
                    output.get().path("type"),
                    "an object schema (MCP structuredContent is a JSON object)");
        }
        if (pointer.isPresent()) {
            try {
                JsonPointer.compile(pointer.get());
            } catch (IllegalArgumentException e) {
                throw PluginConfigException.invalid(
                        field + ".response.pointer", pointer.get(), "a JSON pointer such as /data");
            }
        }
        com.networknt.schema.Schema inputValidator;
        Optional<com.networknt.schema.Schema> outputValidator;
        try {
            inputValidator = JsonSchemas.compile(input);
            outputValidator = output.map(JsonSchemas::compile);
        } catch (RuntimeException e) {
            throw PluginConfigException.invalid(
                    field + ".input_schema/output_schema",
                    "<schema>",
                    "a valid JSON Schema (" + e.getClass().getSimpleName() + ")");
        }
        return new LocalTool(
                name,
                title,
                description,
                (ObjectNode) input,
                output.map(o -> (ObjectNode) o),
                inputValidator,
                outputValidator,
                backend,
                m,
                path,
                args,
                pointer);
    }
}
