package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.RequestView;
import org.a6suite.runner.conf.ChainLink;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.logging.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one connection to the lane (in practice one of nginx's upstream keep-alive connections): checks each
 * request's handoff, finds the route's prepared chain and link, and hands the request to a {@link LaneExchange}.
 * It holds at most one exchange; nginx never pipelines upstream requests, so a request that arrives while one is in
 * progress is dropped and the connection closed once the current answer is out.
 */
final class LaneHandler extends SimpleChannelInboundHandler<FullHttpRequest> implements LaneExchange.Listener {

    private static final Logger LOG = LoggerFactory.getLogger(LaneHandler.class);

    private final LaneServices services;
    /** The exchange in progress, null between requests. */
    private LaneExchange current;

    private boolean closeWhenDone;

    LaneHandler(LaneServices services) {
        super(FullHttpRequest.class);
        this.services = requireNonNull(services, "services");
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (current != null) {
            closeWhenDone = true;
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (request.decoderResult().isFailure()) {
            refuse(
                    ctx,
                    Problems.of(
                            HttpResponseStatus.BAD_REQUEST,
                            "bad_request",
                            "the request could not be parsed as HTTP/1.1",
                            false),
                    false);
            return;
        }
        List<String> presented = request.headers().getAll(Handoff.HEADER);
        HandoffSigner.Verification verification = presented.size() > 1
                ? new HandoffSigner.Verification.Rejected(HandoffRejection.MALFORMED)
                : services.signer().verify(presented.isEmpty() ? null : presented.getFirst());
        Handoff handoff;
        switch (verification) {
            case HandoffSigner.Verification.Rejected(HandoffRejection reason) -> {
                reject(ctx, reason, keepAlive);
                return;
            }
            case HandoffSigner.Verification.Valid(Handoff valid) -> handoff = valid;
        }
        Optional<PreparedChain> chain = services.tokens().lookup(handoff.confToken());
        if (chain.isEmpty()) {
            reject(ctx, HandoffRejection.UNKNOWN_TOKEN, keepAlive);
            return;
        }
        if (handoff.link() >= chain.get().links().size()) {
            reject(ctx, HandoffRejection.BAD_LINK, keepAlive);
            return;
        }
        Optional<RequestView> view;
        try {
            view = LaneRequests.view(request);
        } catch (IllegalArgumentException e) {
            refuse(
                    ctx,
                    Problems.of(
                            HttpResponseStatus.BAD_REQUEST,
                            "bad_request",
                            "the request URI could not be decoded",
                            keepAlive),
                    keepAlive);
            return;
        }
        if (view.isEmpty()) {
            refuse(
                    ctx,
                    Problems.of(
                            HttpResponseStatus.METHOD_NOT_ALLOWED,
                            "method_not_supported",
                            "the plugin API has no name for this request method",
                            keepAlive),
                    keepAlive);
            return;
        }
        ChainLink<?> link = chain.get().links().get(handoff.link());
        CallContext context = new CallContext(chain.get().routeKey(), handoff.requestId(), CallContext.Phase.LANE);
        current = new LaneExchange(ctx, services, link, keepAlive, this);
        current.start(view.get(), context);
    }

    private void reject(ChannelHandlerContext ctx, HandoffRejection reason, boolean keepAlive) {
        LOG.debug("lane request refused: {}", reason.code());
        services.metrics().rejected(reason);
        refuse(ctx, Problems.rejection(reason, keepAlive), keepAlive);
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        services.metrics().answered(LaneMetrics.NO_PLUGIN, response.status().code());
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exchangeDone(LaneExchange exchange, boolean reusable) {
        if (current == exchange) {
            current = null;
        }
        if (!reusable || closeWhenDone) {
            // After the answer's last write, which was queued before this call.
            exchange.closeAfterWrites();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            // A stream in progress reads nothing from its client by design; only an idle connection is closed.
            if (current == null) {
                LOG.debug(
                        "closing a lane connection idle for {} ms",
                        services.idleTimeout().toMillis());
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (current != null) {
            current.writabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (current != null) {
            current.clientGone();
            current = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("lane connection error: {}", LogText.escape(cause.toString(), 1024));
        } else {
            // A decoder's message can quote the request line or a header: escaped.
            LOG.warn("closing a lane connection after an error: {}", LogText.escape(cause.toString(), 1024));
        }
        ctx.close();
    }
}
