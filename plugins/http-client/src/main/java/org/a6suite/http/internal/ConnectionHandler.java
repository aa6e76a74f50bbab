package org.a6suite.http.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * The top of a connection's pipeline: hands decoded response parts to the exchange using the connection, if any.
 * Per-call state lives in {@link Exchange}; this handler holds only which one is current. Anything that arrives
 * while no exchange is current (a server talking out of turn on an idle connection) closes the connection: its
 * bytes cannot belong to any later request.
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {

    private Exchange current;

    void attach(Exchange exchange) {
        current = exchange;
    }

    void detach(Exchange exchange) {
        if (current == exchange) {
            current = null;
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange exchange = current;
        if (exchange == null || !(msg instanceof HttpObject object)) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        exchange.onMessage(object);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange exchange = current;
        if (exchange != null) {
            exchange.onClosed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange exchange = current;
        if (exchange != null) {
            exchange.onClosed(cause);
        }
        ctx.close();
    }
}
