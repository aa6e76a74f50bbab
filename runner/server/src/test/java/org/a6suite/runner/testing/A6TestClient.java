package org.a6suite.runner.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.a6suite.protocol.codec.A6Codecs;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Side;
import org.a6suite.protocol.message.A6Message;

/** Plays APISIX's side of one connection: sends A6 messages (or raw bytes) and queues what the runner sends. */
public final class A6TestClient implements AutoCloseable {

    private final Channel channel;
    private final BlockingQueue<DecodeResult> received;

    private A6TestClient(Channel channel, BlockingQueue<DecodeResult> received) {
        this.channel = channel;
        this.received = received;
    }

    public static A6TestClient connect(EventLoopGroup group, Path socket) {
        BlockingQueue<DecodeResult> queue = new LinkedBlockingQueue<>();
        Channel ch = new Bootstrap()
                .group(group)
                .channel(EpollDomainSocketChannel.class)
                .handler(new ChannelInitializer<EpollDomainSocketChannel>() {
                    @Override
                    protected void initChannel(EpollDomainSocketChannel c) {
                        A6Codecs.install(c.pipeline(), Side.APISIX);
                        c.pipeline().addLast(new SimpleChannelInboundHandler<DecodeResult>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DecodeResult msg) {
                                queue.add(msg);
                            }
                        });
                    }
                })
                .connect(new DomainSocketAddress(socket.toFile()))
                .syncUninterruptibly()
                .channel();
        return new A6TestClient(ch, queue);
    }

    public void send(A6Message message) {
        channel.writeAndFlush(message).syncUninterruptibly();
    }

    public void sendRaw(byte[] bytes) {
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        channel.writeAndFlush(buf).syncUninterruptibly();
    }

    /** Writes {@code bytes} and does not wait or fail: the runner may have closed the connection already. */
    public void sendRawQuietly(byte[] bytes) {
        channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
    }

    /** The next message from the runner, or an AssertionError after {@code timeout}. */
    public A6Message receive(Duration timeout) {
        DecodeResult result = poll(timeout);
        if (result == null) {
            throw new AssertionError("no frame from the runner within " + timeout);
        }
        if (result instanceof DecodeResult.Decoded d) {
            return d.message();
        }
        throw new AssertionError("malformed frame from the runner: " + result);
    }

    public A6Message receive() {
        return receive(Duration.ofSeconds(5));
    }

    /** Sends {@code message} and returns the next frame. */
    public A6Message call(A6Message message) {
        send(message);
        return receive();
    }

    public DecodeResult poll(Duration timeout) {
        try {
            return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Frames received and not yet taken. */
    public int pending() {
        return received.size();
    }

    public boolean isOpen() {
        return channel.isActive();
    }

    public boolean awaitClosed(Duration timeout) {
        return channel.closeFuture().awaitUninterruptibly(timeout.toMillis());
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
