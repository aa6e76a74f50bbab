package org.a6suite.runner.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.EncoderException;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.CallRequest;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.FromApisix;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.runner.chain.RequestOutcome;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.conf.Questions;
import org.a6suite.runner.lane.Handoff;
import org.a6suite.runner.logging.LogText;
import org.a6suite.runner.metrics.RunnerMetrics.CallResult;
import org.a6suite.runner.metrics.RunnerMetrics.CallType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one APISIX connection. APISIX sends one RPC at a time per connection and, while a call is in flight, only
 * the ExtraInfo answers the runner asked for; this handler keeps that call in one {@link CallState} and answers it
 * exactly once.
 *
 * <ul>
 *   <li>PrepareConf: {@link ConfPreparation} (on the blocking pool; unknown plugin or invalid config: Err
 *       BAD_REQUEST, APISIX answers 503).</li>
 *   <li>HTTPReqCall / HTTPRespCall: unknown token: Err CONF_TOKEN_NOT_FOUND (APISIX re-prepares). Otherwise every
 *       ExtraInfo request the chain needs goes out in one buffer, the answers are matched in order, and the chain
 *       runs. A failing plugin: Err SERVICE_UNAVAILABLE, WARN log.</li>
 *   <li>A malformed frame or a message out of protocol order: Err BAD_REQUEST (ending the call in flight, if any),
 *       then the connection is closed, since its framing or state can no longer be trusted.</li>
 *   <li>A frame over the buffer budget ({@link FrameGuard.Refused}): Err SERVICE_UNAVAILABLE, then close; a frame
 *       incomplete past the frame timeout ({@link FrameGuard.TimedOut}): close.</li>
 * </ul>
 *
 * <p>WARN lines a peer can provoke go through the rate-limited log, with peer text escaped.
 */
final class A6ConnectionHandler extends SimpleChannelInboundHandler<DecodeResult> {

    private static final Logger LOG = LoggerFactory.getLogger(A6ConnectionHandler.class);

    private static final ErrorResponse BAD_REQUEST = new ErrorResponse(ErrorResponse.Code.BAD_REQUEST);
    private static final ErrorResponse UNAVAILABLE = new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE);
    private static final ErrorResponse TOKEN_NOT_FOUND = new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND);

    private final ConnectionServices services;
    private final ConfPreparation preparation;
    /** A reply that could not be encoded (e.g. over 16 MiB) was not written at all: answer Err 1 instead. */
    private final ChannelFutureListener onReplyWritten = this::onReplyWritten;

    private final FrameGuard guard;
    /** The call in flight on this connection, null between calls. */
    private CallState current;

    A6ConnectionHandler(ConnectionServices services, FrameGuard guard) {
        super(DecodeResult.class);
        this.services = requireNonNull(services, "services");
        this.preparation = new ConfPreparation(services);
        this.guard = requireNonNull(guard, "guard");
    }

    private void onReplyWritten(io.netty.channel.ChannelFuture future) {
        if (!future.isSuccess()) {
            Channel channel = future.channel();
            if (future.cause() instanceof EncoderException && channel.isActive()) {
                Throwable why = future.cause().getCause() == null
                        ? future.cause()
                        : future.cause().getCause();
                services.warnings()
                        .warn(
                                "reply_unencodable",
                                "a reply could not be encoded ({}); answering Err SERVICE_UNAVAILABLE",
                                LogText.escape(String.valueOf(why.getMessage())));
                channel.writeAndFlush(UNAVAILABLE).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                channel.close();
            }
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        services.metrics().connectionOpened();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        services.metrics().connectionClosed();
        if (current != null) {
            // APISIX gave up (timeout or error); whatever the chain produces later goes nowhere.
            abandon(current);
        }
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DecodeResult result) {
        switch (result) {
            case DecodeResult.Malformed m ->
                protocolError(
                        ctx, "malformed frame (type " + m.frameType() + ", length " + m.length() + "): " + m.reason());
            case DecodeResult.Decoded d -> onMessage(ctx, d.message());
        }
    }

    private void onMessage(ChannelHandlerContext ctx, A6Message decoded) {
        if (!(decoded instanceof FromApisix message)) {
            // The decoder on the runner side yields only what APISIX sends; kept as a guard, never a silent drop.
            protocolError(ctx, "unexpected " + decoded.frameType() + " from APISIX");
            return;
        }
        if (current != null && !(message instanceof ExtraInfoResponse)) {
            protocolError(ctx, message.frameType() + " arrived while a " + current.type + " was in flight");
            return;
        }
        switch (message) {
            case ExtraInfoResponse answer -> onExtraInfo(ctx, answer);
            case PrepareConfRequest request -> prepare(ctx, request);
            case HttpReqCallRequest request -> requestCall(ctx, request);
            case HttpRespCallRequest request -> responseCall(ctx, request);
        }
    }

    private void prepare(ChannelHandlerContext ctx, PrepareConfRequest request) {
        CallState call = begin(CallState.prepare(request));
        preparation.prepare(request, ctx.executor(), outcome -> reply(ctx, call, outcome.reply(), outcome.result()));
    }

    private void requestCall(ChannelHandlerContext ctx, HttpReqCallRequest request) {
        Optional<PreparedChain> chain = services.tokens().lookup(request.confToken());
        if (chain.isEmpty()) {
            tokenNotFound(ctx, CallType.HTTP_REQ_CALL, request.confToken());
            return;
        }
        Questions questions = chain.get().requestQuestions();
        start(
                ctx,
                begin(CallState.call(CallType.HTTP_REQ_CALL, request.id(), request, chain.get(), questions.asked())),
                questions);
    }

    private void responseCall(ChannelHandlerContext ctx, HttpRespCallRequest request) {
        Optional<PreparedChain> chain = services.tokens().lookup(request.confToken());
        if (chain.isEmpty()) {
            tokenNotFound(ctx, CallType.HTTP_RESP_CALL, request.confToken());
            return;
        }
        Questions questions = chain.get().responseQuestions();
        start(
                ctx,
                begin(CallState.call(CallType.HTTP_RESP_CALL, request.id(), request, chain.get(), questions.asked())),
                questions);
    }

    private void tokenNotFound(ChannelHandlerContext ctx, CallType type, long token) {
        LOG.debug("unknown conf token {}: Err CONF_TOKEN_NOT_FOUND", token);
        services.metrics().call(type, CallResult.TOKEN_NOT_FOUND);
        ctx.writeAndFlush(TOKEN_NOT_FOUND).addListener(onReplyWritten);
    }

    private void start(ChannelHandlerContext ctx, CallState call, Questions questions) {
        if (call.stage == CallState.Stage.RUNNING) {
            run(ctx, call);
            return;
        }
        // All questions in one buffer and one flush: APISIX answers them in order, so one round trip in total.
        // The frames were encoded once, into a direct buffer, when the chain was prepared.
        ctx.writeAndFlush(questions.frameBuffer()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    private void onExtraInfo(ChannelHandlerContext ctx, ExtraInfoResponse answer) {
        CallState call = current;
        if (call == null || call.stage != CallState.Stage.AWAITING_EXTRA_INFO) {
            protocolError(ctx, "an ExtraInfo answer nobody asked for");
            return;
        }
        if (call.answer(answer)) {
            run(ctx, call);
        }
    }

    /**
     * Runs the chain. An inline chain (the common case) is complete on return, and its reply is written right here:
     * no callback, no thread hop and nothing allocated for either. Otherwise the reply is written when the chain
     * completes, back on the connection's event loop.
     */
    private void run(ChannelHandlerContext ctx, CallState call) {
        Executor home = ctx.executor();
        CompletableFuture<?> outcome;
        try {
            outcome = switch ((CallRequest) call.request) {
                case HttpReqCallRequest request -> {
                    var view = MessageMapping.requestView(
                            request, call.vars(), call.body(ExtraInfoRequest.ReqBody.INSTANCE));
                    call.clientSentHandoff = view.headers().contains(Handoff.HEADER);
                    yield services.chains().runRequest(call.chain, view, call.chain.context(call.id), home);
                }
                case HttpRespCallRequest request -> {
                    var view = MessageMapping.responseView(
                            request, call.vars(), call.body(ExtraInfoRequest.RespBody.INSTANCE));
                    yield services.chains().runResponse(call.chain, view, call.chain.context(call.id), home);
                }
            };
        } catch (RuntimeException e) {
            outcome = CompletableFuture.failedFuture(e);
        }
        if (outcome.isDone()) {
            complete(ctx, call, outcome);
            return;
        }
        CompletableFuture<?> pending = outcome;
        pending.whenComplete((ignored, error) -> {
            if (ctx.executor().inEventLoop()) {
                complete(ctx, call, pending);
            } else {
                ctx.executor().execute(() -> complete(ctx, call, pending));
            }
        });
    }

    /** Maps the chain's (completed) outcome to the reply and writes it; a failure is answered Err SERVICE_UNAVAILABLE. */
    private void complete(ChannelHandlerContext ctx, CallState call, CompletableFuture<?> outcome) {
        A6Message message;
        try {
            message = switch ((CallRequest) call.request) {
                case HttpReqCallRequest request ->
                    MessageMapping.requestReply(
                            call.id,
                            services.handoffs()
                                    .decide(
                                            (RequestOutcome) outcome.join(),
                                            request.confToken(),
                                            call.id,
                                            call.clientSentHandoff));
                case HttpRespCallRequest request ->
                    MessageMapping.responseReply(call.id, (ResponseDecision) outcome.join());
            };
        } catch (RuntimeException error) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            services.warnings()
                    .warn(
                            "call_failed",
                            "{} failed on {} (Err SERVICE_UNAVAILABLE): {}",
                            call.type,
                            routeKey(call),
                            LogText.escape(cause.toString(), 1024),
                            LogText.escapeThrowable(cause));
            reply(ctx, call, UNAVAILABLE, CallResult.FAILURE);
            return;
        }
        reply(ctx, call, message, CallResult.OK);
    }

    private CallState begin(CallState call) {
        current = call;
        call.startNanos = services.metrics().now();
        services.inFlight().begin();
        return call;
    }

    /** The one place a call's reply is written; a second attempt is a bug and is dropped, never sent. */
    private void reply(ChannelHandlerContext ctx, CallState call, A6Message message, CallResult result) {
        if (call.stage == CallState.Stage.REPLIED) {
            LOG.debug("reply for an abandoned {} dropped", call.type);
            return;
        }
        finish(call);
        services.metrics().call(call.type, result, call.startNanos);
        ctx.writeAndFlush(message).addListener(onReplyWritten);
    }

    private void finish(CallState call) {
        call.stage = CallState.Stage.REPLIED;
        if (current == call) {
            current = null;
        }
        services.inFlight().end();
    }

    private void abandon(CallState call) {
        if (call.stage != CallState.Stage.REPLIED) {
            finish(call);
        }
        current = null;
    }

    private void protocolError(ChannelHandlerContext ctx, String what) {
        services.warnings().warn("protocol_error", "closing an APISIX connection: {}", LogText.escape(what, 1024));
        services.metrics().protocolError();
        if (current != null) {
            CallState call = current;
            finish(call);
            services.metrics().call(call.type, CallResult.BAD_REQUEST);
        }
        ctx.writeAndFlush(BAD_REQUEST).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof FrameGuard.Verdict verdict) {
            onVerdict(ctx, verdict);
            return;
        }
        if (event instanceof IdleStateEvent idle && idle.state() == IdleState.READER_IDLE) {
            boolean owed = current != null && current.stage == CallState.Stage.AWAITING_EXTRA_INFO;
            if (guard.midFrame() || owed) {
                services.warnings()
                        .warn(
                                "idle_timeout",
                                "closing an APISIX connection silent for {} ms {}",
                                services.idleTimeout().toMillis(),
                                owed ? "while ExtraInfo answers were owed" : "in the middle of a frame");
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    /** The frame guard gave up on this connection: end the call in flight, if any, and close. */
    private void onVerdict(ChannelHandlerContext ctx, FrameGuard.Verdict verdict) {
        if (current != null) {
            CallState call = current;
            finish(call);
            services.metrics().call(call.type, CallResult.FAILURE);
        }
        switch (verdict) {
            case FrameGuard.Refused r -> {
                services.metrics().frameRefused();
                services.warnings()
                        .warn(
                                "frame_refused",
                                "closing an APISIX connection: a frame of {} bytes does not"
                                        + " fit the buffer budget ({} of {} bytes reserved, A6_MAX_BUFFERED_BYTES; frames up to {}"
                                        + " bytes are always admitted, A6_CONNECTION_BUFFER_BYTES); answering Err SERVICE_UNAVAILABLE",
                                r.frameBytes(),
                                r.reserved(),
                                r.budget(),
                                services.limits().connectionBufferBytes());
                ctx.writeAndFlush(UNAVAILABLE).addListener(ChannelFutureListener.CLOSE);
            }
            case FrameGuard.TimedOut t -> {
                services.metrics().frameTimedOut();
                services.warnings()
                        .warn(
                                "frame_timeout",
                                "closing an APISIX connection: a frame was still incomplete"
                                        + " after {} ms (A6_FRAME_TIMEOUT)",
                                t.frameTimeout().toMillis());
                ctx.close();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("APISIX connection error: {}", cause.toString());
        } else {
            services.warnings()
                    .warn(
                            "connection_error",
                            "closing an APISIX connection after an error",
                            LogText.escapeThrowable(cause));
        }
        ctx.close();
    }

    /** The route key for a log line: it comes from APISIX, so it is escaped. */
    private static String routeKey(CallState call) {
        return call.chain == null
                ? "<no key>"
                : LogText.escape(call.chain.routeKey().orElse("<no key>"));
    }
}
