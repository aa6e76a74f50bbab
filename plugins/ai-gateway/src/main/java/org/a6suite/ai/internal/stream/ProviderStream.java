package org.a6suite.ai.internal.stream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.ai.internal.provider.ProviderRequest;
import org.a6suite.ai.internal.provider.StreamTranslator;
import org.a6suite.ai.internal.provider.Wire;
import tools.jackson.databind.node.ObjectNode;

/**
 * One attempt's provider stream. It opens in two steps: the response head (a non-2xx status fails the attempt with
 * the provider's error, read from a bounded body), then the body is read only until the first content chunk is in
 * hand, so that any failure before that point (status, connection, truncation, the caller's first-token deadline
 * cancelling it) is still the attempt's failure and may be retried elsewhere. Once {@link #open opened} the stream
 * is committed: it reads one more body part per {@link #pull()} and reports to its {@link Sink}.
 *
 * <pre>
 *   HEAD ──2xx──> OPENING ──first content chunk (or the provider's end)──> OPEN ──end / failure / cancel──> ENDED
 *     └─ error status, I/O error, cancel ─> failed attempt     └─ I/O error, truncation, cancel ─> failed attempt
 * </pre>
 */
public final class ProviderStream implements Flow.Subscriber<List<ByteBuffer>> {

    /** Largest error body read from a provider. */
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** Receives a committed stream's translated chunks, one call per {@link #pull()} that read something. */
    public interface Sink {
        /** Chunks from one read; possibly empty (a keep-alive, half an event), then the sink pulls again. */
        void onChunks(List<ObjectNode> chunks);

        /** The provider's stream is complete (its final event arrived). */
        void onEnd();

        /** The stream failed after it was committed: an error event, a cut connection, a truncated stream. */
        void onFailure(Throwable error);
    }

    private enum State {
        HEAD,
        OPENING,
        OPEN,
        ENDED
    }

    private final StreamTranslator translator;
    private final Clock clock;
    private final CompletableFuture<ProviderStream> opened = new CompletableFuture<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final List<ObjectNode> opening = new ArrayList<>(4);
    private volatile State state = State.HEAD;
    private volatile CompletableFuture<StreamingTransport.StreamedReply> send;
    private volatile Flow.Subscription subscription;
    private volatile Sink sink;
    private volatile boolean endedWhileOpening;
    private Runnable pendingTerminal;

    private ProviderStream(StreamTranslator translator, Clock clock) {
        this.translator = translator;
        this.clock = clock;
    }

    /**
     * Sends {@code request} and completes once the first content chunk is in hand. Cancelling the returned future
     * aborts the exchange.
     */
    public static CompletableFuture<ProviderStream> open(
            StreamingTransport transport,
            ProviderRequest request,
            StreamTranslator translator,
            Duration headTimeout,
            Clock clock) {
        ProviderStream stream = new ProviderStream(translator, clock);
        stream.opened.whenComplete((s, e) -> {
            if (stream.opened.isCancelled()) {
                stream.cancel();
            }
        });
        CompletableFuture<StreamingTransport.StreamedReply> send;
        try {
            send = transport.send(request, headTimeout);
        } catch (RuntimeException e) {
            stream.opened.completeExceptionally(e);
            return stream.opened;
        }
        stream.send = send;
        if (stream.cancelled.get()) {
            send.cancel(true);
        }
        send.whenComplete((reply, error) -> {
            if (error != null) {
                stream.fail(unwrap(error));
            } else if (stream.cancelled.get()) {
                StreamingTransport.discard(reply.body());
            } else if (reply.status() < 200 || reply.status() > 299) {
                reply.body().subscribe(new ErrorBody(stream, reply));
            } else {
                stream.state = State.OPENING;
                reply.body().subscribe(stream);
            }
        });
        return stream.opened;
    }

    /** The translator, for the provider's usage, id and model. */
    public StreamTranslator translator() {
        return translator;
    }

    /** The chunks read while opening, the last of which is the first content chunk; handed over once. */
    public List<ObjectNode> openingChunks() {
        return List.copyOf(opening);
    }

    /**
     * Starts delivering to {@code sink}; call once, before the first {@link #pull()}. An end or failure that came
     * between the commit and this call (the connection cut right after the first chunk) is delivered now.
     */
    public void attach(Sink sink) {
        Runnable pending;
        synchronized (this) {
            this.sink = sink;
            pending = this.pendingTerminal;
            this.pendingTerminal = null;
        }
        if (pending != null) {
            pending.run();
        }
    }

    /** Runs {@code signal} against the sink now, or on {@link #attach} if no sink is attached yet. */
    private void terminal(java.util.function.Consumer<Sink> signal) {
        Sink target;
        synchronized (this) {
            target = sink;
            if (target == null) {
                pendingTerminal = () -> signal.accept(sink);
                return;
            }
        }
        signal.accept(target);
    }

    /** Reads the next body part into the sink. */
    public void pull() {
        Flow.Subscription s = subscription;
        if (s != null && state == State.OPEN) {
            s.request(1);
        }
    }

    /** Aborts the exchange (closes the connection to the provider); idempotent. */
    public void cancel() {
        if (!cancelled.compareAndSet(false, true)) {
            return;
        }
        state = State.ENDED;
        CompletableFuture<StreamingTransport.StreamedReply> s = send;
        if (s != null) {
            s.cancel(true);
        }
        Flow.Subscription sub = subscription;
        if (sub != null) {
            sub.cancel();
        }
        opened.cancel(true);
    }

    public boolean isCancelled() {
        return cancelled.get();
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (cancelled.get()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        List<ObjectNode> chunks = new ArrayList<>(4);
        for (ByteBuffer buffer : buffers) {
            chunks.addAll(translator.feed(buffer));
        }
        Optional<ProviderException> failure = translator.failure();
        switch (state) {
            case OPENING -> {
                if (failure.isPresent()) {
                    subscription.cancel();
                    fail(failure.get()); // nothing of a failed attempt reaches the client
                    return;
                }
                opening.addAll(chunks);
                if (translator.done() || chunks.stream().anyMatch(StreamTranslator::isContent)) {
                    commit();
                } else {
                    subscription.request(1);
                }
            }
            case OPEN -> {
                Sink target = sink;
                if (failure.isPresent()) {
                    // The chunks before the provider's error were streamed to us: they reach the client first.
                    if (!chunks.isEmpty()) {
                        target.onChunks(chunks);
                    }
                    subscription.cancel();
                    fail(failure.get());
                    return;
                }
                target.onChunks(chunks);
                if (translator.done()) {
                    end();
                }
            }
            default -> {}
        }
    }

    private void commit() {
        // The state is set before the stream is handed over: completing the future runs the relay, which may pull.
        endedWhileOpening = translator.done();
        state = endedWhileOpening ? State.ENDED : State.OPEN;
        if (!opened.complete(this)) {
            cancel();
            return;
        }
        if (endedWhileOpening) {
            // Everything arrived while opening: the sink is told the end at its first pull; read the rest.
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(Long.MAX_VALUE);
            }
        }
    }

    /** Whether the provider's stream ended while opening: no pull is needed, the end is known. */
    public boolean endedWhileOpening() {
        return endedWhileOpening && !cancelled.get();
    }

    private void end() {
        state = State.ENDED;
        sink.onEnd();
        // Read what follows the final event (the HTTP message's end) without bound, so the connection can be reused.
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onError(Throwable error) {
        fail(error instanceof IOException ? error : new IOException(error.getMessage(), error));
    }

    @Override
    public void onComplete() {
        switch (state) {
            case OPENING -> {
                try {
                    translator.finish();
                    commit();
                } catch (ProviderException e) {
                    fail(e);
                }
            }
            case OPEN -> {
                state = State.ENDED;
                try {
                    translator.finish();
                    terminal(Sink::onEnd);
                } catch (ProviderException e) {
                    terminal(s -> s.onFailure(e));
                }
            }
            default -> {}
        }
    }

    private void fail(Throwable error) {
        State was = state;
        state = State.ENDED;
        if (was == State.OPEN && !cancelled.get()) {
            terminal(s -> s.onFailure(error));
        } else {
            opened.completeExceptionally(error);
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable current = error;
        while (current instanceof CompletionException && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    /** Reads a bounded error body, then fails the attempt with the provider's error (and any Retry-After). */
    private static final class ErrorBody implements Flow.Subscriber<List<ByteBuffer>> {
        private final ProviderStream stream;
        private final StreamingTransport.StreamedReply reply;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Flow.Subscription subscription;
        private boolean finished;

        ErrorBody(ProviderStream stream, StreamingTransport.StreamedReply reply) {
            this.stream = stream;
            this.reply = reply;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int n = Math.min(b.remaining(), MAX_ERROR_BODY - body.size());
                byte[] bytes = new byte[n];
                b.get(bytes);
                body.write(bytes, 0, n);
            }
            if (body.size() >= MAX_ERROR_BODY) {
                subscription.cancel();
                onComplete();
            }
        }

        @Override
        public void onError(Throwable throwable) {
            onComplete();
        }

        @Override
        public void onComplete() {
            if (finished) {
                return;
            }
            finished = true;
            stream.fail(Wire.error(reply.status(), reply.headers(), body.toByteArray(), stream.clock));
        }
    }
}
