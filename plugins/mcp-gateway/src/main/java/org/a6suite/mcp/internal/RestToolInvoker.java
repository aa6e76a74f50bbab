package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundRequest;
import org.a6suite.http.SecretRedactor;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.config.LocalTool;
import org.a6suite.mcp.config.UriTemplate;
import org.a6suite.mcp.jsonrpc.JsonTrees;
import org.a6suite.resilience.CallNotPermittedException;
import org.a6suite.resilience.DeadlineExceededException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Calls a REST tool: builds the backend request from validated arguments, sends it through {@link Outbound}, and
 * turns the answer into an MCP {@code CallToolResult}. Backend failures become {@code isError} results with a clear
 * text; they are never JSON-RPC errors. A successful answer is never turned into an error: one that does not match
 * the tool's {@code outputSchema} is returned with a warning in the call log.
 */
public final class RestToolInvoker {

    private static final int MAX_ERROR_SNIPPET = 512;
    private static final Logger CALL_LOG = LoggerFactory.getLogger("org.a6suite.mcp.calls");
    /** Headers a tool argument may not set: they would change where or how the request is delivered. */
    private static final java.util.Set<String> RESTRICTED_HEADERS = java.util.Set.of(
            "connection",
            "content-length",
            "expect",
            "host",
            "upgrade",
            "keep-alive",
            "te",
            "transfer-encoding",
            "proxy-connection",
            "http2-settings");

    private final Outbound outbound;
    private final ObjectMapper mapper;
    private final RequestParts parts = new RequestParts();
    /** The backend's answer read and written without the mapper's per-call contexts (same nodes, same text). */
    private final JsonTrees trees;

    public RestToolInvoker(Outbound outbound, ObjectMapper mapper) {
        this.outbound = requireNonNull(outbound, "outbound");
        this.mapper = requireNonNull(mapper, "mapper");
        this.trees = new JsonTrees(mapper);
    }

    /** An argument that cannot be placed in a request; reported to the client as an {@code isError} result. */
    public static final class BadArgumentException extends Exception {
        public BadArgumentException(String message) {
            super(message);
        }
    }

    /**
     * Builds the backend request. The URL is the backend's base URL plus the tool's path with each placeholder
     * replaced by its percent-encoded argument (a {@code /} in a value becomes {@code %2F}, {@code .} and {@code ..}
     * are refused), so no argument can leave the base path or reach another host; the result is checked again.
     */
    public OutboundRequest.Builder request(LocalTool tool, McpGatewayConfig.Backend backend, ObjectNode args)
            throws BadArgumentException {
        String template = tool.pathTemplate();
        // The whole URL in one builder: the base, then the path, then the query.
        String base = backend.baseUrl().toString();
        StringBuilder url = new StringBuilder(base.length() + template.length() + 32).append(base);
        boolean perCall = false;
        int last = 0;
        for (int open = template.indexOf('{'); open >= 0; open = template.indexOf('{', open + 1)) {
            int close = placeholderEnd(template, open);
            if (close < 0) {
                continue;
            }
            url.append(template, last, open);
            String name = template.substring(open + 1, close);
            JsonNode value = args.get(name);
            if (value == null || value.isNull()) {
                throw new BadArgumentException("missing path argument: " + name);
            }
            String text = scalar(name, value);
            if (text.isEmpty() || text.equals(".") || text.equals("..")) {
                throw new BadArgumentException("argument " + name + ": " + text + " (expected: a non-empty path "
                        + "segment other than . and ..)");
            }
            url.append(encode(text));
            perCall = true;
            last = close + 1;
            open = close;
        }
        url.append(template, last, template.length());

        List<String> query = new ArrayList<>();
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        JsonNode wholeBody = null;
        boolean bodyMethod = switch (tool.method()) {
            case "POST", "PUT", "PATCH" -> true;
            default -> false;
        };
        // Only a method with a body collects arguments into one.
        ObjectNode bodyObject = bodyMethod ? mapper.createObjectNode() : null;
        for (var e : args.properties()) {
            String name = e.getKey();
            JsonNode value = e.getValue();
            LocalTool.ArgBinding binding = tool.args().get(name);
            LocalTool.ArgBinding.In in =
                    binding != null ? binding.in() : bodyMethod ? null : LocalTool.ArgBinding.In.QUERY;
            String target = binding != null ? binding.name() : name;
            if (in == null) {
                bodyObject.set(name, value);
                continue;
            }
            switch (in) {
                case PATH -> {}
                case QUERY -> {
                    if (value.isArray()) {
                        for (JsonNode v : value) {
                            query.add(encode(target) + "=" + encode(scalar(name, v)));
                        }
                    } else if (!value.isNull()) {
                        query.add(encode(target) + "=" + encode(scalar(name, value)));
                    }
                }
                case HEADER -> {
                    String text = scalar(name, value);
                    if (text.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                        throw new BadArgumentException("argument " + name + ": control characters (expected: a "
                                + "single-line header value)");
                    }
                    headers.add(Map.entry(target, text));
                }
                case BODY -> wholeBody = value;
            }
        }
        perCall |= !query.isEmpty();
        URI uri = perCall ? null : parts.fixedUri(tool, backend).orElse(null);
        if (uri == null) {
            if (!query.isEmpty()) {
                url.append('?').append(String.join("&", query));
            }
            uri = URI.create(url.toString());
            if (!sameOrigin(uri, backend.baseUrl())
                    || !uri.getRawPath().startsWith(backend.baseUrl().getRawPath() + "/")) {
                // Unreachable with the checks above; kept so a future change cannot silently open an SSRF hole.
                throw new BadArgumentException("refused: the request would leave backend " + backend.name());
            }
            if (!perCall) {
                parts.keepFixedUri(tool, backend, uri);
            }
        }
        OutboundRequest.Builder builder = OutboundRequest.builder(tool.method(), uri);
        Optional<org.a6suite.http.OutboundHeaders> fixedHeaders =
                headers.isEmpty() ? parts.headers(backend) : Optional.empty();
        if (fixedHeaders.isPresent()) {
            builder.headers(fixedHeaders.get());
        } else {
            merge(builder, backend, headers);
        }
        byte[] body = wholeBody != null
                ? mapper.writeValueAsBytes(wholeBody)
                : bodyMethod ? mapper.writeValueAsBytes(bodyObject) : null;
        if (body != null) {
            builder.header("content-type", "application/json");
            builder.body(body);
        }
        // The tool's declaration decides whether a second copy is harmless, not the HTTP method alone.
        return builder.idempotent(tool.idempotent());
    }

    /** Header arguments (or a backend header the prebuilt set could not hold) merged per call. */
    private static void merge(
            OutboundRequest.Builder builder, McpGatewayConfig.Backend backend, List<Map.Entry<String, String>> headers)
            throws BadArgumentException {
        // setHeader semantics, as with the JDK client: a later source replaces an earlier one of the same name.
        Map<String, String> merged = new LinkedHashMap<>();
        merged.put("accept", "application/json");
        backend.headers().forEach((name, value) -> merged.put(name.toLowerCase(Locale.ROOT), value));
        for (var h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (RESTRICTED_HEADERS.contains(name)) {
                throw new BadArgumentException("a header argument names a restricted header");
            }
            merged.put(name, h.getValue());
        }
        try {
            merged.forEach(builder::header);
        } catch (IllegalArgumentException e) {
            throw new BadArgumentException("a header argument names a restricted header");
        }
    }

    /** Calls the backend and maps the answer; the stage never fails, failures become {@code isError} results. */
    public CompletionStage<ObjectNode> call(
            LocalTool tool, McpGatewayConfig.Backend backend, ObjectNode args, int maxResultBytes) {
        OutboundRequest.Builder request;
        try {
            request = request(tool, backend, args);
        } catch (BadArgumentException e) {
            return CompletableFuture.completedFuture(CallResults.error(mapper, e.getMessage()));
        }
        int attempts = tool.idempotent() ? backend.retries() : 1;
        CompletableFuture<Outbound.Reply> sent = outbound.send(
                        "mcp/rest/" + backend.name(),
                        request,
                        maxResultBytes,
                        backend.timeout(),
                        attempts,
                        backend.breaker())
                .toCompletableFuture();
        CompletableFuture<ObjectNode> mapped = sent.handle((response, error) ->
                error != null ? failure(backend, error, maxResultBytes) : map(tool, backend, response));
        // A cancelled call (the client's notifications/cancelled) closes the backend request.
        mapped.whenComplete((r, e) -> {
            if (mapped.isCancelled()) {
                sent.cancel(true);
            }
        });
        return mapped;
    }

    /**
     * Sends a REST resource's GET (built like a tool call's request, with the same SSRF checks) and returns the raw
     * answer. The stage fails with {@link BadArgumentException} for an argument that cannot be placed, and with the
     * transport's failure otherwise ({@link #describe} turns it into text).
     */
    public CompletionStage<Outbound.Reply> fetch(
            LocalTool tool, McpGatewayConfig.Backend backend, ObjectNode args, int maxResultBytes) {
        OutboundRequest.Builder request;
        try {
            request = request(tool, backend, args);
        } catch (BadArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return outbound.send(
                "mcp/rest/" + backend.name(),
                request,
                maxResultBytes,
                backend.timeout(),
                backend.retries(),
                backend.breaker());
    }

    /** A non-2xx answer's body for a client: redacted of the backend's credential headers, at most 512 characters. */
    static String snippet(McpGatewayConfig.Backend backend, byte[] body) {
        String redacted =
                new SecretRedactor(() -> backend.headers().values()).redact(new String(body, StandardCharsets.UTF_8));
        return redacted.length() > MAX_ERROR_SNIPPET ? redacted.substring(0, MAX_ERROR_SNIPPET) + "..." : redacted;
    }

    private ObjectNode map(LocalTool tool, McpGatewayConfig.Backend backend, Outbound.Reply response) {
        byte[] body = response.body();
        if (response.status() >= 300) {
            // The backend's own words help the client, but some echo the request: never its credential headers.
            String snippet = snippet(backend, body);
            return CallResults.error(
                    mapper,
                    "backend " + backend.name() + " answered HTTP " + response.status()
                            + (snippet.isBlank() ? "" : ": " + snippet));
        }
        Optional<JsonNode> json = Optional.empty();
        if (body.length > 0) {
            try {
                json = Optional.of(trees.readTree(body));
            } catch (JacksonException e) {
                json = Optional.empty();
            }
        }
        if (json.isPresent() && tool.responsePointer().isPresent()) {
            JsonNode selected =
                    json.get().at(JsonPointer.compile(tool.responsePointer().get()));
            if (selected.isMissingNode()) {
                return CallResults.error(
                        mapper,
                        "backend " + backend.name() + " answer has nothing at "
                                + tool.responsePointer().get());
            }
            json = Optional.of(selected);
        }
        if (tool.outputValidator().isPresent()) {
            // The backend already acted (a POST created the order): an answer that does not fit the declared
            // schema is the declaration's problem, so it is logged and returned, never turned into an error that
            // would make the model call again.
            if (json.isEmpty() || !json.get().isObject()) {
                CALL_LOG.warn(
                        "mcp tools/call tool={} backend={} warning=answer is not a JSON object although the "
                                + "tool declares an outputSchema; returned as text",
                        tool.name(),
                        backend.name());
                return CallResults.text(
                        mapper, json.map(trees::writeString).orElseGet(() -> new String(body, StandardCharsets.UTF_8)));
            }
            List<String> violations =
                    JsonSchemas.violations(tool.outputValidator().get(), json.get());
            if (!violations.isEmpty()) {
                CALL_LOG.warn(
                        "mcp tools/call tool={} backend={} warning=answer does not match the outputSchema, "
                                + "returned anyway: {}",
                        tool.name(),
                        backend.name(),
                        String.join("; ", violations));
            }
            return CallResults.structured(mapper, trees.writeString(json.get()));
        }
        return CallResults.text(
                mapper, json.map(trees::writeString).orElseGet(() -> new String(body, StandardCharsets.UTF_8)));
    }

    private ObjectNode failure(McpGatewayConfig.Backend backend, Throwable error, int maxResultBytes) {
        return CallResults.error(mapper, describe(backend, error, maxResultBytes));
    }

    /** Why a call to {@code backend} failed, for a human: never an exception class name. */
    static String describe(McpGatewayConfig.Backend backend, Throwable error, int maxResultBytes) {
        Throwable cause = Outbound.cause(error);
        OutboundException.Kind kind = cause instanceof OutboundException e ? e.kind() : null;
        String why;
        if (kind == OutboundException.Kind.BODY_TOO_LARGE) {
            why = "backend " + backend.name() + " answer exceeds max_result_bytes (" + maxResultBytes + ")";
        } else if (cause instanceof DeadlineExceededException
                || kind == OutboundException.Kind.RESPONSE_HEAD_TIMEOUT
                || kind == OutboundException.Kind.READ_IDLE_TIMEOUT) {
            why = "backend " + backend.name() + " did not answer within "
                    + backend.timeout().toMillis() + " ms";
        } else if (cause instanceof CallNotPermittedException) {
            why = "backend " + backend.name() + " is unavailable (circuit breaker open after repeated failures)";
        } else if (kind == OutboundException.Kind.CONNECT_FAILED
                && cause.getMessage().startsWith("connection refused")) {
            why = "backend " + backend.name() + " refused the connection";
        } else {
            why = "backend " + backend.name() + " call failed (" + Outbound.describe(cause) + ")";
        }
        return why;
    }

    /**
     * Where the placeholder opened at {@code open} closes: a {@code {name}} of {@code [A-Za-z0-9_.-]+}; -1 when the
     * brace opens none (then it is literal text). A scan, not a regular expression: this runs on every call.
     */
    static int placeholderEnd(String template, int open) {
        int i = open + 1;
        while (i < template.length() && isNameChar(template.charAt(i))) {
            i++;
        }
        return i > open + 1 && i < template.length() && template.charAt(i) == '}' ? i : -1;
    }

    private static boolean isNameChar(char c) {
        return (c >= 'A' && c <= 'Z')
                || (c >= 'a' && c <= 'z')
                || (c >= '0' && c <= '9')
                || c == '_'
                || c == '.'
                || c == '-';
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equals(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && a.getPort() == b.getPort()
                && a.getRawUserInfo() == null;
    }

    private static String scalar(String name, JsonNode value) throws BadArgumentException {
        if (value.isString()) {
            return value.stringValue();
        }
        if (value.isNumber() || value.isBoolean()) {
            return value.asString();
        }
        throw new BadArgumentException(
                "argument " + name + ": " + value.getNodeType() + " (expected: a string, number or boolean here)");
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters. */
    static String encode(String text) {
        return UriTemplate.encode(text);
    }
}
