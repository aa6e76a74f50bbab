package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.a6suite.mcp.AccessPolicy;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Parses and validates a route's {@code mcp-gateway} value into a {@link McpGatewayConfig}. Every error names the
 * field path, the bad value and what was expected. Secrets (keys, header references) are resolved here and never
 * appear in messages.
 */
public final class ConfigParser {

    public static final Pattern TOOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    /** The start of a URI scheme (RFC 3986: a letter, then letters, digits, +, - or .) ending in {@code +}. */
    static final Pattern URI_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,62}\\+");
    /** MCP methods a rate limit may name (patterns with {@code *} are taken as they are). */
    static final Set<String> LIMITED_METHODS = Set.of(
            "tools/call",
            "resources/list",
            "resources/templates/list",
            "resources/read",
            "resources/subscribe",
            "resources/unsubscribe",
            "prompts/list",
            "prompts/get",
            "completion/complete",
            "logging/setLevel");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final ObjectMapper mapper;
    private final Function<String, Optional<String>> env;

    /**
     * @param env resolves environment variables (the runner's {@code PluginEnvironment.getenv})
     */
    public ConfigParser(ObjectMapper mapper, Function<String, Optional<String>> env) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.env = requireNonNull(env, "env");
    }

    public McpGatewayConfig parse(String value) throws PluginConfigException {
        JsonNode root;
        try {
            root = mapper.readTree(value == null || value.isBlank() ? "{}" : value);
        } catch (JacksonException e) {
            throw new PluginConfigException("$", "not valid JSON (expected: a JSON object)");
        }
        if (!root.isObject()) {
            throw PluginConfigException.invalid("$", root.getNodeType(), "a JSON object");
        }
        known(
                root,
                "$",
                "serverInfo",
                "instructions",
                "allowedOrigins",
                "pageSize",
                "maxRequestBytes",
                "maxResultBytes",
                "principal",
                "session",
                "backends",
                "tools",
                "openapi",
                "upstreams",
                "access",
                "rateLimits",
                "callLog",
                "mode",
                "stream",
                "resources",
                "prompts");
        JsonNode info = root.path("serverInfo");
        String serverName = string(info, "serverInfo.name", "name", "a6-mcp-gateway");
        String serverVersion = string(info, "serverInfo.version", "version", "0.1.0");
        Optional<String> instructions = optionalString(root, "instructions", "instructions");
        Set<String> origins = new LinkedHashSet<>(stringList(root, "allowedOrigins", "allowedOrigins"));
        int pageSize = integer(root, "pageSize", "pageSize", 50, 1, 1000);
        int maxRequest = integer(root, "maxRequestBytes", "maxRequestBytes", 1 << 20, 1024, 16 * 1024 * 1024);
        int maxResult = integer(root, "maxResultBytes", "maxResultBytes", 1 << 20, 1024, 16 * 1024 * 1024);

        JsonNode p = root.path("principal");
        McpGatewayConfig.PrincipalSource principal = new McpGatewayConfig.PrincipalSource(
                p.has("var") ? optionalString(p, "principal.var", "var") : Optional.of("consumer_name"),
                optionalString(p, "principal.header", "header").map(h -> h.toLowerCase(Locale.ROOT)));

        McpGatewayConfig.SessionSettings session = session(root.path("session"));
        Map<String, McpGatewayConfig.Backend> backends = backends(root.path("backends"));
        Map<String, LocalTool> tools = new LinkedHashMap<>();
        JsonNode toolsNode = root.path("tools");
        arrayOrMissing(toolsNode, "tools");
        for (int i = 0; i < toolsNode.size(); i++) {
            LocalTool tool = declaredTool(toolsNode.get(i), "tools[" + i + "]", backends);
            if (tools.putIfAbsent(tool.name(), tool) != null) {
                throw PluginConfigException.invalid("tools[" + i + "].name", tool.name(), "a unique tool name");
            }
        }
        JsonNode openapi = root.path("openapi");
        arrayOrMissing(openapi, "openapi");
        for (int i = 0; i < openapi.size(); i++) {
            String field = "openapi[" + i + "]";
            for (LocalTool tool : new OpenApiTools(this, mapper).generate(openapi.get(i), field, backends)) {
                if (tools.putIfAbsent(tool.name(), tool) != null) {
                    throw PluginConfigException.invalid(
                            field,
                            tool.name(),
                            "tool names unique across tools and " + "OpenAPI operations (set a prefix)");
                }
            }
        }
        List<McpGatewayConfig.Upstream> upstreams = upstreams(root.path("upstreams"));
        RestFeaturesParser rest = new RestFeaturesParser(this, mapper);
        List<RestResource> resources = rest.resources(root.path("resources"), backends, upstreams);
        List<RestPrompt> prompts = rest.prompts(root.path("prompts"), resources, upstreams);
        AccessPolicy access = access(root.path("access"));
        List<McpGatewayConfig.RateLimitRule> limits = rateLimits(root.path("rateLimits"));
        JsonNode log = root.path("callLog");
        McpGatewayConfig.CallLog callLog = new McpGatewayConfig.CallLog(
                bool(log, "callLog.enabled", "enabled", true),
                bool(log, "callLog.includeArguments", "includeArguments", false));
        if (tools.isEmpty() && upstreams.isEmpty() && resources.isEmpty() && prompts.isEmpty()) {
            throw new PluginConfigException(
                    "tools", "no tools, openapi, upstreams, resources or prompts (expected: " + "at least one source)");
        }
        return new McpGatewayConfig(
                serverName,
                serverVersion,
                instructions,
                origins,
                pageSize,
                maxRequest,
                maxResult,
                principal,
                session,
                backends,
                tools,
                upstreams,
                access,
                limits,
                callLog,
                mode(root),
                stream(root.path("stream")),
                resources,
                prompts);
    }

    private static McpGatewayConfig.Mode mode(JsonNode root) throws PluginConfigException {
        String mode = string(root, "mode", "mode", "invoke");
        return switch (mode) {
            case "invoke" -> McpGatewayConfig.Mode.INVOKE;
            case "lane" -> McpGatewayConfig.Mode.LANE;
            default -> throw PluginConfigException.invalid("mode", mode, "invoke or lane");
        };
    }

    private static McpGatewayConfig.Streaming stream(JsonNode s) throws PluginConfigException {
        if (!s.isMissingNode() && !s.isObject()) {
            throw PluginConfigException.invalid("stream", s.getNodeType(), "an object");
        }
        if (s.isObject()) {
            known(s, "stream", "replayEvents", "progressIntervalMs");
        }
        return new McpGatewayConfig.Streaming(
                integer(s, "stream.replayEvents", "replayEvents", 256, 0, 10_000),
                Duration.ofMillis(integer(s, "stream.progressIntervalMs", "progressIntervalMs", 1000, 100, 60_000)));
    }

    private McpGatewayConfig.SessionSettings session(JsonNode s) throws PluginConfigException {
        if (!s.isObject()) {
            throw PluginConfigException.invalid(
                    "session", s.isMissingNode() ? "missing" : s.getNodeType(), "an object with keys and activeKey");
        }
        known(s, "session", "keys", "activeKey", "ttlSeconds", "audience");
        JsonNode keys = s.path("keys");
        if (!keys.isArray() || keys.isEmpty()) {
            throw PluginConfigException.invalid(
                    "session.keys", keys.isMissingNode() ? "missing" : keys, "a non-empty array of {id, env|file}");
        }
        Map<String, SecretKey> ring = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String field = "session.keys[" + i + "]";
            JsonNode k = keys.get(i);
            known(k, field, "id", "env", "file");
            String id = requiredString(k, field + ".id", "id");
            if (!KeyRing.KEY_ID.matcher(id).matches()) {
                throw PluginConfigException.invalid(field + ".id", id, KeyRing.KEY_ID.pattern());
            }
            String material = secret(k, field);
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(material.strip());
            } catch (IllegalArgumentException e) {
                throw PluginConfigException.invalid(field, "<key of " + id + ">", "base64 of 16, 24 or 32 bytes");
            }
            if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
                throw PluginConfigException.invalid(
                        field, "<" + bytes.length + "-byte key>", "base64 of 16, 24 or 32 bytes (AES-128/192/256)");
            }
            if (ring.put(id, new SecretKeySpec(bytes, "AES")) != null) {
                throw PluginConfigException.invalid(field + ".id", id, "a unique key id");
            }
        }
        String active = s.has("activeKey")
                ? requiredString(s, "session.activeKey", "activeKey")
                : ring.keySet().iterator().next();
        if (!ring.containsKey(active)) {
            throw PluginConfigException.invalid("session.activeKey", active, "one of " + ring.keySet());
        }
        int ttl = integer(s, "session.ttlSeconds", "ttlSeconds", 3600, 60, 7 * 24 * 3600);
        return new McpGatewayConfig.SessionSettings(
                new KeyRing(ring, active), Duration.ofSeconds(ttl), optionalString(s, "session.audience", "audience"));
    }

    /** Resolves {@code {env: NAME}} or {@code {file: /path}}; inline secrets are refused so they never sit in etcd. */
    String secret(JsonNode ref, String field) throws PluginConfigException {
        if (ref.has("env") == ref.has("file")) {
            throw PluginConfigException.invalid(field, "<secret reference>", "exactly one of env, file");
        }
        if (ref.has("env")) {
            String name = requiredString(ref, field + ".env", "env");
            return env.apply(name)
                    .filter(v -> !v.isBlank())
                    .orElseThrow(
                            () -> PluginConfigException.invalid(field + ".env", name, "a set environment variable"));
        }
        String file = requiredString(ref, field + ".file", "file");
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw PluginConfigException.invalid(field + ".file", file, "a readable file");
        }
    }

    private Map<String, McpGatewayConfig.Backend> backends(JsonNode node) throws PluginConfigException {
        arrayOrMissing(node, "backends");
        Map<String, McpGatewayConfig.Backend> out = new LinkedHashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "backends[" + i + "]";
            JsonNode b = node.get(i);
            known(b, field, "name", "baseUrl", "timeoutMs", "headers", "retries", "breaker");
            String name = requiredString(b, field + ".name", "name");
            URI base = httpUri(requiredString(b, field + ".baseUrl", "baseUrl"), field + ".baseUrl");
            if (base.getRawQuery() != null) {
                throw PluginConfigException.invalid(field + ".baseUrl", base, "no query");
            }
            String path = base.getRawPath() == null ? "" : base.getRawPath();
            base = URI.create(base.getScheme() + "://" + base.getRawAuthority()
                    + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
            McpGatewayConfig.Backend backend = new McpGatewayConfig.Backend(
                    name,
                    base,
                    Duration.ofMillis(integer(b, field + ".timeoutMs", "timeoutMs", 10_000, 1, 59_000)),
                    headers(b.path("headers"), field + ".headers"),
                    integer(b, field + ".retries", "retries", 1, 1, 5),
                    bool(b, field + ".breaker", "breaker", true));
            if (out.put(name, backend) != null) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique backend name");
            }
        }
        return out;
    }

    private Map<String, String> headers(JsonNode node, String field) throws PluginConfigException {
        if (node.isMissingNode()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw PluginConfigException.invalid(field, node.getNodeType(), "an object of header name to value");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : node.properties()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            String value = e.getValue().isString()
                    ? e.getValue().stringValue()
                    : secret(e.getValue(), field + "." + e.getKey());
            if (!name.matches("[a-z0-9!#$%&'*+.^_`|~-]+") || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw PluginConfigException.invalid(
                        field + "." + e.getKey(), "<header>", "a token name and a " + "single-line value");
            }
            out.put(name, value);
        }
        return out;
    }

    private LocalTool declaredTool(JsonNode t, String field, Map<String, McpGatewayConfig.Backend> backends)
            throws PluginConfigException {
        known(
                t,
                field,
                "name",
                "title",
                "description",
                "inputSchema",
                "outputSchema",
                "backend",
                "method",
                "path",
                "args",
                "response");
        String name = requiredString(t, field + ".name", "name");
        Map<String, LocalTool.ArgBinding> args = new LinkedHashMap<>();
        JsonNode a = t.path("args");
        if (!a.isMissingNode() && !a.isObject()) {
            throw PluginConfigException.invalid(field + ".args", a.getNodeType(), "an object of argument bindings");
        }
        for (var e : a.properties()) {
            String f = field + ".args." + e.getKey();
            JsonNode binding = e.getValue();
            String in = binding.isString() ? binding.stringValue() : requiredString(binding, f + ".in", "in");
            String target = binding.isObject()
                    ? optionalString(binding, f + ".name", "name").orElse(e.getKey())
                    : e.getKey();
            LocalTool.ArgBinding.In where;
            try {
                where = LocalTool.ArgBinding.In.valueOf(in.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw PluginConfigException.invalid(f + ".in", in, "path, query, header or body");
            }
            args.put(
                    e.getKey(),
                    new LocalTool.ArgBinding(
                            where, where == LocalTool.ArgBinding.In.HEADER ? target.toLowerCase(Locale.ROOT) : target));
        }
        Optional<String> pointer = Optional.empty();
        JsonNode response = t.path("response");
        if (!response.isMissingNode()) {
            known(response, field + ".response", "pointer");
            pointer = optionalString(response, field + ".response.pointer", "pointer");
        }
        JsonNode input = t.has("inputSchema") ? t.get("inputSchema") : defaultInputSchema();
        return tool(
                field,
                name,
                optionalString(t, field + ".title", "title"),
                optionalString(t, field + ".description", "description").orElse(name),
                input,
                Optional.ofNullable(t.get("outputSchema")),
                requiredString(t, field + ".backend", "backend"),
                requiredString(t, field + ".method", "method"),
                requiredString(t, field + ".path", "path"),
                args,
                pointer,
                backends);
    }

    private ObjectNode defaultInputSchema() {
        ObjectNode schema = mapper.createObjectNode();
        schema.put("type", "object");
        return schema;
    }

    /** Validates and compiles one tool, declared or generated. */
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
            Optional<String> pointer,
            Map<String, McpGatewayConfig.Backend> backends)
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
        if (PLACEHOLDER.matcher(path).replaceAll("").contains("{")
                || PLACEHOLDER.matcher(path).replaceAll("").contains("}")) {
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
                    field + ".inputSchema", input.path("type"), "an object schema ({\"type\": \"object\", ...})");
        }
        if (output.isPresent()
                && (!output.get().isObject()
                        || !"object".equals(output.get().path("type").asString("")))) {
            throw PluginConfigException.invalid(
                    field + ".outputSchema",
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
                    field + ".inputSchema/outputSchema",
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

    private List<McpGatewayConfig.Upstream> upstreams(JsonNode node) throws PluginConfigException {
        arrayOrMissing(node, "upstreams");
        List<McpGatewayConfig.Upstream> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "upstreams[" + i + "]";
            JsonNode u = node.get(i);
            known(u, field, "name", "url", "prefix", "uriPrefix", "timeoutMs", "headers", "catalogTtlSeconds");
            String name = requiredString(u, field + ".name", "name");
            if (!KeyRing.KEY_ID.matcher(name).matches() || !names.add(name)) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique " + KeyRing.KEY_ID.pattern());
            }
            URI url = httpUri(requiredString(u, field + ".url", "url"), field + ".url");
            String prefix = prefix(u, field, name);
            // Names route back by this prefix (longest match), so two upstreams may not share one: with equal
            // prefixes (two empty ones, say) a name could belong to either.
            for (McpGatewayConfig.Upstream other : out) {
                if (other.prefix().equals(prefix)) {
                    throw PluginConfigException.invalid(
                            field + ".prefix",
                            "\"" + prefix + "\"",
                            "a prefix "
                                    + "different from that of upstream " + other.name() + " (upstreams " + other.name()
                                    + " and " + name + " would offer colliding tool and prompt names)");
                }
            }
            String uriPrefix = u.path("uriPrefix").isString()
                            && u.path("uriPrefix").stringValue().isEmpty()
                    ? ""
                    : optionalString(u, field + ".uriPrefix", "uriPrefix").orElse(defaultUriPrefix(name));
            if (!uriPrefix.isEmpty() && !URI_PREFIX.matcher(uriPrefix).matches()) {
                throw PluginConfigException.invalid(
                        field + ".uriPrefix",
                        uriPrefix,
                        "a URI scheme start ending in +, " + URI_PREFIX.pattern() + ", or \"\"");
            }
            // Resource URIs route back by this prefix, so no two upstreams may share one or nest one in another.
            // The empty one is the fallback (URIs no other prefix starts); only one upstream may have it.
            for (int j = 0; j < out.size(); j++) {
                String other = out.get(j).uriPrefix();
                if (uriPrefix.equals(other)
                        || (!uriPrefix.isEmpty()
                                && !other.isEmpty()
                                && (uriPrefix.startsWith(other) || other.startsWith(uriPrefix)))) {
                    throw PluginConfigException.invalid(
                            field + ".uriPrefix",
                            uriPrefix,
                            "a uriPrefix that neither " + "starts with nor is the start of upstreams[" + j
                                    + "].uriPrefix (" + other + ")");
                }
            }
            out.add(new McpGatewayConfig.Upstream(
                    name,
                    url,
                    prefix,
                    uriPrefix,
                    Duration.ofMillis(integer(u, field + ".timeoutMs", "timeoutMs", 10_000, 1, 59_000)),
                    headers(u.path("headers"), field + ".headers"),
                    Duration.ofSeconds(integer(u, field + ".catalogTtlSeconds", "catalogTtlSeconds", 60, 0, 86_400))));
        }
        return out;
    }

    /**
     * The name prefix: {@code name + "_"} by default; {@code ""} is allowed (the upstream's own names), as long as
     * no other upstream uses the same prefix.
     */
    private static String prefix(JsonNode u, String field, String name) throws PluginConfigException {
        JsonNode v = u.path("prefix");
        if (v.isMissingNode() || v.isNull()) {
            return name + "_";
        }
        if (!v.isString()) {
            throw PluginConfigException.invalid(field + ".prefix", v.getNodeType(), "a string (\"\" for none)");
        }
        return v.stringValue();
    }

    /** {@code Calc_Tools} becomes {@code calc-tools+}; a name not starting with a letter gets {@code u} in front. */
    static String defaultUriPrefix(String name) {
        String scheme = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return (Character.isLetter(scheme.charAt(0)) ? "" : "u") + scheme + "+";
    }

    private AccessPolicy access(JsonNode node) throws PluginConfigException {
        if (node.isMissingNode()) {
            return AccessPolicy.ALLOW_ALL;
        }
        known(node, "access", "defaultAllow", "rules");
        JsonNode rules = node.path("rules");
        arrayOrMissing(rules, "access.rules");
        List<AccessPolicy.Rule> out = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            String field = "access.rules[" + i + "]";
            JsonNode r = rules.get(i);
            known(r, field, "tools", "allow", "deny");
            List<String> tools = stringList(r, field + ".tools", "tools");
            if (tools.isEmpty()) {
                throw PluginConfigException.invalid(field + ".tools", "[]", "at least one tool pattern");
            }
            out.add(new AccessPolicy.Rule(
                    tools,
                    Set.copyOf(stringList(r, field + ".allow", "allow")),
                    Set.copyOf(stringList(r, field + ".deny", "deny"))));
        }
        return new AccessPolicy(bool(node, "access.defaultAllow", "defaultAllow", true), out);
    }

    private List<McpGatewayConfig.RateLimitRule> rateLimits(JsonNode node) throws PluginConfigException {
        arrayOrMissing(node, "rateLimits");
        List<McpGatewayConfig.RateLimitRule> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String field = "rateLimits[" + i + "]";
            JsonNode r = node.get(i);
            known(r, field, "tools", "methods", "perSecond", "burst", "perConsumer");
            List<String> tools = stringList(r, field + ".tools", "tools");
            if (tools.isEmpty()) {
                throw PluginConfigException.invalid(field + ".tools", "[]", "at least one tool pattern");
            }
            List<String> methods =
                    r.has("methods") ? stringList(r, field + ".methods", "methods") : List.of("tools/call");
            if (methods.isEmpty()) {
                throw PluginConfigException.invalid(field + ".methods", "[]", "at least one method pattern");
            }
            for (String m : methods) {
                if (!m.contains("*") && !LIMITED_METHODS.contains(m)) {
                    throw PluginConfigException.invalid(
                            field + ".methods",
                            m,
                            "one of " + new java.util.TreeSet<>(LIMITED_METHODS) + " or a pattern with *");
                }
            }
            JsonNode rate = r.path("perSecond");
            if (!rate.isNumber() || rate.asDouble() <= 0 || rate.asDouble() > 1_000_000) {
                throw PluginConfigException.invalid(field + ".perSecond", rate, "a number in (0, 1000000]");
            }
            int burst = integer(r, field + ".burst", "burst", (int) Math.ceil(rate.asDouble()), 1, 1_000_000);
            out.add(new McpGatewayConfig.RateLimitRule(
                    tools, methods, rate.asDouble(), burst, bool(r, field + ".perConsumer", "perConsumer", false)));
        }
        return out;
    }

    // ---- small typed readers: each names the field in its error ----

    static URI httpUri(String value, String field) throws PluginConfigException {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw PluginConfigException.invalid(
                        field, value, "an http(s) URL with a host, no user info or " + "fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw PluginConfigException.invalid(field, value, "an http(s) URL");
        }
    }

    static void known(JsonNode node, String field, String... names) throws PluginConfigException {
        if (!node.isObject()) {
            throw PluginConfigException.invalid(field, node.getNodeType(), "an object");
        }
        Set<String> allowed = Set.of(names);
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw PluginConfigException.invalid(field + "." + name, "unknown field", "one of " + List.of(names));
            }
        }
    }

    static void arrayOrMissing(JsonNode node, String field) throws PluginConfigException {
        if (!node.isMissingNode() && !node.isArray()) {
            throw PluginConfigException.invalid(field, node.getNodeType(), "an array");
        }
    }

    static String requiredString(JsonNode node, String field, String name) throws PluginConfigException {
        return optionalString(node, field, name)
                .orElseThrow(() -> PluginConfigException.invalid(field, "missing", "a non-empty string"));
    }

    static Optional<String> optionalString(JsonNode node, String field, String name) throws PluginConfigException {
        JsonNode v = node.path(name);
        if (v.isMissingNode() || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isString() || v.stringValue().isEmpty()) {
            throw PluginConfigException.invalid(field, v, "a non-empty string");
        }
        return Optional.of(v.stringValue());
    }

    static String string(JsonNode node, String field, String name, String dflt) throws PluginConfigException {
        return optionalString(node, field, name).orElse(dflt);
    }

    static List<String> stringList(JsonNode node, String field, String name) throws PluginConfigException {
        JsonNode v = node.path(name);
        if (v.isMissingNode()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw PluginConfigException.invalid(field, v.getNodeType(), "an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isString() || e.stringValue().isEmpty()) {
                throw PluginConfigException.invalid(field, e, "non-empty strings");
            }
            out.add(e.stringValue());
        }
        return out;
    }

    static int integer(JsonNode node, String field, String name, int dflt, int min, int max)
            throws PluginConfigException {
        JsonNode v = node.path(name);
        if (v.isMissingNode()) {
            return dflt;
        }
        if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
            throw PluginConfigException.invalid(field, v, "an integer in [" + min + ", " + max + "]");
        }
        return v.asInt();
    }

    static boolean bool(JsonNode node, String field, String name, boolean dflt) throws PluginConfigException {
        JsonNode v = node.path(name);
        if (v.isMissingNode()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw PluginConfigException.invalid(field, v, "true or false");
        }
        return v.asBoolean();
    }
}
