package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parses the route's {@code resources} (read-only REST endpoints as MCP resources) and {@code prompts} (prompt
 * templates). Kept apart from {@link ConfigParser} so that one stays about the route as a whole; errors follow its
 * {@code field: value (expected: ...)} form.
 */
final class RestFeaturesParser {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");

    private final ConfigParser parser;
    private final ObjectMapper mapper;

    RestFeaturesParser(ConfigParser parser, ObjectMapper mapper) {
        this.parser = requireNonNull(parser, "parser");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    List<RestResource> resources(
            JsonNode node, Map<String, McpGatewayConfig.Backend> backends, List<McpGatewayConfig.Upstream> upstreams)
            throws PluginConfigException {
        ConfigParser.arrayOrMissing(node, "resources");
        List<RestResource> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "resources[" + i + "]";
            JsonNode r = node.get(i);
            ConfigParser.known(
                    r,
                    field,
                    "name",
                    "title",
                    "description",
                    "mimeType",
                    "uri",
                    "uriTemplate",
                    "backend",
                    "path",
                    "response");
            String name = ConfigParser.requiredString(r, field + ".name", "name");
            if (!names.add(name)) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique resource name");
            }
            Optional<String> uri = ConfigParser.optionalString(r, field + ".uri", "uri");
            Optional<String> templateText = ConfigParser.optionalString(r, field + ".uriTemplate", "uriTemplate");
            if (uri.isPresent() == templateText.isPresent()) {
                throw PluginConfigException.invalid(field, "<resource>", "exactly one of uri, uriTemplate");
            }
            Optional<UriTemplate> template = Optional.empty();
            List<String> variables = List.of();
            if (uri.isPresent() && !UriTemplate.isUri(uri.get())) {
                throw PluginConfigException.invalid(
                        field + ".uri",
                        uri.get(),
                        "a URI with a scheme, e.g. " + "orders://recent (no braces: use uriTemplate)");
            }
            if (templateText.isPresent()) {
                template = UriTemplate.parse(templateText.get());
                if (template.isEmpty()) {
                    throw PluginConfigException.invalid(
                            field + ".uriTemplate",
                            templateText.get(),
                            "a URI template "
                                    + "with a scheme and {name} expressions (RFC 6570 level 1), e.g. orders://{id}");
                }
                variables = template.get().variables();
            }
            String key = uri.orElse(templateText.orElse(""));
            for (McpGatewayConfig.Upstream u : upstreams) {
                // Local resources are routed first: one inside an upstream's URI space would hide its resources.
                if (!u.uriPrefix().isEmpty() && key.startsWith(u.uriPrefix())) {
                    throw PluginConfigException.invalid(
                            field + (uri.isPresent() ? ".uri" : ".uriTemplate"),
                            key,
                            "a URI outside upstream " + u.name() + "'s uriPrefix " + u.uriPrefix());
                }
            }
            for (RestResource other : out) {
                if (other.key().equals(key)) {
                    throw PluginConfigException.invalid(
                            field, key, "a URI or template no other resource has (" + other.name() + ")");
                }
            }
            String path = ConfigParser.requiredString(r, field + ".path", "path");
            Matcher placeholders = PLACEHOLDER.matcher(path);
            while (placeholders.find()) {
                if (!variables.contains(placeholders.group(1))) {
                    throw PluginConfigException.invalid(
                            field + ".path",
                            path,
                            "placeholders that are variables of " + "the uriTemplate " + variables);
                }
            }
            Optional<String> pointer = Optional.empty();
            JsonNode response = r.path("response");
            if (!response.isMissingNode()) {
                ConfigParser.known(response, field + ".response", "pointer");
                pointer = ConfigParser.optionalString(response, field + ".response.pointer", "pointer");
            }
            // Template variables not in the path go to the query string, as a GET tool's arguments do.
            ObjectNode input = mapper.createObjectNode().put("type", "object");
            ObjectNode props = input.putObject("properties");
            variables.forEach(v -> props.putObject(v).put("type", "string"));
            LocalTool fetch = parser.tool(
                    field,
                    name,
                    Optional.empty(),
                    name,
                    input,
                    Optional.empty(),
                    ConfigParser.requiredString(r, field + ".backend", "backend"),
                    "GET",
                    path,
                    Map.of(),
                    pointer,
                    backends);
            out.add(new RestResource(
                    name,
                    ConfigParser.optionalString(r, field + ".title", "title"),
                    ConfigParser.optionalString(r, field + ".description", "description"),
                    ConfigParser.optionalString(r, field + ".mimeType", "mimeType"),
                    uri,
                    template,
                    fetch));
        }
        return out;
    }

    List<RestPrompt> prompts(JsonNode node, List<RestResource> resources, List<McpGatewayConfig.Upstream> upstreams)
            throws PluginConfigException {
        ConfigParser.arrayOrMissing(node, "prompts");
        List<RestPrompt> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "prompts[" + i + "]";
            JsonNode p = node.get(i);
            ConfigParser.known(p, field, "name", "title", "description", "arguments", "messages");
            String name = ConfigParser.requiredString(p, field + ".name", "name");
            if (!ConfigParser.TOOL_NAME.matcher(name).matches()) {
                throw PluginConfigException.invalid(field + ".name", name, ConfigParser.TOOL_NAME.pattern());
            }
            if (out.stream().anyMatch(o -> o.name().equals(name))) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique prompt name");
            }
            for (McpGatewayConfig.Upstream u : upstreams) {
                if (!u.prefix().isEmpty() && name.startsWith(u.prefix())) {
                    throw PluginConfigException.invalid(
                            field + ".name",
                            name,
                            "a name outside upstream " + u.name() + "'s prefix " + u.prefix()
                                    + " (its prompts would collide)");
                }
            }
            Map<String, RestPrompt.Argument> arguments = new LinkedHashMap<>();
            JsonNode args = p.path("arguments");
            ConfigParser.arrayOrMissing(args, field + ".arguments");
            for (int j = 0; j < args.size(); j++) {
                String f = field + ".arguments[" + j + "]";
                ConfigParser.known(args.get(j), f, "name", "description", "required");
                String arg = ConfigParser.requiredString(args.get(j), f + ".name", "name");
                if (arguments.put(
                                arg,
                                new RestPrompt.Argument(
                                        arg,
                                        ConfigParser.optionalString(args.get(j), f + ".description", "description"),
                                        ConfigParser.bool(args.get(j), f + ".required", "required", false)))
                        != null) {
                    throw PluginConfigException.invalid(f + ".name", arg, "a unique argument name");
                }
            }
            JsonNode messages = p.path("messages");
            if (!messages.isArray() || messages.isEmpty()) {
                throw PluginConfigException.invalid(
                        field + ".messages",
                        messages.isMissingNode() ? "missing" : messages.getNodeType(),
                        "a non-empty array of {role, text} or {role, resource}");
            }
            List<RestPrompt.Message> parsed = new ArrayList<>();
            for (int j = 0; j < messages.size(); j++) {
                parsed.add(message(messages.get(j), field + ".messages[" + j + "]", arguments.keySet(), resources));
            }
            out.add(new RestPrompt(
                    name,
                    ConfigParser.optionalString(p, field + ".title", "title"),
                    ConfigParser.optionalString(p, field + ".description", "description"),
                    List.copyOf(arguments.values()),
                    parsed));
        }
        return out;
    }

    private RestPrompt.Message message(JsonNode m, String field, Set<String> arguments, List<RestResource> resources)
            throws PluginConfigException {
        ConfigParser.known(m, field, "role", "text", "resource");
        String role = ConfigParser.string(m, field + ".role", "role", "user");
        if (!role.equals("user") && !role.equals("assistant")) {
            throw PluginConfigException.invalid(field + ".role", role, "user or assistant");
        }
        Optional<String> text = ConfigParser.optionalString(m, field + ".text", "text");
        Optional<String> resource = ConfigParser.optionalString(m, field + ".resource", "resource");
        if (text.isPresent() == resource.isPresent()) {
            throw PluginConfigException.invalid(field, "<message>", "exactly one of text, resource");
        }
        String template = text.orElse(resource.orElse(""));
        Matcher placeholders = PLACEHOLDER.matcher(template);
        while (placeholders.find()) {
            if (!arguments.contains(placeholders.group(1))) {
                throw PluginConfigException.invalid(
                        field,
                        "{" + placeholders.group(1) + "}",
                        "placeholders naming " + "declared arguments " + arguments);
            }
        }
        if (resource.isEmpty()) {
            return new RestPrompt.Message(role, text, Optional.empty(), Optional.empty());
        }
        // The embedded resource must be one of the route's REST resources, so reading it is governed like a read.
        if (resources.stream().noneMatch(r -> r.key().equals(resource.get()))) {
            throw PluginConfigException.invalid(
                    field + ".resource",
                    resource.get(),
                    "the uri or uriTemplate of one of " + "resources[] "
                            + resources.stream().map(RestResource::key).toList());
        }
        return UriTemplate.isUri(resource.get())
                ? new RestPrompt.Message(role, Optional.empty(), Optional.empty(), resource)
                : new RestPrompt.Message(role, Optional.empty(), UriTemplate.parse(resource.get()), Optional.empty());
    }
}
