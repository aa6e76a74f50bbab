package org.a6suite.testing.backend;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A loopback HTTP/1.1 upstream that echoes each request as JSON, like the Python echo server used to record the APISIX
 * transcripts ({@code reference/transcripts/README.md}). TEST FIXTURE only, never a production server.
 *
 * <p>Every answer is {@code 200} with the body
 * {@code {"method": ..., "path": <raw request target>, "headers": [[name, value], ...], "body": ...}} (headers in wire
 * order and case) and these headers, in this order: {@code Server: a6-echo}, {@code Date}, {@code Content-Type:
 * application/json}, {@code X-Echo-Mixed-Case: Yes}, {@code Set-Cookie: a=1}, {@code Set-Cookie: b=2},
 * {@code Content-Length}. A HEAD gets the same headers and no body. Every request is recorded ({@link #requests()})
 * before any {@link Fault} is applied.
 */
public final class EchoBackend implements AutoCloseable {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final EventLoopGroup group;
    private final String host;
    private final Channel serverChannel;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    // Appends are O(1): a copy-on-write list made long benchmark runs quadratic.
    private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
    private final LongAdder requestCount = new LongAdder();
    private volatile boolean recording = true;
    private final AtomicReference<Fault> fault = new AtomicReference<>(Fault.NONE);

    private EchoBackend(String host, int port) throws InterruptedException {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.SO_LINGER, 0)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(),
                                        new WireHeaders(),
                                        new HttpObjectAggregator(16 * 1024 * 1024),
                                        new EchoHandler());
                    }
                });
        serverChannel = bootstrap.bind(host, port).sync().channel();
        this.host = host;
    }

    /** Starts an echo backend on 127.0.0.1 and a free port. */
    public static EchoBackend start() {
        return start(0);
    }

    /** Starts an echo backend on 127.0.0.1:{@code port} (0 picks a free port). */
    public static EchoBackend start(int port) {
        return start("127.0.0.1", port);
    }

    /**
     * Starts an echo backend on {@code host:port} (0 picks a free port). Any 127.x.y.z address works on Linux
     * loopback, which gives several backends distinct IPs: APISIX's per-node metrics label a node by IP only.
     */
    public static EchoBackend start(String host, int port) {
        requireNonNull(host, "host");
        try {
            return new EchoBackend(host, port);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding the echo backend", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The address this backend listens on ({@code 127.0.0.1} unless started with another). */
    public String host() {
        return host;
    }

    /** {@code <host>:<port>}, the form APISIX upstream {@code nodes} use. */
    public String hostPort() {
        return host + ":" + port();
    }

    public URI baseUri() {
        return URI.create("http://" + hostPort());
    }

    /** Sets the fault applied to requests from now on ({@link Fault#NONE} to answer normally again). */
    public void fault(Fault newFault) {
        fault.set(requireNonNull(newFault, "fault"));
    }

    /** Every request received so far, in arrival order. */
    public List<RecordedRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public void clearRequests() {
        requests.clear();
    }

    /** Requests received so far, counted also while {@link #recordRequests(boolean) recording} is off. */
    public long requestCount() {
        return requestCount.sum();
    }

    /** Whether {@link #requests()} keeps each request (default true); benchmarks turn it off to bound memory. */
    public void recordRequests(boolean on) {
        this.recording = on;
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final AttributeKey<List<Map.Entry<String, String>>> WIRE_HEADERS =
            AttributeKey.valueOf("a6-echo-wire-headers");

    /** Keeps the headers as sent: the aggregator would add Content-Length to a request that had none. */
    private static final class WireHeaders extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                List<Map.Entry<String, String>> headers = new ArrayList<>();
                request.headers()
                        .iteratorAsString()
                        .forEachRemaining(
                                e -> headers.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue())));
                ctx.channel().attr(WIRE_HEADERS).set(headers);
            }
            ctx.fireChannelRead(msg);
        }
    }

    private final class EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            List<Map.Entry<String, String>> headers =
                    ctx.channel().attr(WIRE_HEADERS).getAndSet(null);
            byte[] body = ByteBufUtil.getBytes(request.content());
            RecordedRequest recorded = new RecordedRequest(request.method().name(), request.uri(), headers, body);
            requestCount.increment();
            if (recording) {
                requests.add(recorded);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            boolean head = HttpMethod.HEAD.equals(request.method());
            switch (fault.get()) {
                case Fault.None none -> answer(ctx, recorded, 200, head, keepAlive);
                case Fault.Status status -> answer(ctx, recorded, status.status(), head, keepAlive);
                case Fault.Delay delay ->
                    ctx.executor()
                            .schedule(
                                    () -> answer(ctx, recorded, 200, head, keepAlive),
                                    delay.delay().toNanos(),
                                    TimeUnit.NANOSECONDS);
                case Fault.Hang hang -> {
                    // Read and never answer: the caller's read timeout has to fire.
                }
                case Fault.Reset reset -> ctx.channel().close(); // SO_LINGER 0 turns the close into an RST
                case Fault.Degraded degraded -> {
                    int status = degraded.nextIsError() ? 500 : 200;
                    ctx.executor()
                            .schedule(
                                    () -> answer(ctx, recorded, status, head, keepAlive),
                                    degraded.extraDelay().toNanos(),
                                    TimeUnit.NANOSECONDS);
                }
            }
        }

        private void answer(
                ChannelHandlerContext ctx, RecordedRequest request, int status, boolean head, boolean keepAlive) {
            byte[] json = echoJson(request);
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(status),
                    head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(json));
            HttpHeaders h = response.headers();
            h.add("Server", "a6-echo");
            h.add("Date", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
            h.add("Content-Type", "application/json");
            h.add("X-Echo-Mixed-Case", "Yes");
            h.add("Set-Cookie", "a=1");
            h.add("Set-Cookie", "b=2");
            h.add("Content-Length", String.valueOf(json.length));
            if (!keepAlive) {
                h.add("Connection", "close");
            }
            var future = ctx.writeAndFlush(response);
            if (!keepAlive) {
                future.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }

    /** The echo body: {@code {"method","path","headers":[[n,v]...],"body"}}. */
    static byte[] echoJson(RecordedRequest request) {
        ObjectNode root = JSON.createObjectNode();
        root.put("method", request.method());
        root.put("path", request.target());
        ArrayNode headers = root.putArray("headers");
        for (Map.Entry<String, String> e : request.headers()) {
            headers.addArray().add(e.getKey()).add(e.getValue());
        }
        root.put("body", new String(request.body(), StandardCharsets.UTF_8));
        return JSON.writeValueAsBytes(root);
    }
}
