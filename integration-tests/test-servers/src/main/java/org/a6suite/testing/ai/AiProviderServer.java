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
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
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
    private volatile boolean recording = true;
    private final AtomicReference<Script> script = new AtomicReference<>(
            new Script("Hello from the test provider", Optional.empty(), false, Script.Drip.NONE));
    private volatile Optional<String> expectedKey = Optional.empty();
    private final java.util.concurrent.atomic.AtomicInteger closedConnections =
            new java.util.concurrent.atomic.AtomicInteger();
    private Channel server;

    private AiProviderServer() {}

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
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        channels.add(ch);
                        ch.closeFuture().addListener(f -> closedConnections.incrementAndGet());
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new HttpObjectAggregator(16 * 1024 * 1024),
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
        script.updateAndGet(s -> new Script(text, s.toolCall(), s.omitUsage(), s.drip()));
        return this;
    }

    /** Answers with a call of tool {@code name} with {@code argumentsJson} when the request offers tools. */
    public AiProviderServer toolCall(String name, String argumentsJson) {
        script.updateAndGet(s ->
                new Script(s.replyText(), Optional.of(new String[] {name, argumentsJson}), s.omitUsage(), s.drip()));
        return this;
    }

    /**
     * Streams answer as a slow drip: the head and opening events at once, the first content event after
     * {@code firstToken}, then {@code tokens} content events ({@code "tok0 "}, {@code "tok1 "}, ...) {@code gap}
     * apart. A zero gap writes as fast as the client reads (the server waits for each batch to reach the socket),
     * which serves very long streams in bounded memory. {@code tokens == 0} streams the reply text in pieces.
     */
    public AiProviderServer drip(java.time.Duration firstToken, int tokens, java.time.Duration gap) {
        script.updateAndGet(
                s -> new Script(s.replyText(), s.toolCall(), s.omitUsage(), new Script.Drip(firstToken, tokens, gap)));
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
        script.updateAndGet(s -> new Script(s.replyText(), s.toolCall(), omit, s.drip()));
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

    /**
     * Whether {@link #requests()} keeps each request (default true); per-call benchmarks turn it off, as the
     * copy-on-write list would otherwise copy itself on every request and swamp what they measure.
     */
    public AiProviderServer recordRequests(boolean on) {
        this.recording = on;
        return this;
    }

    @Override
    public void close() {
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (server != null) {
            server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    private enum Kind {
        CHAT,
        EMBEDDINGS
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            Map<String, String> headers = new HashMap<>();
            req.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
            String body = req.content().toString(StandardCharsets.UTF_8);
            if (recording) {
                requests.add(new RecordedRequest(req.method().name(), req.uri(), headers, body));
            }
            Fault fault = Optional.ofNullable(faults.poll()).orElse(defaultFault.get());
            String path =
                    req.uri().contains("?") ? req.uri().substring(0, req.uri().indexOf('?')) : req.uri();
            switch (fault) {
                case Fault.Hang h -> {}
                case Fault.StallBeforeFirstToken st when !isStream(req.uri(), body) -> {}
                case Fault.Reset r -> {
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                    ctx.close();
                }
                case Fault.Slow s ->
                    ctx.executor()
                            .schedule(
                                    () -> respond(ctx, req.uri(), path, headers, body, Fault.none()),
                                    s.delay().toMillis(),
                                    TimeUnit.MILLISECONDS);
                default -> respond(ctx, req.uri(), path, headers, body, fault);
            }
        }

        private void respond(
                ChannelHandlerContext ctx,
                String uri,
                String path,
                Map<String, String> headers,
                String body,
                Fault fault) {
            Script script = AiProviderServer.this.script.get();
            ProviderFlavor flavor;
            Kind kind;
            if (path.startsWith("/openai/deployments/")) {
                flavor = ProviderFlavor.AZURE;
                kind = path.endsWith("/embeddings") ? Kind.EMBEDDINGS : Kind.CHAT;
                if (!uri.contains("api-version=")) {
                    send(ctx, 404, WholeReplies.json(WholeReplies.error(flavor, 404, "api-version is required")));
                    return;
                }
            } else if (path.endsWith("/chat/completions")) {
                flavor = ProviderFlavor.OPENAI;
                kind = Kind.CHAT;
            } else if (path.endsWith("/embeddings")) {
                flavor = ProviderFlavor.OPENAI;
                kind = Kind.EMBEDDINGS;
            } else if (path.equals("/v1/messages")) {
                flavor = ProviderFlavor.ANTHROPIC;
                kind = Kind.CHAT;
            } else if (path.startsWith("/v1beta/models/")) {
                flavor = ProviderFlavor.GEMINI;
                kind = path.endsWith(":batchEmbedContents") ? Kind.EMBEDDINGS : Kind.CHAT;
            } else if (path.equals("/api/chat") || path.equals("/api/embed")) {
                flavor = ProviderFlavor.OLLAMA;
                kind = path.equals("/api/embed") ? Kind.EMBEDDINGS : Kind.CHAT;
            } else {
                send(ctx, 404, "{\"error\":{\"message\":\"not found\"}}");
                return;
            }
            if (expectedKey.isPresent() && !expectedKey.get().equals(flavor.presentedKey(headers))) {
                send(ctx, 401, WholeReplies.json(WholeReplies.error(flavor, 401, "invalid api key")));
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(body);
            } catch (RuntimeException e) {
                send(ctx, 400, WholeReplies.json(WholeReplies.error(flavor, 400, "body is not JSON")));
                return;
            }
            boolean stream = flavor == ProviderFlavor.GEMINI
                    ? path.endsWith(":streamGenerateContent")
                    : request.path("stream").asBoolean(false);
            switch (fault) {
                case Fault.RateLimited rl -> {
                    FullHttpResponse res =
                            full(429, WholeReplies.json(WholeReplies.error(flavor, 429, "rate limited")));
                    long ms = rl.retryAfter().toMillis();
                    res.headers().set("retry-after", Long.toString((ms + 999) / 1000));
                    res.headers().set("retry-after-ms", Long.toString(ms));
                    ctx.writeAndFlush(res);
                    return;
                }
                case Fault.Status st -> {
                    send(
                            ctx,
                            st.status(),
                            WholeReplies.json(WholeReplies.error(flavor, st.status(), "scripted failure")));
                    return;
                }
                case Fault.Malformed m -> {
                    send(ctx, 200, "{\"id\": \"broken\", \"choices\": [");
                    return;
                }
                case Fault.EchoRequest e -> {
                    StringBuilder echo = new StringBuilder("Invalid request. Received headers: ");
                    headers.forEach((name, value) ->
                            echo.append(name).append(": ").append(value).append("; "));
                    echo.append("body: ").append(body);
                    send(ctx, 400, WholeReplies.json(WholeReplies.error(flavor, 400, echo.toString())));
                    return;
                }
                default -> {}
            }
            boolean truncated = fault instanceof Fault.Truncated;
            if (kind == Kind.EMBEDDINGS) {
                send(ctx, 200, WholeReplies.json(WholeReplies.embeddings(flavor, request)));
            } else if (stream) {
                new StreamEmitter(ctx, flavor, request, fault, script).start();
            } else if (truncated) {
                String whole = WholeReplies.json(WholeReplies.chat(flavor, request, script));
                FullHttpResponse res = full(200, whole.substring(0, whole.length() / 2));
                res.headers().set(HttpHeaderNames.CONTENT_LENGTH, whole.length());
                ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
            } else {
                send(ctx, 200, WholeReplies.json(WholeReplies.chat(flavor, request, script)));
            }
        }

        private boolean isStream(String uri, String body) {
            return uri.contains(":streamGenerateContent") || body.contains("\"stream\":true");
        }

        private FullHttpResponse full(int status, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse res =
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), content);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            return res;
        }

        private void send(ChannelHandlerContext ctx, int status, String body) {
            ctx.writeAndFlush(full(status, body));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
