package org.a6suite.bench;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.a6suite.protocol.message.PrepareConfResponse;

/**
 * The floor a Netty server has: the runner's transport (Netty's epoll unix-domain server channel, or io_uring's with
 * {@code --transport io_uring}, one event-loop group of as many loops as the runner's default {@code
 * A6_WORKER_THREADS}) answering each call with the same pre-encoded frames as {@link EchoFloorServer}, decoding
 * nothing. It only finds frame boundaries (the 4-byte header's length), so what it costs per call is Netty's read,
 * pipeline and write path and the system calls under them: what any Netty runner on that transport pays before it
 * decodes a byte.
 *
 * <p>Usage: {@code EchoNettyFloorServer --socket PATH --workload noop|vars|body|postresp [--loops N] [--transport
 * epoll|io_uring]}
 */
public final class EchoNettyFloorServer {

    private EchoNettyFloorServer() {}

    public static void main(String[] args) throws Exception {
        Path socket = Path.of(args[1]);
        Workload workload = Workload.valueOf(args[3].toUpperCase(Locale.ROOT));
        int loops = Math.max(1, Runtime.getRuntime().availableProcessors());
        boolean ioUring = false;
        for (int i = 4; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--loops" -> loops = Integer.parseInt(args[i + 1]);
                case "--transport" ->
                    ioUring = switch (args[i + 1]) {
                        case "epoll" -> false;
                        case "io_uring" -> true;
                        default -> throw new IllegalArgumentException("--transport: expected epoll or io_uring");
                    };
                default -> throw new IllegalArgumentException(args[i] + ": unknown option (see the class Javadoc)");
            }
        }
        Files.deleteIfExists(socket);
        List<byte[]> infos = Frames.echoExtraInfoRequests(workload);
        ByteBuffer pipelined =
                ByteBuffer.allocate(infos.stream().mapToInt(b -> b.length).sum());
        infos.forEach(pipelined::put);
        Replies replies = new Replies(
                frozen(Frames.encode(new PrepareConfResponse(1))),
                frozen(pipelined.array()),
                infos.size(),
                frozen(Frames.echoReply(workload)));
        IoHandlerFactory handlers = ioUring ? IoUringIoHandler.newFactory() : EpollIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel =
                ioUring ? IoUringServerDomainSocketChannel.class : EpollServerDomainSocketChannel.class;
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(loops, new DefaultThreadFactory("echo-io"), handlers);
        try {
            new ServerBootstrap()
                    .group(group)
                    .channel(serverChannel)
                    .childHandler(new ChannelInitializer<DomainSocketChannel>() {
                        @Override
                        protected void initChannel(DomainSocketChannel ch) {
                            ch.pipeline().addLast(new EchoHandler(replies));
                        }
                    })
                    .bind(new DomainSocketAddress(socket.toFile()))
                    .sync();
            System.err.println("netty echo floor listening on " + socket + " for " + workload + " on " + loops
                    + (ioUring ? " io_uring" : " epoll") + " loops");
            Thread.currentThread().join();
        } finally {
            group.shutdownGracefully();
        }
    }

    /** A direct buffer each write sends a retained duplicate of (the write releases the duplicate's count). */
    private static ByteBuf frozen(byte[] bytes) {
        return Unpooled.directBuffer(bytes.length).writeBytes(bytes);
    }

    private record Replies(ByteBuf prepared, ByteBuf infos, int infoCount, ByteBuf reply) {}

    /**
     * Walks the bytes read, counting frames by their headers and skipping their payloads, and answers: PrepareConf
     * (type 1) with its reply; a call with the ExtraInfo requests in one write (when the workload has any) and, once
     * as many answers (type 3) came back, with the reply.
     */
    private static final class EchoHandler extends ChannelInboundHandlerAdapter {
        private final Replies replies;
        private int headerBytes;
        private int type;
        private int length;
        private int payloadLeft;
        private int answersLeft;

        EchoHandler(Replies replies) {
            this.replies = replies;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    if (payloadLeft > 0) {
                        int n = Math.min(payloadLeft, in.readableBytes());
                        in.skipBytes(n);
                        payloadLeft -= n;
                        if (payloadLeft == 0) {
                            frameDone(ctx);
                        }
                        continue;
                    }
                    int b = in.readUnsignedByte();
                    if (headerBytes == 0) {
                        type = b;
                        length = 0;
                    } else {
                        length = (length << 8) | b;
                    }
                    if (++headerBytes == 4) {
                        headerBytes = 0;
                        payloadLeft = length;
                        if (payloadLeft == 0) {
                            frameDone(ctx);
                        }
                    }
                }
            } finally {
                in.release();
            }
        }

        private void frameDone(ChannelHandlerContext ctx) {
            if (type == 1) {
                ctx.writeAndFlush(replies.prepared().retainedDuplicate());
            } else if (type == 3) {
                if (--answersLeft == 0) {
                    ctx.writeAndFlush(replies.reply().retainedDuplicate());
                }
            } else if (replies.infoCount() > 0) {
                answersLeft = replies.infoCount();
                ctx.writeAndFlush(replies.infos().retainedDuplicate());
            } else {
                ctx.writeAndFlush(replies.reply().retainedDuplicate());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // the driver closed the connection: normal end
        }
    }
}
