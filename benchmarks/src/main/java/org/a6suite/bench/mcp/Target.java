package org.a6suite.bench.mcp;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;

/**
 * One measured path to the same order lookup, and the client side of it. Every client owns one {@link HttpClient}
 * (HTTP/1.1, so one kept-alive connection), like an independent agent.
 */
final class Target {

    /** The three paths of the comparison. */
    enum Kind {
        /** {@code GET <backend>/api/orders/{id}}: exactly the request the tool makes. */
        DIRECT("direct"),
        /** The same GET through the APISIX emulator on a route without ext-plugins (one extra HTTP hop). */
        EMULATOR_NOOP("emulator-noop"),
        /** MCP {@code tools/call} of {@code orders_get} through the emulator, the runner and mcp-gateway. */
        GATEWAY("gateway"),
        /** MCP {@code tools/call} of {@code add} straight to an upstream MCP server (official Java SDK). */
        UPSTREAM_DIRECT("upstream-direct"),
        /** The same call as {@code calc_add} through the emulator, the runner and mcp-gateway federating it. */
        GATEWAY_FEDERATED("gateway-federated");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        static Kind of(String label) {
            return Arrays.stream(values())
                    .filter(k -> k.label.equals(label))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("target: " + label
                            + " (expected: direct, emulator-noop, gateway, upstream-direct or gateway-federated)"));
        }
    }

    static final String PROTOCOL_VERSION = "2025-11-25";
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Target() {}

    /** One closed-loop client: {@link #call()} sends one request and waits for its answer. */
    interface Client {
        /** @return whether the answer was the expected success */
        boolean call() throws IOException, InterruptedException;
    }

    static HttpClient httpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** A plain GET of {@code <base>/api/orders/<id>} with the tool's {@code accept} header. */
    static Client get(HttpClient http, URI base, String orderId) {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/orders/" + orderId))
                .header("accept", "application/json")
                .timeout(TIMEOUT)
                .GET()
                .build();
        String expected = "\"id\":\"" + orderId + "\"";
        return () -> {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains(expected);
        };
    }

    /**
     * An MCP client speaking Streamable HTTP directly: {@code initialize} (keeping the session id) and
     * {@code notifications/initialized} now, then one {@code tools/call} of {@code orders_get} per {@link
     * Client#call()}. The answer counts as a success when it is HTTP 200 with {@code structuredContent} for this
     * order and no {@code isError: true}; the driver matches strings instead of parsing so that its own cost stays
     * small and the same for every target.
     */
    static Client mcp(HttpClient http, URI endpoint, String orderId) throws IOException, InterruptedException {
        String expected = "\"id\":\"" + orderId + "\"";
        return mcpCall(http, endpoint, "orders_get", "{\"id\":\"" + orderId + "\"}", expected);
    }

    /**
     * Like {@link #mcp}, for any tool: one {@code tools/call} of {@code tool} with {@code argumentsJson} per call,
     * a success when the answer holds {@code structuredContent} and {@code expected} and no {@code isError: true}.
     */
    static Client mcpCall(HttpClient http, URI endpoint, String tool, String argumentsJson, String expected)
            throws IOException, InterruptedException {
        requireNonNull(endpoint, "endpoint");
        HttpResponse<String> init =
                http.send(post(endpoint, null, """
                {"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},\
                "clientInfo":{"name":"a6-mcp-bench","version":"1"}}}""".formatted(PROTOCOL_VERSION)), HttpResponse.BodyHandlers.ofString());
        String session = init.headers()
                .firstValue("mcp-session-id")
                .orElseThrow(() -> new IOException(
                        "initialize: HTTP " + init.statusCode() + " without mcp-session-id: " + init.body()));
        HttpResponse<String> ack = http.send(
                post(endpoint, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
                HttpResponse.BodyHandlers.ofString());
        if (ack.statusCode() != 202) {
            throw new IOException("notifications/initialized: HTTP " + ack.statusCode() + " (expected: 202)");
        }
        long[] nextId = {1};
        return () -> {
            String body = """
                    {"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"%s",\
                    "arguments":%s}}""".formatted(nextId[0]++, tool, argumentsJson);
            HttpResponse<String> r = http.send(post(endpoint, session, body), HttpResponse.BodyHandlers.ofString());
            String text = r.body();
            return r.statusCode() == 200
                    && text.contains("\"structuredContent\"")
                    && text.contains(expected)
                    && !text.contains("\"isError\":true");
        };
    }

    private static HttpRequest post(URI endpoint, String session, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint)
                .timeout(TIMEOUT)
                .header("accept", "application/json, text/event-stream")
                .header("content-type", "application/json")
                .header("mcp-protocol-version", PROTOCOL_VERSION)
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (session != null) {
            b.header("mcp-session-id", session);
        }
        return b.build();
    }
}
