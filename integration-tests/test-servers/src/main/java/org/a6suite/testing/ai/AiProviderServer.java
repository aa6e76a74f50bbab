package org.a6suite.testing.ai;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * TEST FIXTURE, never a model. A loopback HTTP server that answers in the public wire formats of the model providers
 * the ai-gateway speaks, with scripted faults, and records every request so tests can assert the mapped request.
 *
 * <pre>
 *   POST /v1/chat/completions, /chat/completions           OpenAI, Mistral, DeepSeek, OpenAI-compatible (+ SSE)
 *   POST /v1/embeddings, /embeddings                        OpenAI-style embeddings
 *   POST /openai/deployments/{d}/chat/completions?api-version=..   Azure OpenAI (api-key header, + SSE)
 *   POST /openai/deployments/{d}/embeddings?api-version=..
 *   POST /v1/messages                                       Anthropic Messages (+ SSE events)
 *   POST /v1beta/models/{m}:generateContent, :streamGenerateContent?alt=sse, :batchEmbedContents   Gemini
 *   POST /api/chat, /api/embed                              Ollama (stream: true answers NDJSON)
 * </pre>
 *
 * Answers: the scripted text (default {@code "Hello from the test provider"}), or a tool call when one is scripted
 * and the request offers tools. Usage counts are fixed (prompt 11, completion 7) so tests can check accounting;
 * {@link #omitUsage(boolean)} drops them. Faults are taken one per request from a queue, then the default fault.
 */
public final class AiProviderServer implements AutoCloseable {

    public static final int PROMPT_TOKENS = 11;
    public static final int COMPLETION_TOKENS = 7;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final AtomicReference<Fault> defaultFault = new AtomicReference<>(Fault.none());
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private volatile String replyText = "Hello from the test provider";
    private volatile Optional<String[]> toolCall = Optional.empty();
    private volatile boolean omitUsage;
    private volatile Optional<String> expectedKey = Optional.empty();
    private volatile Drip drip = new Drip(java.time.Duration.ZERO, 0, java.time.Duration.ZERO);
    private final java.util.concurrent.atomic.AtomicInteger closedConnections =
            new java.util.concurrent.atomic.AtomicInteger();
    private Channel server;

    /** A slow-drip stream: the first content event after {@code firstToken}, then {@code tokens} events apart. */
    private record Drip(java.time.Duration firstToken, int tokens, java.time.Duration gap) {
    }

    private AiProviderServer() {
    }

    /** Starts on a free loopback port. */
    public static AiProviderServer start() {
        return start("127.0.0.1", 0);
    }

    /** Starts on {@code host:port} (port 0 picks a free one); the local dev stack uses fixed ports. */
    public static AiProviderServer start(String host, int port) {
        AiProviderServer s = new AiProviderServer();
        s.bind(host, port);
        return s;
    }

    private void bind(String host, int port) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 * 1024 * 1024),
                                new Handler());
                    }
                });
        try {
            server = b.bind(host, port).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** {@code http://127.0.0.1:port}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** Queues faults, one per coming request. */
    public AiProviderServer enqueue(Fault... next) {
        faults.addAll(List.of(next));
        return this;
    }

    /** The fault for requests once the queue is empty. */
    public AiProviderServer defaultFault(Fault fault) {
        defaultFault.set(fault);
        return this;
    }

    public AiProviderServer reply(String text) {
        this.replyText = text;
        return this;
    }

    /** Answers with a call of tool {@code name} with {@code argumentsJson} when the request offers tools. */
    public AiProviderServer toolCall(String name, String argumentsJson) {
        this.toolCall = Optional.of(new String[] {name, argumentsJson});
        return this;
    }

    /**
     * Streams answer as a slow drip: the head and opening events at once, the first content event after
     * {@code firstToken}, then {@code tokens} content events ({@code "tok0 "}, {@code "tok1 "}, ...) {@code gap}
     * apart. A zero gap writes as fast as the client reads (the server waits for each batch to reach the socket),
     * which serves very long streams in bounded memory. {@code tokens == 0} streams the reply text in pieces.
     */
    public AiProviderServer drip(java.time.Duration firstToken, int tokens, java.time.Duration gap) {
        this.drip = new Drip(firstToken, tokens, gap);
        return this;
    }

    /** Connections currently open to this server. */
    public int openConnections() {
        return channels.size();
    }

    /** Connections closed so far (by either side). */
    public int closedConnections() {
        return closedConnections.get();
    }

    public AiProviderServer omitUsage(boolean omit) {
        this.omitUsage = omit;
        return this;
    }

    /** Requires this key in the provider's credential header, else 401. */
    public AiProviderServer expectKey(String key) {
        this.expectedKey = Optional.of(key);
        return this;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public RecordedRequest lastRequest() {
        return requests.get(requests.size() - 1);
    }

    public void clear() {
        requests.clear();
        faults.clear();
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (server != null) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private enum Flavor { OPENAI, AZURE, ANTHROPIC, GEMINI, OLLAMA }

    private enum Kind { CHAT, EMBEDDINGS }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Map<String, String> headers = new HashMap<>();
            req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            String body = req.content().toString(StandardCharsets.UTF_8);
            requests.add(new RecordedRequest(req.method().name(), req.uri(), headers, body));
            Fault fault = Optional.ofNullable(faults.poll()).orElse(defaultFault.get());
            String path = req.uri().contains("?") ? req.uri().substring(0, req.uri().indexOf('?')) : req.uri();
            switch (fault) {
                case Fault.Hang h -> { }
                case Fault.StallBeforeFirstToken st when !isStream(req.uri(), body) ->  { }
                case Fault.Reset r -> {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                }
                case Fault.Slow s -> ctx.executor().schedule(() -> respond(ctx, req.uri(), path, headers, body,
                        Fault.none()), s.delay().toMillis(), TimeUnit.MILLISECONDS);
                default -> respond(ctx, req.uri(), path, headers, body, fault);
            }
        }

        private void respond(ChannelHandlerContext ctx, String uri, String path, Map<String, String> headers,
                String body, Fault fault) {
            Flavor flavor;
            Kind kind;
            if (path.startsWith("/openai/deployments/")) {
                flavor = Flavor.AZURE;
                kind = path.endsWith("/embeddings") ? Kind.EMBEDDINGS : Kind.CHAT;
                if (!uri.contains("api-version=")) {
                    send(ctx, 404, json(error(flavor, 404, "api-version is required")));
                    return;
                }
            } else if (path.endsWith("/chat/completions")) {
                flavor = Flavor.OPENAI;
                kind = Kind.CHAT;
            } else if (path.endsWith("/embeddings")) {
                flavor = Flavor.OPENAI;
                kind = Kind.EMBEDDINGS;
            } else if (path.equals("/v1/messages")) {
                flavor = Flavor.ANTHROPIC;
                kind = Kind.CHAT;
            } else if (path.startsWith("/v1beta/models/")) {
                flavor = Flavor.GEMINI;
                kind = path.endsWith(":batchEmbedContents") ? Kind.EMBEDDINGS : Kind.CHAT;
            } else if (path.equals("/api/chat") || path.equals("/api/embed")) {
                flavor = Flavor.OLLAMA;
                kind = path.equals("/api/embed") ? Kind.EMBEDDINGS : Kind.CHAT;
            } else {
                send(ctx, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            if (expectedKey.isPresent() && !expectedKey.get().equals(presentedKey(flavor, headers))) {
                send(ctx, 401, json(error(flavor, 401, "invalid api key")));
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (RuntimeException e) {
                send(ctx, 400, json(error(flavor, 400, "body is not JSON")));
                return;
            }
            boolean stream = flavor == Flavor.GEMINI ? path.endsWith(":streamGenerateContent")
                    : request.path("stream").asBoolean(false);
            switch (fault) {
                case Fault.RateLimited rl -> {
                    FullHttpResponse res = full(429, json(error(flavor, 429, "rate limited")));
                    long ms = rl.retryAfter().toMillis();
                    res.headers().set("retry-after", Long.toString((ms + 999) / 1000));
                    res.headers().set("retry-after-ms", Long.toString(ms));
                    ctx.writeAndFlush(res);
                    return;
                }
                case Fault.Status st -> {
                    send(ctx, st.status(), json(error(flavor, st.status(), "scripted failure")));
                    return;
                }
                case Fault.Malformed m -> {
                    send(ctx, 200, "{\"id\": \"broken\", \"choices\": [");
                    return;
                }
                case Fault.EchoRequest e -> {
                    StringBuilder echo = new StringBuilder("Invalid request. Received headers: ");
                    headers.forEach((name, value) -> echo.append(name).append(": ").append(value).append("; "));
                    echo.append("body: ").append(body);
                    send(ctx, 400, json(error(flavor, 400, echo.toString())));
                    return;
                }
                default -> { }
            }
            boolean truncated = fault instanceof Fault.Truncated;
            if (kind == Kind.EMBEDDINGS) {
                send(ctx, 200, json(embeddings(flavor, request)));
            } else if (stream) {
                new Emitter(ctx, flavor, request, fault).start();
            } else if (truncated) {
                String whole = json(chat(flavor, request));
                FullHttpResponse res = full(200, whole.substring(0, whole.length() / 2));
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, whole.length());
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            } else {
                send(ctx, 200, json(chat(flavor, request)));
            }
        }

        private String presentedKey(Flavor flavor, Map<String, String> headers) {
            return switch (flavor) {
                case OPENAI, OLLAMA -> headers.getOrDefault("authorization", "").replaceFirst("^Bearer ", "");
                case AZURE -> headers.getOrDefault("api-key", "");
                case ANTHROPIC -> headers.getOrDefault("x-api-key", "");
                case GEMINI -> headers.getOrDefault("x-goog-api-key", "");
            };
        }

        private boolean wantsTool(Flavor flavor, JsonNode request) {
            return toolCall.isPresent() && switch (flavor) {
                case GEMINI -> request.path("tools").isArray() && !request.path("tools").isEmpty();
                default -> request.path("tools").isArray() && !request.path("tools").isEmpty();
            };
        }

        private ObjectNode chat(Flavor flavor, JsonNode request) {
            boolean tool = wantsTool(flavor, request);
            String model = request.path("model").asString("deployment");
            ObjectNode out = JSON.createObjectNode();
            switch (flavor) {
                case OPENAI, AZURE -> {
                    out.put("id", "chatcmpl-test");
                    out.put("object", "chat.completion");
                    out.put("created", 1_700_000_000L);
                    out.put("model", model);
                    ObjectNode choice = out.putArray("choices").addObject();
                    choice.put("index", 0);
                    ObjectNode message = choice.putObject("message");
                    message.put("role", "assistant");
                    if (tool) {
                        message.putNull("content");
                        ObjectNode call = message.putArray("tool_calls").addObject();
                        call.put("id", "call_test_1");
                        call.put("type", "function");
                        call.putObject("function").put("name", toolCall.get()[0]).put("arguments",
                                toolCall.get()[1]);
                        choice.put("finish_reason", "tool_calls");
                    } else {
                        message.put("content", replyText);
                        choice.put("finish_reason", "stop");
                    }
                    if (!omitUsage) {
                        out.putObject("usage").put("prompt_tokens", PROMPT_TOKENS)
                                .put("completion_tokens", COMPLETION_TOKENS)
                                .put("total_tokens", PROMPT_TOKENS + COMPLETION_TOKENS);
                    }
                }
                case ANTHROPIC -> {
                    out.put("id", "msg_test");
                    out.put("type", "message");
                    out.put("role", "assistant");
                    out.put("model", model);
                    ArrayNode content = out.putArray("content");
                    if (tool) {
                        ObjectNode use = content.addObject();
                        use.put("type", "tool_use");
                        use.put("id", "toolu_test_1");
                        use.put("name", toolCall.get()[0]);
                        use.set("input", JSON.readTree(toolCall.get()[1]));
                        out.put("stop_reason", "tool_use");
                    } else {
                        content.addObject().put("type", "text").put("text", replyText);
                        out.put("stop_reason", "end_turn");
                    }
                    out.putNull("stop_sequence");
                    if (!omitUsage) {
                        out.putObject("usage").put("input_tokens", PROMPT_TOKENS).put("output_tokens",
                                COMPLETION_TOKENS);
                    }
                }
                case GEMINI -> {
                    ObjectNode candidate = out.putArray("candidates").addObject();
                    ObjectNode content = candidate.putObject("content");
                    content.put("role", "model");
                    ArrayNode parts = content.putArray("parts");
                    if (tool) {
                        parts.addObject().putObject("functionCall").put("name", toolCall.get()[0])
                                .set("args", JSON.readTree(toolCall.get()[1]));
                    } else {
                        parts.addObject().put("text", replyText);
                    }
                    candidate.put("finishReason", "STOP");
                    candidate.put("index", 0);
                    if (!omitUsage) {
                        out.putObject("usageMetadata").put("promptTokenCount", PROMPT_TOKENS)
                                .put("candidatesTokenCount", COMPLETION_TOKENS)
                                .put("totalTokenCount", PROMPT_TOKENS + COMPLETION_TOKENS);
                    }
                    out.put("modelVersion", "gemini-test");
                }
                case OLLAMA -> {
                    out.put("model", model);
                    out.put("created_at", "2026-01-01T00:00:00Z");
                    ObjectNode message = out.putObject("message");
                    message.put("role", "assistant");
                    if (tool) {
                        message.put("content", "");
                        message.putArray("tool_calls").addObject().putObject("function")
                                .put("name", toolCall.get()[0]).set("arguments", JSON.readTree(toolCall.get()[1]));
                    } else {
                        message.put("content", replyText);
                    }
                    out.put("done", true);
                    out.put("done_reason", "stop");
                    if (!omitUsage) {
                        out.put("prompt_eval_count", PROMPT_TOKENS);
                        out.put("eval_count", COMPLETION_TOKENS);
                    }
                }
            }
            return out;
        }

        private ObjectNode embeddings(Flavor flavor, JsonNode request) {
            int n = switch (flavor) {
                case GEMINI -> request.path("requests").size();
                default -> request.path("input").isArray() ? request.path("input").size() : 1;
            };
            ObjectNode out = JSON.createObjectNode();
            switch (flavor) {
                case GEMINI -> {
                    ArrayNode list = out.putArray("embeddings");
                    for (int i = 0; i < n; i++) {
                        list.addObject().set("values", vector(i));
                    }
                }
                case OLLAMA -> {
                    out.put("model", request.path("model").asString(""));
                    ArrayNode list = out.putArray("embeddings");
                    for (int i = 0; i < n; i++) {
                        list.add(vector(i));
                    }
                    out.put("prompt_eval_count", PROMPT_TOKENS);
                }
                default -> {
                    out.put("object", "list");
                    ArrayNode data = out.putArray("data");
                    for (int i = 0; i < n; i++) {
                        data.addObject().put("object", "embedding").put("index", i).set("embedding", vector(i));
                    }
                    out.put("model", request.path("model").asString("deployment"));
                    out.putObject("usage").put("prompt_tokens", PROMPT_TOKENS).put("total_tokens", PROMPT_TOKENS);
                }
            }
            return out;
        }

        private ArrayNode vector(int i) {
            ArrayNode v = JSON.createArrayNode();
            v.add(0.1 * (i + 1)).add(-0.2).add(0.3);
            return v;
        }

        private List<String> pieces(String text) {
            List<String> pieces = new ArrayList<>();
            for (int i = 0; i < text.length(); i += 5) {
                pieces.add(text.substring(i, Math.min(text.length(), i + 5)));
            }
            return pieces;
        }

        private boolean isStream(String uri, String body) {
            return uri.contains(":streamGenerateContent") || body.contains("\"stream\":true");
        }

        private String event(String name, String data) {
            return "event: " + name + "\ndata: " + data + "\n\n";
        }

        private String data(String data) {
            return "data: " + data + "\n\n";
        }

        private String quote(String s) {
            return JSON.writeValueAsString(s);
        }

        private ObjectNode error(Flavor flavor, int status, String message) {
            ObjectNode out = JSON.createObjectNode();
            switch (flavor) {
                case ANTHROPIC -> {
                    out.put("type", "error");
                    out.putObject("error").put("type", status == 429 ? "rate_limit_error" : status >= 500
                            ? "api_error" : "invalid_request_error").put("message", message);
                }
                case GEMINI -> out.putObject("error").put("code", status).put("message", message)
                        .put("status", status == 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL");
                case OLLAMA -> out.put("error", message);
                default -> out.putObject("error").put("message", message).put("type", status == 429
                        ? "rate_limit_exceeded" : "server_error").putNull("param").putNull("code");
            }
            return out;
        }

        private String json(JsonNode node) {
            return JSON.writeValueAsString(node);
        }

        private FullHttpResponse full(int status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status), content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return res;
        }

        private void send(ChannelHandlerContext ctx, int status, String body) {
            ctx.writeAndFlush(full(status, body));
        }


        /**
         * Writes one stream in a provider's format: head and opening events, content events (dripping or as fast as
         * the socket takes them), closing events; scripted faults cut in before the first or after the n-th content
         * event.
         */
        private final class Emitter {
            private final ChannelHandlerContext ctx;
            private final Flavor flavor;
            private final String model;
            private final Fault fault;
            private final boolean usage;
            private final Drip shape = drip;
            private final List<String> textPieces;
            private final int tokens;
            private int sent;

            Emitter(ChannelHandlerContext ctx, Flavor flavor, JsonNode request, Fault fault) {
                this.ctx = ctx;
                this.flavor = flavor;
                this.model = request.path("model").asString(flavor == Flavor.GEMINI ? "gemini-test" : "deployment");
                this.fault = fault;
                this.usage = !omitUsage && (flavor != Flavor.OPENAI && flavor != Flavor.AZURE
                        || request.path("stream_options").path("include_usage").asBoolean(false));
                this.textPieces = shape.tokens() > 0 ? List.of() : pieces(replyText);
                this.tokens = shape.tokens() > 0 ? shape.tokens() : textPieces.size();
            }

            void start() {
                HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                head.headers().set(HttpHeaderNames.CONTENT_TYPE, flavor == Flavor.OLLAMA ? "application/x-ndjson"
                        : "text/event-stream");
                head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                ctx.write(head);
                for (String e : prologue()) {
                    ctx.write(content(e));
                }
                ctx.flush();
                if (fault instanceof Fault.StallBeforeFirstToken) {
                    return;
                }
                long first = shape.firstToken().toMillis();
                if (first > 0) {
                    ctx.executor().schedule(this::step, first, TimeUnit.MILLISECONDS);
                } else {
                    step();
                }
            }

            private void step() {
                if (!ctx.channel().isActive()) {
                    return;
                }
                int batch = shape.gap().isZero() ? 256 : 1;
                for (int i = 0; i < batch && sent < tokens; i++) {
                    if (faultDue()) {
                        return;
                    }
                    ctx.write(content(token(sent)));
                    sent++;
                }
                if (faultDue()) {
                    ctx.flush();
                    return;
                }
                if (sent >= tokens) {
                    if (!(fault instanceof Fault.Truncated)) {
                        for (String e : epilogue()) {
                            ctx.write(content(e));
                        }
                    }
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                    return;
                }
                if (shape.gap().isZero()) {
                    // Wait until the batch reached the socket: the client's reading paces the server.
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                        if (f.isSuccess()) {
                            step();
                        }
                    });
                } else {
                    ctx.flush();
                    ctx.executor().schedule(this::step, shape.gap().toMillis(), TimeUnit.MILLISECONDS);
                }
            }

            /** Applies a mid-stream fault once its token count is reached; true when the stream stops here. */
            private boolean faultDue() {
                switch (fault) {
                    case Fault.StallAfter f when sent >= f.tokens() -> {
                        ctx.flush();
                        return true;
                    }
                    case Fault.ResetAfter f when sent >= f.tokens() -> {
                        ctx.flush();
                        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                        ctx.close();
                        return true;
                    }
                    case Fault.ErrorAfter f when sent >= f.tokens() -> {
                        ctx.write(content(errorEvent()));
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                        return true;
                    }
                    default -> {
                        return false;
                    }
                }
            }

            private String piece(int i) {
                return shape.tokens() > 0 ? "tok" + i + " " : textPieces.get(i);
            }

            private List<String> prologue() {
                return switch (flavor) {
                    case ANTHROPIC -> List.of(
                            event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_test\","
                                    + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                                    + "\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":"
                                    + PROMPT_TOKENS + ",\"output_tokens\":1}}}"),
                            event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
                                    + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                            event("ping", "{\"type\":\"ping\"}"));
                    case OPENAI, AZURE -> List.of(data(openAiHead() + "\"choices\":[{\"index\":0,\"delta\":"
                            + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
                    case GEMINI, OLLAMA -> List.of();
                };
            }

            private String token(int i) {
                String text = quote(piece(i));
                return switch (flavor) {
                    case ANTHROPIC -> event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"text_delta\",\"text\":" + text + "}}");
                    case OPENAI, AZURE -> data(openAiHead() + "\"choices\":[{\"index\":0,\"delta\":{\"content\":"
                            + text + "},\"finish_reason\":null}]}");
                    case GEMINI -> data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":"
                            + text + "}]},\"index\":0}],\"modelVersion\":\"gemini-test\","
                            + "\"responseId\":\"resp-test\"}");
                    case OLLAMA -> "{\"model\":\"" + model + "\",\"created_at\":\"2026-01-01T00:00:00Z\","
                            + "\"message\":{\"role\":\"assistant\",\"content\":" + text + "},\"done\":false}\n";
                };
            }

            private List<String> epilogue() {
                return switch (flavor) {
                    case ANTHROPIC -> List.of(
                            event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                            event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                                    + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
                                    + (usage ? COMPLETION_TOKENS : 0) + "}}"),
                            event("message_stop", "{\"type\":\"message_stop\"}"));
                    case OPENAI, AZURE -> {
                        List<String> out = new ArrayList<>();
                        out.add(data(openAiHead() + "\"choices\":[{\"index\":0,\"delta\":{},"
                                + "\"finish_reason\":\"stop\"}]}"));
                        if (usage) {
                            out.add(data(openAiHead() + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS
                                    + ",\"completion_tokens\":" + COMPLETION_TOKENS + ",\"total_tokens\":"
                                    + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}}"));
                        }
                        out.add(data("[DONE]"));
                        yield out;
                    }
                    case GEMINI -> List.of(data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":"
                            + "[{\"text\":\"\"}]},\"finishReason\":\"STOP\",\"index\":0}]"
                            + (usage ? ",\"usageMetadata\":{\"promptTokenCount\":" + PROMPT_TOKENS
                                    + ",\"candidatesTokenCount\":" + COMPLETION_TOKENS + ",\"totalTokenCount\":"
                                    + (PROMPT_TOKENS + COMPLETION_TOKENS) + "}" : "")
                            + ",\"modelVersion\":\"gemini-test\",\"responseId\":\"resp-test\"}"));
                    case OLLAMA -> List.of("{\"model\":\"" + model + "\",\"created_at\":\"2026-01-01T00:00:01Z\","
                            + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                            + "\"done_reason\":\"stop\"" + (usage ? ",\"prompt_eval_count\":" + PROMPT_TOKENS
                                    + ",\"eval_count\":" + COMPLETION_TOKENS : "") + "}\n");
                };
            }

            private String errorEvent() {
                return switch (flavor) {
                    case ANTHROPIC -> event("error", "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                            + "\"message\":\"Overloaded\"}}");
                    case OPENAI, AZURE -> data("{\"error\":{\"message\":\"scripted mid-stream failure\","
                            + "\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                    case GEMINI -> data("{\"error\":{\"code\":500,\"message\":\"scripted mid-stream failure\","
                            + "\"status\":\"INTERNAL\"}}");
                    case OLLAMA -> "{\"error\":\"scripted mid-stream failure\"}\n";
                };
            }

            private String openAiHead() {
                return "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                        + "\"model\":\"" + model + "\",";
            }

            private DefaultHttpContent content(String text) {
                return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
