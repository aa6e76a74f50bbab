package org.a6suite.emulator.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import org.a6suite.emulator.EmulatorUpstream;

/**
 * The idle kept-alive connections per upstream node, as nginx keeps them under APISIX ({@code keepalive 320},
 * {@code keepalive_timeout 60s}): the least recently used beyond the limit is closed, an idle connection is closed
 * when its timeout passes, and one that speaks while idle is closed ({@link IdleGuard}).
 *
 * <p>The pool is per node and per event loop, as nginx's is per node and per worker process: a request only ever takes
 * a connection of its own loop.
 */
final class KeptAliveConnections {

    /** Idle connections kept per node (nginx's {@code keepalive}); the least recently used beyond it is closed. */
    static final int KEEPALIVE = 320;
    /** How long an idle connection is kept (nginx's upstream {@code keepalive_timeout}). */
    static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(60);
    /** The name of the {@link IdleGuard} handler, last in every upstream connection's pipeline. */
    static final String IDLE = "idle";

    private static final AttributeKey<ScheduledFuture<?>> IDLE_TIMER =
            AttributeKey.valueOf("a6-emulator-upstream-idle-timer");

    private record Key(EventLoop loop, String hostPort) {}

    private final Map<Key, Deque<Channel>> idle = new ConcurrentHashMap<>();

    /** Forgets {@code ch} (it closed). */
    void remove(EmulatorUpstream.Node node, Channel ch) {
        Deque<Channel> q = idle.get(new Key(ch.eventLoop(), node.hostPort()));
        if (q != null) {
            q.remove(ch);
        }
    }

    /** The most recently idled live connection of {@code loop} to {@code node}, its idle timer cancelled. */
    Optional<Channel> take(EventLoop loop, EmulatorUpstream.Node node) {
        Deque<Channel> q = idle.get(new Key(loop, node.hostPort()));
        for (Channel ch = q == null ? null : q.pollLast(); ch != null; ch = q.pollLast()) {
            ScheduledFuture<?> timer = ch.attr(IDLE_TIMER).getAndSet(null);
            if (timer != null) {
                timer.cancel(false);
            }
            if (ch.isActive()) {
                return Optional.of(ch);
            }
        }
        return Optional.empty();
    }

    /** Keeps {@code ch} for the next request to {@code node}, closing it after the keep-alive timeout. */
    void put(EmulatorUpstream.Node node, Channel ch) {
        Deque<Channel> q =
                idle.computeIfAbsent(new Key(ch.eventLoop(), node.hostPort()), k -> new ConcurrentLinkedDeque<>());
        ch.attr(IDLE_TIMER)
                .set(ch.eventLoop()
                        .schedule(
                                () -> {
                                    q.remove(ch);
                                    ch.close();
                                },
                                KEEPALIVE_TIMEOUT.toNanos(),
                                TimeUnit.NANOSECONDS));
        q.addLast(ch);
        while (q.size() > KEEPALIVE) {
            Channel oldest = q.pollFirst();
            if (oldest != null) {
                oldest.close();
            }
        }
    }

    /** Sits last on every upstream connection: a kept-alive connection that speaks while idle is closed. */
    static final class IdleGuard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
