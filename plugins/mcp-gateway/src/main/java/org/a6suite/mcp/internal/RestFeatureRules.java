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
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.config.RestPrompt;
import org.a6suite.mcp.config.RestResource;
import org.a6suite.mcp.config.UriTemplate;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds the route's {@code resources} (read-only REST endpoints as MCP resources) and {@code prompts} (prompt
 * templates) and checks what spans fields: exactly one of {@code uri}/{@code uri_template}, URIs outside every
 * upstream's {@code uri_prefix}, path placeholders that are template variables, prompt names outside upstream
 * prefixes, placeholders naming declared arguments, embedded resources that exist.
 */
final class RestFeatureRules {

    private final ToolRules tools;
    private final ObjectMapper mapper;

    RestFeatureRules(ToolRules tools, ObjectMapper mapper) {
        this.tools = requireNonNull(tools, "tools");
        this.mapper = requireNonNull(mapper, "mapper");
    }

    List<RestResource> resources(List<McpGatewayValue.Resource> values, List<McpGatewayConfig.Upstream> upstreams)
            throws PluginConfigException {
        List<RestResource> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String field = "resources[" + i + "]";
            McpGatewayValue.Resource r = values.get(i);
            String name = r.name();
            if (!names.add(name)) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique resource name");
            }
            Optional<String> uri = r.uri();
            Optional<String> templateText = r.uriTemplate();
            if (uri.isPresent() == templateText.isPresent()) {
                throw PluginConfigException.invalid(field, "<resource>", "exactly one of uri, uri_template");
            }
            Optional<UriTemplate> template = Optional.empty();
            List<String> variables = List.of();
            if (uri.isPresent() && !UriTemplate.isUri(uri.get())) {
                throw PluginConfigException.invalid(
                        field + ".uri",
                        uri.get(),
                        "a URI with a scheme, e.g. orders://recent (no braces: use uri_template)");
            }
            if (templateText.isPresent()) {
                template = UriTemplate.parse(templateText.get());
                if (template.isEmpty()) {
                    throw PluginConfigException.invalid(
                            field + ".uri_template",
                            templateText.get(),
                            "a URI template with a scheme and {name} expressions (RFC 6570 level 1), e.g."
                                    + " orders://{id}");
                }
                variables = template.get().variables();
            }
            String key = uri.orElse(templateText.orElse(""));
            for (McpGatewayConfig.Upstream u : upstreams) {
                // Local resources are routed first: one inside an upstream's URI space would hide its resources.
                if (!u.uriPrefix().isEmpty() && key.startsWith(u.uriPrefix())) {
                    throw PluginConfigException.invalid(
                            field + (uri.isPresent() ? ".uri" : ".uri_template"),
                            key,
                            "a URI outside upstream " + u.name() + "'s uri_prefix " + u.uriPrefix());
                }
            }
            for (RestResource other : out) {
                if (other.key().equals(key)) {
                    throw PluginConfigException.invalid(
                            field, key, "a URI or template no other resource has (" + other.name() + ")");
                }
            }
            Matcher placeholders = ToolRules.PLACEHOLDER.matcher(r.path());
            while (placeholders.find()) {
                if (!variables.contains(placeholders.group(1))) {
                    throw PluginConfigException.invalid(
                            field + ".path",
                            r.path(),
                            "placeholders that are variables of the uri_template " + variables);
                }
            }
            // Template variables not in the path go to the query string, as a GET tool's arguments do.
            ObjectNode input = mapper.createObjectNode().put("type", "object");
            ObjectNode props = input.putObject("properties");
            variables.forEach(v -> props.putObject(v).put("type", "string"));
            LocalTool fetch = tools.tool(
                    field,
                    name,
                    Optional.empty(),
                    name,
                    input,
                    Optional.empty(),
                    r.backend(),
                    "GET",
                    r.path(),
                    Map.of(),
                    r.response().pointer());
            out.add(new RestResource(name, r.title(), r.description(), r.mimeType(), uri, template, fetch));
        }
        return out;
    }

    List<RestPrompt> prompts(
            List<McpGatewayValue.Prompt> values,
            List<RestResource> resources,
            List<McpGatewayConfig.Upstream> upstreams)
            throws PluginConfigException {
        List<RestPrompt> out = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String field = "prompts[" + i + "]";
            McpGatewayValue.Prompt p = values.get(i);
            String name = p.name();
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
            for (int j = 0; j < p.arguments().size(); j++) {
                McpGatewayValue.Argument a = p.arguments().get(j);
                if (arguments.put(a.name(), new RestPrompt.Argument(a.name(), a.description(), a.required())) != null) {
                    throw PluginConfigException.invalid(
                            field + ".arguments[" + j + "].name", a.name(), "a unique argument name");
                }
            }
            List<RestPrompt.Message> parsed = new ArrayList<>();
            for (int j = 0; j < p.messages().size(); j++) {
                parsed.add(message(p.messages().get(j), field + ".messages[" + j + "]", arguments.keySet(), resources));
            }
            out.add(new RestPrompt(name, p.title(), p.description(), List.copyOf(arguments.values()), parsed));
        }
        return out;
    }

    private static RestPrompt.Message message(
            McpGatewayValue.Message m, String field, Set<String> arguments, List<RestResource> resources)
            throws PluginConfigException {
        Optional<String> text = m.text();
        Optional<String> resource = m.resource();
        if (text.isPresent() == resource.isPresent()) {
            throw PluginConfigException.invalid(field, "<message>", "exactly one of text, resource");
        }
        String template = text.orElse(resource.orElse(""));
        Matcher placeholders = ToolRules.PLACEHOLDER.matcher(template);
        while (placeholders.find()) {
            if (!arguments.contains(placeholders.group(1))) {
                throw PluginConfigException.invalid(
                        field,
                        "{" + placeholders.group(1) + "}",
                        "placeholders naming declared arguments " + arguments);
            }
        }
        if (resource.isEmpty()) {
            return new RestPrompt.Message(m.role(), text, Optional.empty(), Optional.empty());
        }
        // The embedded resource must be one of the route's REST resources, so reading it is governed like a read.
        if (resources.stream().noneMatch(r -> r.key().equals(resource.get()))) {
            throw PluginConfigException.invalid(
                    field + ".resource",
                    resource.get(),
                    "the uri or uri_template of one of resources[] "
                            + resources.stream().map(RestResource::key).toList());
        }
        return UriTemplate.isUri(resource.get())
                ? new RestPrompt.Message(m.role(), Optional.empty(), Optional.empty(), resource)
                : new RestPrompt.Message(
                        m.role(), Optional.empty(), UriTemplate.parse(resource.get()), Optional.empty());
    }
}
