package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.RequestView;
import org.a6suite.runner.conf.ChainLink;
import org.a6suite.runner.logging.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request on the lane, from the plugin call to the end of its response. Every field is touched only on the
 * connection's event loop: the plugin's stage and the publisher's signals, from whatever thread they come, reach it
 * through {@link LoopSignals} (in order, never nested; at once when they already arrive on the loop, as they do for
 * a plugin whose outbound client runs on the lane's loops, see {@code PluginEnvironment.ioLoops()}). The answer's
 * HTTP head is {@link LaneHeads}'.
 *
 * <pre>
 *   CALLING ──(Whole)──────────────────────────────> DONE
 *      │    ──(failed before the head: 502)────────> DONE
 *      └──(Streamed: head sent, subscribed)──> STREAMING ──(onComplete: last chunk)──> DONE
 *                                                  └──(onError / client gone: abort, no last chunk)──> DONE
 *   client gone while CALLING: the plugin's stage is cancelled ──> DONE
 * </pre>
 *
 * Demand: at most {@link #WINDOW} chunks are requested and not yet received, and more are asked for only while the
 * channel is writable, so a client that stops reading stops the publisher once the socket buffers and Netty's
 * outbound buffer (bounded by the channel's write-buffer high-water mark) are full.
 */
final class LaneExchange {

    private static final Logger LOG = LoggerFactory.getLogger(LaneExchange.class);

    /** Chunks requested ahead of the write; small, so memory per stream stays a few chunks. */
    static final int WINDOW = 4;

    enum State {
        CALLING,
        STREAMING,
        DONE
    }

    /** Told when the exchange is over, on the event loop; {@code reusable} when the connection may serve another. */
    interface Listener {
        void exchangeDone(LaneExchange exchange, boolean reusable);
    }

    private final ChannelHandlerContext ctx;
    private final EventExecutor loop;
    private final LaneServices services;
    private final ChainLink<?> link;
    private final boolean keepAlive;
    private final Listener listener;
    private State state = State.CALLING;
    /** The plugin's stage, once called; cancelled if the client leaves before the head. */
    private CompletableFuture<LaneResponse> stage;

    private int status;
    private Flow.Subscription subscription;
    /** Chunks requested and not yet received. */
    private int outstanding;
    /** The answer's last write so far; the connection, if it must close, closes after it. */
    private ChannelFuture lastWrite;
    /** The exchange's signals, on the loop in order (see {@link LoopSignals}). */
    private final LoopSignals signals;

    LaneExchange(
            ChannelHandlerContext ctx, LaneServices services, ChainLink<?> link, boolean keepAlive, Listener listener) {
        this.ctx = requireNonNull(ctx, "ctx");
        this.loop = ctx.executor();
        this.signals = new LoopSignals(loop);
        this.services = requireNonNull(services, "services");
        this.link = requireNonNull(link, "link");
        this.keepAlive = keepAlive;
        this.listener = requireNonNull(listener, "listener");
        services.exchanges().begin();
    }

    /** Calls the plugin; on the event loop. */
    void start(RequestView view, CallContext context) {
        if (!link.blocking()) {
            stageReady(invoke(view, context));
            return;
        }
        try {
            services.blocking().execute(() -> {
                CompletableFuture<LaneResponse> f = invoke(view, context);
                loop.execute(() -> stageReady(f));
            });
        } catch (RejectedExecutionException e) {
            failBeforeHead(
                    HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "busy",
                    "the runner's pool for blocking plugins is saturated");
        }
    }

    private CompletableFuture<LaneResponse> invoke(RequestView view, CallContext context) {
        CompletionStage<LaneResponse> s;
        try {
            s = link.onLane(view, context);
        } catch (Throwable t) {
            return CompletableFuture.failedFuture(t);
        }
        if (s == null) {
            return CompletableFuture.failedFuture(new NullPointerException("plugin returned a null stage"));
        }
        try {
            return s.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            // A stage that will not expose a future: bridged, at the price of not reaching it with cancel().
            CompletableFuture<LaneResponse> bridge = new CompletableFuture<>();
            s.whenComplete((r, t) -> {
                if (t != null) {
                    bridge.completeExceptionally(t);
                } else {
                    bridge.complete(r);
                }
            });
            return bridge;
        }
    }

    private void stageReady(CompletableFuture<LaneResponse> f) {
        stage = f;
        if (state == State.DONE) {
            // The client left while a blocking plugin was being called.
            f.cancel(false);
            return;
        }
        f.whenComplete((response, error) -> signals.signal(() -> answered(response, error)));
    }

    private void answered(LaneResponse response, Throwable error) {
        if (state != State.CALLING) {
            if (response instanceof LaneResponse.Streamed streamed) {
                // Nobody reads it: subscribe only to tell the plugin so, at once.
                subscribeSafely(streamed.body(), new Cancelling());
            }
            return;
        }
        if (error != null || response == null) {
            LOG.debug(
                    "plugin {} failed on the lane before answering: {}",
                    link.name(),
                    error == null ? "null response" : LogText.escape(error.toString(), 1024));
            failBeforeHead(HttpResponseStatus.BAD_GATEWAY, "plugin_failed", "the plugin failed before it answered");
            return;
        }
        try {
            switch (response) {
                case LaneResponse.Whole whole -> sendWhole(whole);
                case LaneResponse.Streamed streamed -> startStream(streamed);
            }
        } catch (IllegalArgumentException e) {
            // Netty refuses a header name or value that is not valid HTTP (a CR or LF in it, say) before anything
            // is written, so the client can still get an honest answer.
            // Netty's message quotes the offending header, which may carry request text: escaped.
            LOG.debug(
                    "plugin {} answered a head that is not valid HTTP: {}",
                    link.name(),
                    LogText.escape(e.toString(), 1024));
            failBeforeHead(
                    HttpResponseStatus.BAD_GATEWAY,
                    "invalid_head",
                    "the plugin answered a status or header that is not valid HTTP");
        }
    }

    private void sendWhole(LaneResponse.Whole whole) {
        FullHttpResponse response = LaneHeads.whole(whole);
        status = whole.status();
        finish(response);
    }

    private void failBeforeHead(HttpResponseStatus problem, String reason, String detail) {
        status = problem.code();
        finish(Problems.of(problem, reason, detail, keepAlive));
    }

    /** Sends a complete answer and ends the exchange. */
    private void finish(FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        services.metrics().answered(link.name(), status);
        lastWrite = ctx.writeAndFlush(response);
        end(true);
    }

    private void startStream(LaneResponse.Streamed streamed) {
        HttpResponse head = LaneHeads.streamed(streamed, keepAlive);
        status = streamed.status();
        state = State.STREAMING;
        services.metrics().streamOpened();
        lastWrite = ctx.writeAndFlush(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        subscribeSafely(streamed.body(), new Chunks());
    }

    private void subscribeSafely(Flow.Publisher<Body> publisher, Flow.Subscriber<Body> subscriber) {
        try {
            publisher.subscribe(subscriber);
        } catch (RuntimeException e) {
            // Rule 1.9 forbids it; a publisher that throws here will never signal, so the stream is over.
            if (subscriber instanceof Chunks) {
                aborted("plugin_error", e);
            }
        }
    }

    /** The channel's writability changed: resume demand if it became writable. */
    void writabilityChanged() {
        topUp();
    }

    /** The connection closed; cancels whatever still works for it. */
    void clientGone() {
        switch (state) {
            case CALLING -> {
                end(false);
                if (stage != null) {
                    stage.cancel(false);
                }
            }
            case STREAMING -> {
                services.metrics().streamAborted(link.name(), "client_gone");
                endStream(false);
                if (subscription != null) {
                    subscription.cancel();
                }
            }
            case DONE -> {}
        }
    }

    /** Closes the connection once what this exchange wrote is out (a non-keep-alive request, a pipelined one). */
    void closeAfterWrites() {
        if (lastWrite == null) {
            ctx.channel().close();
        } else {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void topUp() {
        if (state != State.STREAMING || subscription == null || !ctx.channel().isWritable() || outstanding >= WINDOW) {
            return;
        }
        int n = WINDOW - outstanding;
        outstanding = WINDOW;
        // A publisher answering request(n) with onNext on this stack gets its signal posted.
        signals.guarded(() -> {
            try {
                subscription.request(n);
            } catch (RuntimeException e) {
                aborted("plugin_error", e);
            }
        });
    }

    private void subscribed(Flow.Subscription s) {
        if (subscription != null || state != State.STREAMING) {
            // Rule 2.5: a second subscription (or one after the stream ended) is cancelled at once.
            s.cancel();
            return;
        }
        subscription = s;
        topUp();
    }

    private void chunk(Body body) {
        if (state != State.STREAMING) {
            return;
        }
        if (body == null || --outstanding < 0) {
            // Rule 2.13 (null) or 1.1 (more than requested): the publisher is broken, and unbounded.
            if (subscription != null) {
                subscription.cancel();
            }
            aborted("plugin_error", new IllegalStateException(body == null ? "null chunk" : "chunk not requested"));
            return;
        }
        if (!body.isEmpty()) {
            // No copy: the chunk wraps the Body's array, which is immutable.
            lastWrite = ctx.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(body.asByteBuffer())))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        topUp();
    }

    private void completed() {
        if (state != State.STREAMING) {
            return;
        }
        services.metrics().answered(link.name(), status);
        lastWrite = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        endStream(true);
    }

    private void failed(Throwable error) {
        aborted("plugin_error", error);
    }

    /**
     * Ends a stream without its last chunk by closing the connection: a chunked body without the terminating
     * zero-length chunk is how HTTP/1.1 says "truncated", so neither nginx nor the client takes it for complete.
     */
    private void aborted(String cause, Throwable error) {
        if (state != State.STREAMING) {
            return;
        }
        LOG.debug(
                "stream of plugin {} aborted ({}): {}",
                link.name(),
                cause,
                LogText.escape(String.valueOf(error), 1024));
        services.metrics().answered(link.name(), status);
        services.metrics().streamAborted(link.name(), cause);
        endStream(false);
        ctx.channel().close();
    }

    private void endStream(boolean reusable) {
        services.metrics().streamClosed();
        end(reusable);
    }

    private void end(boolean reusable) {
        state = State.DONE;
        services.exchanges().end();
        listener.exchangeDone(this, reusable && keepAlive);
    }

    /** The lane's subscriber: every signal reaches the exchange on the event loop (see {@link LoopSignals}). */
    private final class Chunks implements Flow.Subscriber<Body> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            requireNonNull(s, "subscription");
            signals.signal(() -> subscribed(s));
        }

        @Override
        public void onNext(Body item) {
            signals.signal(() -> chunk(item));
        }

        @Override
        public void onError(Throwable throwable) {
            signals.signal(() -> failed(throwable));
        }

        @Override
        public void onComplete() {
            signals.signal(LaneExchange.this::completed);
        }
    }

    /** Subscribes to a stream nobody will read, only to cancel it. */
    private static final class Cancelling implements Flow.Subscriber<Body> {
        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.cancel();
        }

        @Override
        public void onNext(Body item) {}

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {}
    }
}
