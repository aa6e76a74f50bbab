package org.a6suite.mcp.internal;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.mcp.McpGatewayConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An mcp-gateway value as written ({@code schemas/mcp-gateway.json}, defaults filled in), bound by Jackson. It holds
 * no rule of its own: the schema has checked types, ranges, patterns and unknown fields; {@link ConfigRules} resolves
 * secrets, compiles tools and checks what spans fields, building the {@link McpGatewayConfig}.
 */
public record McpGatewayValue(
        McpGatewayConfig.Mode mode,
        ServerInfo serverInfo,
        Optional<String> instructions,
        List<String> allowedOrigins,
        int pageSize,
        int maxRequestBytes,
        int maxResultBytes,
        Principal principal,
        Session session,
        List<Backend> backends,
        List<Tool> tools,
        List<OpenApi> openapi,
        List<Upstream> upstreams,
        List<Resource> resources,
        List<Prompt> prompts,
        Access access,
        List<RateLimit> rateLimits,
        CallLog callLog,
        Streaming stream) {

    /** {@code server_info}. */
    public record ServerInfo(String name, String version) {}

    /** {@code principal}: {@code var} is empty when written as {@code null}. */
    public record Principal(Optional<String> var, Optional<String> header) {}

    /** {@code session}. */
    public record Session(
            List<Key> keys,
            Optional<String> activeKey,
            @JsonProperty("ttl_ms") Duration ttl,
            Optional<String> audience) {}

    /** {@code session.keys[]}: an id and where its material comes from. */
    public record Key(String id, Optional<String> env, Optional<String> file) {
        /** Ids only: a key's reference is not the key, but there is no reason to print it. */
        @Override
        public String toString() {
            return "Key[" + id + "]";
        }
    }

    /** {@code backends[]}; a header value is a string or a secret reference. */
    public record Backend(
            String name,
            String baseUrl,
            @JsonProperty("timeout_ms") Duration timeout,
            Map<String, JsonNode> headers,
            int maxAttempts,
            boolean breaker) {}

    /** {@code tools[]}; an argument binding is a location string or {@code {in, name}}. */
    public record Tool(
            String name,
            Optional<String> title,
            Optional<String> description,
            ObjectNode inputSchema,
            Optional<ObjectNode> outputSchema,
            String backend,
            String method,
            String path,
            Map<String, JsonNode> args,
            Response response) {}

    /** {@code tools[].response}, {@code resources[].response}. */
    public record Response(Optional<String> pointer) {}

    /** {@code openapi[]}. */
    public record OpenApi(String file, String backend, String prefix, List<String> operations) {}

    /** {@code upstreams[]}; {@code prefix} and {@code uri_prefix} default from the name. */
    public record Upstream(
            String name,
            String url,
            Optional<String> prefix,
            Optional<String> uriPrefix,
            @JsonProperty("timeout_ms") Duration timeout,
            Map<String, JsonNode> headers,
            @JsonProperty("catalog_ttl_ms") Duration catalogTtl) {}

    /** {@code resources[]}. */
    public record Resource(
            String name,
            Optional<String> title,
            Optional<String> description,
            Optional<String> mimeType,
            Optional<String> uri,
            Optional<String> uriTemplate,
            String backend,
            String path,
            Response response) {}

    /** {@code prompts[]}. */
    public record Prompt(
            String name,
            Optional<String> title,
            Optional<String> description,
            List<Argument> arguments,
            List<Message> messages) {}

    /** {@code prompts[].arguments[]}. */
    public record Argument(String name, Optional<String> description, boolean required) {}

    /** {@code prompts[].messages[]}. */
    public record Message(String role, Optional<String> text, Optional<String> resource) {}

    /** {@code access}. */
    public record Access(boolean defaultAllow, List<AccessRule> rules) {}

    /** {@code access.rules[]}. */
    public record AccessRule(List<String> tools, List<String> allow, List<String> deny) {}

    /** {@code rate_limits[]}. */
    public record RateLimit(
            List<String> tools, List<String> methods, double perSecond, Optional<Integer> burst, boolean perConsumer) {}

    /** {@code call_log}. */
    public record CallLog(boolean enabled, boolean includeArguments) {}

    /** {@code stream}. */
    public record Streaming(
            int replayEvents,
            @JsonProperty("progress_interval_ms") Duration progressInterval) {}
}
