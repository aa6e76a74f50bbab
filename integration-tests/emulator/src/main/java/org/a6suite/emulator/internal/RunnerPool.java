package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * APISIX's cosocket keep-alive pool for the runner socket: connect timeout 1 s, at most {@code maxIdle} (32) idle
 * connections kept for {@code idleTimeout} (180 s), reused most recent first; a connection is pooled only after a
 * successful RPC with nothing left unread, and closed after any error (transcripts README §4 and notes).
 *
 * <p>One pool per event loop, as nginx keeps one cosocket pool per worker process: a request takes a connection of
 * its own loop, or opens one on that loop, so the RPC's reads complete on the thread that handles the request (Netty's
 * proxy pattern, {@code bootstrap.group(inbound.eventLoop())}), never on another.
 */
public final class RunnerPool implements AutoCloseable {

    private final Bootstrap bootstrap;
    private final int maxIdle;
    private final Duration idleTimeout;
    private final Clock clock;
    /** Per event loop; each deque is guarded by itself (the counters and {@link #close} read them off the loop). */
    private final Map<EventLoop, Deque<Idle>> idle = new ConcurrentHashMap<>();

    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();

    private record Idle(RunnerConnection connection, Instant since) {}

    public RunnerPool(
            Path socket,
            EventLoopGroup group,
            Duration connectTimeout,
            int maxIdle,
            Duration idleTimeout,
            Clock clock) {
        requireNonNull(socket, "socket");
        this.maxIdle = maxIdle;
        this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
        this.clock = requireNonNull(clock, "clock");
        this.bootstrap = new Bootstrap()
                .group(requireNonNull(group, "group"))
                .channel(NioDomainSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .remoteAddress(UnixDomainSocketAddress.of(socket))
                .handler(new ChannelInitializer<NioDomainSocketChannel>() {
                    @Override
                    protected void initChannel(NioDomainSocketChannel ch) {
                        // the connection object installs its handlers once connected, see connect()
                    }
                });
    }

    /**
     * An idle pooled connection of {@code loop}, or a new one opened on {@code loop}. Fails with {@link RpcException}
     * when the socket cannot be reached.
     */
    CompletableFuture<RunnerConnection> acquire(EventLoop loop) {
        Deque<Idle> mine = idle.computeIfAbsent(loop, l -> new ArrayDeque<>());
        synchronized (mine) {
            Instant now = clock.instant();
            while (!mine.isEmpty()) {
                Idle candidate = mine.pollFirst();
                boolean expired = candidate.since().plus(idleTimeout).isBefore(now);
                if (!expired && candidate.connection().reusable()) {
                    return CompletableFuture.completedFuture(candidate.connection());
                }
                candidate.connection().close();
            }
        }
        return connect(loop);
    }

    private CompletableFuture<RunnerConnection> connect(EventLoop loop) {
        CompletableFuture<RunnerConnection> result = new CompletableFuture<>();
        ChannelFuture f = bootstrap.clone(loop).connect();
        f.addListener(done -> {
            if (done.isSuccess()) {
                opened.incrementAndGet();
                RunnerConnection c = new RunnerConnection(f.channel());
                c.install();
                result.complete(c);
            } else {
                result.completeExceptionally(new RpcException(
                        "failed to connect to the unix socket: " + done.cause().getMessage()));
            }
        });
        return result;
    }

    /**
     * Returns a connection after a successful RPC: pooled in its loop's pool if nothing is unread and that pool has
     * room, else closed.
     */
    void release(RunnerConnection c) {
        if (!c.reusable()) {
            dropped.incrementAndGet();
            c.close();
            return;
        }
        Deque<Idle> own = idle.computeIfAbsent(c.channel().eventLoop(), l -> new ArrayDeque<>());
        synchronized (own) {
            if (own.size() < maxIdle) {
                own.addFirst(new Idle(c, clock.instant()));
                return;
            }
        }
        c.close();
    }

    /** Closes a connection after an error, as APISIX does. */
    void discard(RunnerConnection c) {
        c.close();
    }

    /** Connections opened so far. */
    public long connectionsOpened() {
        return opened.get();
    }

    /** Connections closed at release because bytes were left unread or the runner closed them. */
    public long connectionsDropped() {
        return dropped.get();
    }

    /**
     * Idle connections currently pooled and still usable, over all loops; connections the runner closed are pruned
     * first.
     */
    public int idleCount() {
        int count = 0;
        for (Deque<Idle> q : idle.values()) {
            synchronized (q) {
                q.removeIf(i -> {
                    if (i.connection().reusable()) {
                        return false;
                    }
                    i.connection().close();
                    return true;
                });
                count += q.size();
            }
        }
        return count;
    }

    @Override
    public void close() {
        for (Deque<Idle> q : idle.values()) {
            synchronized (q) {
                q.forEach(i -> i.connection().close());
                q.clear();
            }
        }
    }
}
