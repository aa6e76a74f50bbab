package org.a6suite.mcp;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.mcp.config.KeyRing;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.config.RestPrompt;
import org.a6suite.mcp.config.RestResource;

/**
 * The validated, immutable configuration of one {@code mcp-gateway} route, read once at PrepareConf from the
 * value {@code schemas/mcp-gateway.json} describes (snake_case fields; this record's names are the Java side).
 * Every field is documented with its default in {@code docs/plugins/mcp-gateway.md}.
 *
 * @param serverName        {@code server_info.name}, serverInfo in the InitializeResult (default {@code a6-mcp-gateway})
 * @param serverVersion     {@code server_info.version} (default {@code 0.1.0})
 * @param instructions      optional {@code instructions} in the InitializeResult
 * @param allowedOrigins    browser origins allowed to call; {@code *} allows any; requests without {@code Origin}
 *                          are always allowed (default: none)
 * @param pageSize          tools per {@code tools/list} page, 1..1000 (default 50)
 * @param maxRequestBytes   largest accepted request body (default 1 MiB)
 * @param maxResultBytes    largest accepted backend or upstream response body (default 1 MiB)
 * @param principal         where the consumer identity comes from
 * @param session           sealing of {@code Mcp-Session-Id}
 * @param backends          REST backends by name: the only hosts REST tools may contact
 * @param tools             REST tools, declared and generated from OpenAPI documents, by name
 * @param upstreams         federated upstream MCP servers, in configuration order
 * @param access            allow/deny rules by prefixed tool or prompt name or resource URI
 * @param rateLimits        token buckets per method and target (per runner node)
 * @param callLog           call-log settings
 * @param mode              {@code invoke} (whole JSON answers over the A6 socket, the default) or {@code lane}
 *                          (full Streamable HTTP on the runner's HTTP lane: SSE answers, GET streams, relays)
 * @param stream            SSE settings of lane mode
 * @param resources         read-only REST endpoints offered as MCP resources (fixed URIs and URI templates)
 * @param prompts           prompt templates declared in the route
 */
public record McpGatewayConfig(
        String serverName,
        String serverVersion,
        Optional<String> instructions,
        Set<String> allowedOrigins,
        int pageSize,
        int maxRequestBytes,
        int maxResultBytes,
        PrincipalSource principal,
        SessionSettings session,
        Map<String, Backend> backends,
        Map<String, LocalTool> tools,
        List<Upstream> upstreams,
        AccessPolicy access,
        List<RateLimitRule> rateLimits,
        CallLog callLog,
        Mode mode,
        Streaming stream,
        List<RestResource> resources,
        List<RestPrompt> prompts) {

    public McpGatewayConfig {
        requireNonNull(serverName, "serverName");
        requireNonNull(serverVersion, "serverVersion");
        requireNonNull(instructions, "instructions");
        allowedOrigins = Set.copyOf(allowedOrigins);
        requireNonNull(principal, "principal");
        requireNonNull(session, "session");
        backends = Map.copyOf(backends);
        tools = Map.copyOf(tools);
        upstreams = List.copyOf(upstreams);
        requireNonNull(access, "access");
        rateLimits = List.copyOf(rateLimits);
        requireNonNull(callLog, "callLog");
        requireNonNull(mode, "mode");
        requireNonNull(stream, "stream");
        resources = List.copyOf(resources);
        prompts = List.copyOf(prompts);
    }

    /** Where requests are served. */
    public enum Mode {
        /** Whole {@code application/json} answers from the A6 call; no GET stream, nothing relayed before a result. */
        INVOKE,
        /** Validated in pre-req, served on the runner's HTTP lane: full Streamable HTTP. */
        LANE
    }

    /**
     * SSE settings of lane mode.
     *
     * @param replayEvents     {@code replay_events}: events each session keeps on its node for {@code Last-Event-ID} resumption, 0..10000
     *                         (default 256; also bounded to 1 MiB per session)
     * @param progressInterval {@code progress_interval_ms}: how often a REST tool call that runs long reports progress to a client that gave a
     *                         {@code progressToken} (default 1 s)
     */
    public record Streaming(int replayEvents, Duration progressInterval) {
        public Streaming {
            requireNonNull(progressInterval, "progressInterval");
        }
    }

    /**
     * Consumer identity: the APISIX variable first (e.g. {@code consumer_name}, set by auth plugins, so use
     * {@code ext-plugin-post-req}), then the header; neither gives the anonymous principal {@code ""}.
     */
    public record PrincipalSource(Optional<String> var, Optional<String> header) {
        public PrincipalSource {
            requireNonNull(var, "var");
            requireNonNull(header, "header");
        }
    }

    /**
     * @param keyRing  keys that open sessions; the active one seals
     * @param ttl      {@code ttl_ms}: how long a session stays valid after initialize (default 1 h)
     * @param audience binds sessions to this value (default: the APISIX route id), so one route's ids do not open
     *                 on another route sharing the key ring
     */
    public record SessionSettings(KeyRing keyRing, Duration ttl, Optional<String> audience) {
        public SessionSettings {
            requireNonNull(keyRing, "keyRing");
            requireNonNull(ttl, "ttl");
            requireNonNull(audience, "audience");
        }
    }

    /**
     * A REST backend.
     *
     * @param name     referenced by tools
     * @param baseUrl  scheme, host, port and base path; tool URLs must stay under it
     * @param timeout  total deadline per tool call, retries included (default 10 s)
     * @param headers  static headers sent on every call (values may come from env/file references)
     * @param retries  {@code max_attempts}: attempts for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS), 1..5 (default 1: no retry)
     * @param breaker  whether calls go through a circuit breaker per backend (default true)
     */
    public record Backend(
            String name, URI baseUrl, Duration timeout, Map<String, String> headers, int retries, boolean breaker) {
        public Backend {
            requireNonNull(name, "name");
            requireNonNull(baseUrl, "baseUrl");
            requireNonNull(timeout, "timeout");
            headers = Map.copyOf(headers);
        }

        /** Headers hold credentials: print names only. */
        @Override
        public String toString() {
            return "Backend[" + name + ", " + baseUrl + ", headers=" + headers.keySet() + "]";
        }
    }

    /**
     * A federated upstream MCP server (Streamable HTTP).
     *
     * @param name       used in session ids, logs and metrics
     * @param url        the MCP endpoint, e.g. {@code http://127.0.0.1:9000/mcp}
     * @param prefix     prepended to the upstream's tool and prompt names, and to its resources' and templates'
     *                   {@code name} (default {@code name + "_"})
     * @param uriPrefix  {@code uri_prefix}: prepended to the upstream's resource URIs and URI templates: a URI scheme fragment ending in
     *                   {@code +}, so {@code file:///a} becomes {@code calc+file:///a}, still a URI (default: the
     *                   name in lower case, {@code _} as {@code -}, then {@code +})
     * @param timeout    deadline per upstream request (default 10 s)
     * @param headers    static headers sent upstream (the client's own credentials are never forwarded)
     * @param catalogTtl {@code catalog_ttl_ms}: how long a node caches the upstream's lists (default 60 s)
     */
    public record Upstream(
            String name,
            URI url,
            String prefix,
            String uriPrefix,
            Duration timeout,
            Map<String, String> headers,
            Duration catalogTtl) {
        public Upstream {
            requireNonNull(name, "name");
            requireNonNull(url, "url");
            requireNonNull(prefix, "prefix");
            requireNonNull(uriPrefix, "uriPrefix");
            requireNonNull(timeout, "timeout");
            headers = Map.copyOf(headers);
            requireNonNull(catalogTtl, "catalogTtl");
        }

        @Override
        public String toString() {
            return "Upstream[" + name + ", " + url + ", headers=" + headers.keySet() + "]";
        }
    }

    /**
     * One rate limit: a token bucket per matching method and target (and per consumer when {@code per_consumer}).
     *
     * @param tools       target patterns ({@code *} matches any run of characters): the prefixed tool or prompt
     *                    name, the prefixed resource URI, or {@code ""} for methods without a target (lists,
     *                    logging/setLevel), which only {@code *} matches
     * @param methods     MCP method patterns the rule applies to (default {@code tools/call})
     * @param perSecond   refill rate, tokens per second (> 0)
     * @param burst       bucket capacity (>= 1; default: {@code ceil(perSecond)})
     * @param perConsumer one bucket per consumer instead of one per target (default false)
     */
    public record RateLimitRule(
            List<String> tools, List<String> methods, double perSecond, int burst, boolean perConsumer) {
        public RateLimitRule {
            tools = List.copyOf(tools);
            methods = List.copyOf(methods);
        }
    }

    /**
     * @param enabled          one log line per {@code tools/call} on logger {@code org.a6suite.mcp.calls} (default true)
     * @param includeArguments {@code include_arguments}: add the call's arguments to the line (default false: they may hold personal data)
     */
    public record CallLog(boolean enabled, boolean includeArguments) {}
}
