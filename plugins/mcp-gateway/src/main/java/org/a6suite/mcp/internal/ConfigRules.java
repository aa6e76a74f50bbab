package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.a6suite.mcp.AccessPolicy;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.KeyRing;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.config.RestPrompt;
import org.a6suite.mcp.config.RestResource;
import org.a6suite.plugin.PluginConfigException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Builds an {@link McpGatewayConfig} from a bound {@link McpGatewayValue}: resolves secrets, compiles tools
 * ({@link ToolRules}), resources and prompts ({@link RestFeatureRules}), and checks what the schema cannot say
 * (unique names, prefixes that do not collide, URLs the gateway may contact, at least one source). Errors keep the
 * suite's {@code path: value (expected: ...)} form with paths from the root; secrets are never echoed.
 */
final class ConfigRules {

    /** The start of a URI scheme (RFC 3986: a letter, then letters, digits, +, - or .) ending in {@code +}. */
    static final Pattern URI_PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,62}\\+");

    private final ObjectMapper mapper;
    private final Secrets secrets;

    ConfigRules(ObjectMapper mapper, Secrets secrets) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.secrets = requireNonNull(secrets, "secrets");
    }

    McpGatewayConfig toConfig(McpGatewayValue v) throws PluginConfigException {
        McpGatewayConfig.SessionSettings session = session(v.session());
        Map<String, McpGatewayConfig.Backend> backends = backends(v.backends());
        ToolRules toolRules = new ToolRules(mapper, backends);
        Map<String, LocalTool> tools = new LinkedHashMap<>();
        for (int i = 0; i < v.tools().size(); i++) {
            LocalTool tool = toolRules.declared(v.tools().get(i), "tools[" + i + "]");
            if (tools.putIfAbsent(tool.name(), tool) != null) {
                throw PluginConfigException.invalid("tools[" + i + "].name", tool.name(), "a unique tool name");
            }
        }
        for (int i = 0; i < v.openapi().size(); i++) {
            String field = "openapi[" + i + "]";
            for (LocalTool tool :
                    new OpenApiTools(toolRules, mapper).generate(v.openapi().get(i), field)) {
                if (tools.putIfAbsent(tool.name(), tool) != null) {
                    throw PluginConfigException.invalid(
                            field, tool.name(), "tool names unique across tools and OpenAPI operations (set a prefix)");
                }
            }
        }
        List<McpGatewayConfig.Upstream> upstreams = upstreams(v.upstreams());
        RestFeatureRules rest = new RestFeatureRules(toolRules, mapper);
        List<RestResource> resources = rest.resources(v.resources(), upstreams);
        List<RestPrompt> prompts = rest.prompts(v.prompts(), resources, upstreams);
        if (tools.isEmpty() && upstreams.isEmpty() && resources.isEmpty() && prompts.isEmpty()) {
            throw new PluginConfigException(
                    "tools", "no tools, openapi, upstreams, resources or prompts (expected: at least one source)");
        }
        return new McpGatewayConfig(
                v.serverInfo().name(),
                v.serverInfo().version(),
                v.instructions(),
                new LinkedHashSet<>(v.allowedOrigins()),
                v.pageSize(),
                v.maxRequestBytes(),
                v.maxResultBytes(),
                new McpGatewayConfig.PrincipalSource(
                        v.principal().var(), v.principal().header().map(h -> h.toLowerCase(Locale.ROOT))),
                session,
                backends,
                tools,
                upstreams,
                access(v.access()),
                rateLimits(v.rateLimits()),
                new McpGatewayConfig.CallLog(v.callLog().enabled(), v.callLog().includeArguments()),
                v.mode(),
                new McpGatewayConfig.Streaming(
                        v.stream().replayEvents(), v.stream().progressInterval()),
                resources,
                prompts);
    }

    private McpGatewayConfig.SessionSettings session(McpGatewayValue.Session s) throws PluginConfigException {
        Map<String, SecretKey> ring = new LinkedHashMap<>();
        for (int i = 0; i < s.keys().size(); i++) {
            String field = "session.keys[" + i + "]";
            McpGatewayValue.Key k = s.keys().get(i);
            String material = secrets.resolve(k.env(), k.file(), field);
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(material.strip());
            } catch (IllegalArgumentException e) {
                throw PluginConfigException.invalid(field, "<key of " + k.id() + ">", "base64 of 16, 24 or 32 bytes");
            }
            if (bytes.length != 16 && bytes.length != 24 && bytes.length != 32) {
                throw PluginConfigException.invalid(
                        field, "<" + bytes.length + "-byte key>", "base64 of 16, 24 or 32 bytes (AES-128/192/256)");
            }
            if (ring.put(k.id(), new SecretKeySpec(bytes, "AES")) != null) {
                throw PluginConfigException.invalid(field + ".id", k.id(), "a unique key id");
            }
        }
        String active = s.activeKey().orElse(ring.keySet().iterator().next());
        if (!ring.containsKey(active)) {
            throw PluginConfigException.invalid("session.active_key", active, "one of " + ring.keySet());
        }
        return new McpGatewayConfig.SessionSettings(new KeyRing(ring, active), s.ttl(), s.audience());
    }

    private Map<String, McpGatewayConfig.Backend> backends(List<McpGatewayValue.Backend> values)
            throws PluginConfigException {
        Map<String, McpGatewayConfig.Backend> out = new LinkedHashMap<>();
        for (int i = 0; i < values.size(); i++) {
            String field = "backends[" + i + "]";
            McpGatewayValue.Backend b = values.get(i);
            URI base = httpUri(b.baseUrl(), field + ".base_url");
            if (base.getRawQuery() != null) {
                throw PluginConfigException.invalid(field + ".base_url", base, "no query");
            }
            String path = base.getRawPath() == null ? "" : base.getRawPath();
            base = URI.create(base.getScheme() + "://" + base.getRawAuthority()
                    + (path.endsWith("/") ? path.substring(0, path.length() - 1) : path));
            McpGatewayConfig.Backend backend = new McpGatewayConfig.Backend(
                    b.name(),
                    base,
                    b.timeout(),
                    headers(b.headers(), field + ".headers"),
                    b.maxAttempts(),
                    b.breaker());
            if (out.put(b.name(), backend) != null) {
                throw PluginConfigException.invalid(field + ".name", b.name(), "a unique backend name");
            }
        }
        return out;
    }

    /** Static headers, names in lower case; a reference value is resolved (the schema checked names and shapes). */
    private Map<String, String> headers(Map<String, JsonNode> values, String field) throws PluginConfigException {
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : values.entrySet()) {
            JsonNode v = e.getValue();
            String f = field + "." + e.getKey();
            String value = v.isString() ? v.stringValue() : secrets.resolve(text(v, "env"), text(v, "file"), f);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw PluginConfigException.invalid(f, "<header value>", "a single-line value");
            }
            out.put(e.getKey().toLowerCase(Locale.ROOT), value);
        }
        return out;
    }

    private static Optional<String> text(JsonNode node, String name) {
        return node.has(name) ? Optional.of(node.get(name).stringValue()) : Optional.empty();
    }

    private List<McpGatewayConfig.Upstream> upstreams(List<McpGatewayValue.Upstream> values)
            throws PluginConfigException {
        List<McpGatewayConfig.Upstream> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < values.size(); i++) {
            String field = "upstreams[" + i + "]";
            McpGatewayValue.Upstream u = values.get(i);
            String name = u.name();
            if (!names.add(name)) {
                throw PluginConfigException.invalid(field + ".name", name, "a unique upstream name");
            }
            URI url = httpUri(u.url(), field + ".url");
            String prefix = u.prefix().orElse(name + "_");
            // Names route back by this prefix (longest match), so two upstreams may not share one: with equal
            // prefixes (two empty ones, say) a name could belong to either.
            for (McpGatewayConfig.Upstream other : out) {
                if (other.prefix().equals(prefix)) {
                    throw PluginConfigException.invalid(
                            field + ".prefix",
                            "\"" + prefix + "\"",
                            "a prefix different from that of upstream " + other.name() + " (upstreams " + other.name()
                                    + " and " + name + " would offer colliding tool and prompt names)");
                }
            }
            String uriPrefix = u.uriPrefix().orElse(defaultUriPrefix(name));
            // Resource URIs route back by this prefix, so no two upstreams may share one or nest one in another.
            // The empty one is the fallback (URIs no other prefix starts); only one upstream may have it.
            for (int j = 0; j < out.size(); j++) {
                String other = out.get(j).uriPrefix();
                if (uriPrefix.equals(other)
                        || (!uriPrefix.isEmpty()
                                && !other.isEmpty()
                                && (uriPrefix.startsWith(other) || other.startsWith(uriPrefix)))) {
                    throw PluginConfigException.invalid(
                            field + ".uri_prefix",
                            uriPrefix,
                            "a uri_prefix that neither starts with nor is the start of upstreams[" + j
                                    + "].uri_prefix (" + other + ")");
                }
            }
            out.add(new McpGatewayConfig.Upstream(
                    name,
                    url,
                    prefix,
                    uriPrefix,
                    u.timeout(),
                    headers(u.headers(), field + ".headers"),
                    u.catalogTtl()));
        }
        return out;
    }

    /** {@code Calc_Tools} becomes {@code calc-tools+}; a name not starting with a letter gets {@code u} in front. */
    static String defaultUriPrefix(String name) {
        String scheme = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return (Character.isLetter(scheme.charAt(0)) ? "" : "u") + scheme + "+";
    }

    private static AccessPolicy access(McpGatewayValue.Access access) {
        List<AccessPolicy.Rule> rules = new ArrayList<>();
        for (McpGatewayValue.AccessRule r : access.rules()) {
            rules.add(new AccessPolicy.Rule(r.tools(), Set.copyOf(r.allow()), Set.copyOf(r.deny())));
        }
        return new AccessPolicy(access.defaultAllow(), rules);
    }

    private static List<McpGatewayConfig.RateLimitRule> rateLimits(List<McpGatewayValue.RateLimit> values) {
        List<McpGatewayConfig.RateLimitRule> out = new ArrayList<>();
        for (McpGatewayValue.RateLimit r : values) {
            int burst = r.burst().orElse((int) Math.ceil(r.perSecond()));
            out.add(new McpGatewayConfig.RateLimitRule(r.tools(), r.methods(), r.perSecond(), burst, r.perConsumer()));
        }
        return out;
    }

    /** An http(s) URL with a host and neither user info nor fragment: the only places the gateway may call. */
    static URI httpUri(String value, String field) throws PluginConfigException {
        try {
            URI uri = new URI(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                    || uri.getHost() == null
                    || uri.getRawUserInfo() != null
                    || uri.getRawFragment() != null) {
                throw PluginConfigException.invalid(
                        field, value, "an http(s) URL with a host, no user info or fragment");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw PluginConfigException.invalid(field, value, "an http(s) URL");
        }
    }
}
