package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.KeyRing;
import org.a6suite.mcp.jsonrpc.JsonRpcError;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.RequestView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Client sessions: initialize (upstream sessions opened and sealed into the {@code Mcp-Session-Id}), opening the id
 * of every later request ({@code MCP-Protocol-Version} 400, missing 400, unknown/tampered/expired/ended 404, another
 * consumer's 403) and DELETE. One {@link SessionSealer} per key ring, built when a configuration is first used.
 */
public final class SessionService {

    private static final Logger LOG = LoggerFactory.getLogger(SessionService.class);
    /** The client capabilities the gateway can relay on the lane: its server-to-client requests. */
    private static final List<String> RELAYABLE = List.of("sampling", "elicitation", "roots");

    private final ObjectMapper mapper;
    private final Clock clock;
    private final SecureRandom random;
    private final UpstreamClient upstreams;
    private final UpstreamSessions upstreamSessions;
    /** Keyed by the configuration's key ring (identity): one sealer per parsed configuration, not per request. */
    private final Map<KeyRing, SessionSealer> sealers = Collections.synchronizedMap(new WeakHashMap<>());
    /** Sessions ended with DELETE on this node (a sealed id cannot be revoked everywhere; see the docs). */
    private final BoundedCache<String, Instant> endedSessions = new BoundedCache<>(10_000);

    public SessionService(
            ObjectMapper mapper,
            Clock clock,
            SecureRandom random,
            UpstreamClient upstreams,
            UpstreamSessions upstreamSessions) {
        this.mapper = requireNonNull(mapper, "mapper");
        this.clock = requireNonNull(clock, "clock");
        this.random = requireNonNull(random, "random");
        this.upstreams = requireNonNull(upstreams, "upstreams");
        this.upstreamSessions = requireNonNull(upstreamSessions, "upstreamSessions");
    }

    /** The outcome of opening a request's session. */
    public sealed interface Opened {
        record Open(SessionContext session) implements Opened {}

        record Refused(HttpGuard.Refusal refusal) implements Opened {}
    }

    /** An initialize's answer and, when it succeeded, the sealed session id. */
    public record Initialized(JsonRpcMessage.Response response, Optional<String> sessionId) {}

    SessionSealer sealer(McpGatewayConfig config) {
        return sealers.computeIfAbsent(
                config.session().keyRing(), ring -> new SessionSealer(ring, mapper, clock, random));
    }

    /** Checks the protocol version header and opens the session of a request other than initialize. */
    public Opened open(
            RequestView request, McpGatewayConfig config, String audience, String principal, Optional<JsonRpcId> id) {
        Optional<String> version = request.header("mcp-protocol-version");
        if (version.isPresent() && !ProtocolVersions.isSupported(version.get())) {
            return refused(
                    400,
                    id,
                    "unsupported MCP-Protocol-Version: " + version.get() + " (expected: one of "
                            + ProtocolVersions.SUPPORTED + ")");
        }
        Optional<String> token = request.header("mcp-session-id");
        if (token.isEmpty()) {
            return refused(400, id, "missing Mcp-Session-Id (expected: the id returned by initialize)");
        }
        Optional<SessionContext> opened = sealer(config).open(token.get(), audience);
        if (opened.isEmpty() || endedSessions.get(opened.get().sessionId()).isPresent()) {
            return refused(404, id, "session not found or expired; initialize a new session");
        }
        if (!opened.get().principal().equals(principal)) {
            return refused(403, id, "session belongs to another consumer; initialize a new session");
        }
        return new Opened.Open(opened.get());
    }

    private static Opened refused(int status, Optional<JsonRpcId> id, String message) {
        return new Opened.Refused(new HttpGuard.Refusal(status, id, JsonRpcError.invalidRequest(message)));
    }

    /**
     * Answers initialize: opens a session on every upstream (a failed one is retried on first use) and seals them.
     * With {@code relays} (the lane), the client's sampling, elicitation and roots capabilities are declared upstream
     * and relayed, and {@code listChanged} is promised where an upstream offers it.
     */
    public CompletionStage<Initialized> initialize(
            McpGatewayConfig config, String audience, String principal, JsonRpcMessage.Request r, boolean relays) {
        JsonNode params = r.params().orElse(mapper.createObjectNode());
        JsonNode requested = params.path("protocolVersion");
        if (!params.isObject() || !requested.isString()) {
            return CompletableFuture.completedFuture(new Initialized(
                    JsonRpcMessage.Response.failure(
                            Optional.of(r.id()),
                            JsonRpcError.invalidParams("initialize: params.protocolVersion missing "
                                    + "(expected: a version string such as " + ProtocolVersions.LATEST + ")")),
                    Optional.empty()));
        }
        String version = ProtocolVersions.negotiate(requested.stringValue());
        String clientName = params.path("clientInfo").path("name").asString("");
        String clientVersion = params.path("clientInfo").path("version").asString("");
        ObjectNode relayed = mapper.createObjectNode();
        if (relays) {
            JsonNode declared = params.path("capabilities");
            for (String capability : RELAYABLE) {
                if (declared.path(capability).isObject()) {
                    relayed.set(capability, declared.path(capability).deepCopy());
                }
            }
        }
        String sessionId = randomId();
        Map<String, String> sealedUpstreams = new LinkedHashMap<>();
        List<CompletableFuture<Void>> inits = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : config.upstreams()) {
            inits.add(upstreams
                    .initialize(upstream, config.serverName(), config.serverVersion(), config.maxResultBytes(), relayed)
                    .toCompletableFuture()
                    .handle((s, e) -> {
                        if (e != null) {
                            LOG.warn(
                                    "mcp-gateway: upstream {} initialize failed ({}); retried on first use",
                                    upstream.name(),
                                    Outbound.describe(e));
                        } else {
                            synchronized (sealedUpstreams) {
                                sealedUpstreams.put(upstream.name(), s.encode());
                            }
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(inits.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, String> ups;
            synchronized (sealedUpstreams) {
                ups = Map.copyOf(sealedUpstreams);
            }
            List<Set<ServerFeature>> offered = ups.values().stream()
                    .flatMap(u -> UpstreamClient.Session.decode(u).flatMap(UpstreamClient.Session::features).stream())
                    .toList();
            SessionContext session = new SessionContext(
                    sessionId,
                    version,
                    clientName,
                    clientVersion,
                    principal,
                    ups,
                    catalogHash(config, principal),
                    clock.instant().plus(config.session().ttl()),
                    mapper.writeValueAsString(relayed));
            ObjectNode result = mapper.createObjectNode();
            result.put("protocolVersion", version);
            // listChanged needs notifications relayed to the client: only the lane can (see FederatedFeatures).
            result.set("capabilities", FederatedFeatures.capabilities(mapper, config, offered, relays));
            result.putObject("serverInfo").put("name", config.serverName()).put("version", config.serverVersion());
            config.instructions().ifPresent(i -> result.put("instructions", i));
            return new Initialized(
                    JsonRpcMessage.Response.success(r.id(), result),
                    Optional.of(sealer(config).seal(session, audience)));
        });
    }

    /** DELETE: ends the session on this node and on every upstream; the HTTP status to answer, or a refusal. */
    public CompletionStage<Optional<HttpGuard.Refusal>> delete(
            RequestView request, McpGatewayConfig config, String audience, String principal) {
        Optional<String> token = request.header("mcp-session-id");
        if (token.isEmpty()) {
            return refusal(400, "missing Mcp-Session-Id");
        }
        Optional<SessionContext> session = sealer(config).open(token.get(), audience);
        if (session.isEmpty() || endedSessions.get(session.get().sessionId()).isPresent()) {
            return refusal(404, "session not found");
        }
        if (!session.get().principal().equals(principal)) {
            return refusal(403, "session belongs to another consumer");
        }
        endedSessions.put(session.get().sessionId(), session.get().expiresAt());
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (McpGatewayConfig.Upstream upstream : config.upstreams()) {
            upstreamSessions
                    .current(session.get(), upstream)
                    .ifPresent(s -> deletes.add(upstreams.delete(upstream, s).toCompletableFuture()));
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
                .thenApply(v -> Optional.empty());
    }

    /** The session id a valid DELETE names, for node-local clean-up; empty when it does not open. */
    public Optional<String> sessionIdOf(RequestView request, McpGatewayConfig config, String audience) {
        return request.header("mcp-session-id")
                .flatMap(t -> sealer(config).open(t, audience))
                .map(SessionContext::sessionId);
    }

    private static CompletionStage<Optional<HttpGuard.Refusal>> refusal(int status, String message) {
        return CompletableFuture.completedFuture(
                Optional.of(new HttpGuard.Refusal(status, Optional.empty(), JsonRpcError.invalidRequest(message))));
    }

    private static String catalogHash(McpGatewayConfig config, String principal) {
        List<String> names = new ArrayList<>(config.tools().keySet().stream()
                .filter(n -> config.access().permits(principal, n))
                .toList());
        config.upstreams().forEach(u -> names.add("upstream:" + u.name() + ":" + u.prefix()));
        names.sort(null);
        return sha256(String.join("\n", names)).substring(0, 16);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String randomId() {
        byte[] bytes = new byte[12];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
