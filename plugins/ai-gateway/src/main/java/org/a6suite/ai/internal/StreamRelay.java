package org.a6suite.ai.internal;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.ai.internal.provider.ProviderException;
import org.a6suite.ai.internal.provider.StreamTranslator;
import org.a6suite.ai.internal.provider.Usage;
import org.a6suite.ai.internal.stream.ProviderStream;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.BodyPublisher;
import org.a6suite.resilience.AdaptiveTimeout;
import org.a6suite.resilience.Deadline;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Relays one committed provider stream to the lane as OpenAI server-sent events, at the pace the client reads:
 * the provider is asked for its next body part only when the lane has asked for a chunk and nothing is queued, so
 * at most one provider read (plus the final or error event) is ever held here, whatever the stream's length.
 *
 * <pre>
 *   data: {"id":..., "object":"chat.completion.chunk", "choices":[{"index":0,"delta":{...}}]}   ... as they arrive
 *   data: {"id":..., "choices":[], "usage":{...}, "x_a6":{"target":..., "cost_usd":..., ...}}   the stream completed
 *                                                     (only when the client set stream_options.include_usage)
 *   data: [DONE]
 * or, once the provider failed, stalled or was cut off after the first chunk:
 *   data: {"error":{"message":..., "type":"upstream_error", "code":"stream_truncated"}}      and no [DONE];
 *   then the stream fails, so the lane ends the response without its final chunk
 * </pre>
 *
 * The OpenAI SDKs raise an error on a {@code data:} event whose JSON has an {@code error} field, so no client takes
 * a cut answer for a whole one. Deadlines: the target's adaptive token-gap deadline bounds each wait for the
 * provider (never the wait for a slow client), and the call's total deadline bounds the whole stream; one watchdog
 * timer per stream checks both. Tokens are accounted once, when the stream ends, fails or is cancelled.
 */
public final class StreamRelay implements Flow.Publisher<Body>, BodyPublisher.Source, ProviderStream.Sink {

    /**
     * The opening chunks, one provider read and the final or error event are the most ever queued (the provider is
     * read only on demand); the bound only catches a bug.
     */
    private static final int MAX_QUEUED = 8;

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    /** What the relay reports into accounting and the final usage chunk. */
    record CallInfo(
            String routeId,
            long requestId,
            Optional<String> requestedModel,
            ObjectNode request,
            List<AttemptInfo> attempts,
            long startNanos,
            boolean logEnabled,
            boolean includeContent) {}

    private enum Outcome {
        SUCCESS,
        TRUNCATED,
        CANCELLED
    }

    private final StreamingInvoker.Opened opened;
    private final ProviderStream stream;
    private final StreamTranslator translator;
    private final CallInfo call;
    private final Accounting accounting;
    private final Deadline total;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final AdaptiveTimeout gaps;

    private final BodyPublisher body;
    private final AtomicBoolean accounted = new AtomicBoolean();
    private final AtomicBoolean watchdogArmed = new AtomicBoolean();
    private final StringBuilder completion = new StringBuilder();
    private volatile boolean cancelled;
    private volatile boolean terminalQueued;
    private volatile boolean upstreamInFlight;
    private volatile boolean firstPull = true;
    /** When the current wait for the provider began, or 0 when not waiting. */
    private volatile long waitingSince;

    private volatile long gapTimeoutNanos;
    private volatile long outputTokens;
    private final org.a6suite.http.SecretRedactor redactor;

    StreamRelay(
            StreamingInvoker.Opened opened,
            CallInfo call,
            Accounting accounting,
            Deadline total,
            Ticker ticker,
            Scheduler scheduler,
            org.a6suite.http.SecretRedactor redactor) {
        this.redactor = redactor;
        this.opened = opened;
        this.stream = opened.stream();
        this.translator = stream.translator();
        this.call = call;
        this.accounting = accounting;
        this.total = total;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.gaps = opened.runtime().tokenGap();
        this.body = BodyPublisher.bounded(MAX_QUEUED, "the lane did not read the stream", this);
        stream.attach(this);
        body.offer(encode(stream.openingChunks()));
    }

    /** The most chunks (as lane bodies) ever queued here at once: bounded by design, observed by tests. */
    public int highWaterMark() {
        return body.highWaterMark();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Body> s) {
        body.subscribe(s);
    }

    /** Gives the stream up before anyone reads it (the client went away as it was committed). */
    public void cancel() {
        body.cancel();
    }

    /** The lane's subscription ended before the stream's end (cancelled, or a lane bug): stop the provider. */
    @Override
    public void onCancel() {
        cancelled = true;
        stream.cancel();
        account(Outcome.CANCELLED);
    }

    /** The lane waits and nothing is queued: read the provider's next part, unless a read is in flight. */
    @Override
    public void onDemand() {
        if (!terminalQueued && !cancelled && !upstreamInFlight) {
            pullUpstream();
        }
    }

    // ---- provider side ---------------------------------------------------------------------------------------

    @Override
    public void onChunks(List<ObjectNode> chunks) {
        long since = waitingSince;
        waitingSince = 0;
        if (since != 0) {
            gaps.record(StreamingInvoker.key(), Duration.ofNanos(Math.max(0, ticker.nanoTime() - since)));
        }
        upstreamInFlight = false;
        if (chunks.isEmpty()) {
            body.ready(); // nothing to relay: read on if the lane still waits
        } else {
            body.offer(encode(chunks));
        }
    }

    @Override
    public void onEnd() {
        waitingSince = 0;
        if (terminalQueued || cancelled) {
            return;
        }
        Usage usage = usage(true);
        if (!call.request().path("stream_options").path("include_usage").asBoolean(false)) {
            // As OpenAI does: a usage chunk (empty choices) only for clients that asked for one; clients that
            // read choices[0] of every chunk would trip on it. Tokens and cost still reach the call log and metrics.
            terminalQueued = true;
            upstreamInFlight = false;
            body.offer(Body.wrap(DONE));
            account(Outcome.SUCCESS);
            body.complete();
            return;
        }
        ObjectNode last = translator.chunk();
        last.putArray("choices");
        ObjectNode u = last.putObject("usage");
        u.put("prompt_tokens", usage.input());
        u.put("completion_tokens", usage.output());
        u.put("total_tokens", usage.total());
        Target target = opened.runtime().target();
        ObjectNode x = last.putObject("x_a6");
        x.put("target", target.id());
        x.put("provider", target.type().wireName());
        x.put("model", target.model());
        x.put("attempts", call.attempts().size());
        x.put("tokens_estimated", usage.estimated());
        x.put("cost_usd", Accounting.cost(target, usage));
        x.put("ttft_ms", opened.ttftNanos() / 1_000_000);
        x.put("latency_ms", (ticker.nanoTime() - call.startNanos()) / 1_000_000);
        byte[] usageEvent = event(last);
        byte[] body = new byte[usageEvent.length + DONE.length];
        System.arraycopy(usageEvent, 0, body, 0, usageEvent.length);
        System.arraycopy(DONE, 0, body, usageEvent.length, DONE.length);
        terminalQueued = true;
        upstreamInFlight = false;
        this.body.offer(Body.wrap(body));
        account(Outcome.SUCCESS);
        this.body.complete();
    }

    @Override
    public void onFailure(Throwable error) {
        waitingSince = 0;
        if (terminalQueued || cancelled) {
            return;
        }
        stream.cancel();
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode e = root.putObject("error");
        String[] described = describe(error, redactor);
        e.put("message", described[0]);
        e.put("type", "upstream_error");
        e.putNull("param");
        e.put("code", described[1]);
        terminalQueued = true;
        upstreamInFlight = false;
        body.offer(Body.wrap(event(root)));
        account(Outcome.TRUNCATED);
        // The error event is out; failing the stream makes the lane end the response without its final chunk,
        // so a client that ignores error events still sees a broken transfer.
        body.fail(new StreamFailedException());
    }

    private static String[] describe(Throwable error, org.a6suite.http.SecretRedactor redactor) {
        if (error instanceof StallException stall) {
            return new String[] {stall.getMessage(), stall.code};
        }
        if (error instanceof ProviderException pe) {
            if (pe.kind() == ProviderException.Kind.TRUNCATED_STREAM) {
                return new String[] {"the provider's stream ended before its final event", "stream_truncated"};
            }
            String message = redactor.redact(pe.providerMessage());
            String detail = message.isBlank() ? "" : ": " + message;
            return new String[] {"the provider failed mid-stream (" + pe.kind().label() + ")" + detail, "provider_error"
            };
        }
        return new String[] {"the connection to the provider failed mid-stream", "connection_error"};
    }

    /** Ends a stream whose error event was sent; carries no detail (the event says what happened). */
    static final class StreamFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StreamFailedException() {
            super("the provider stream failed after the first byte; an error event was sent", null, false, false);
        }
    }

    /** A wait for the provider that outlasted the token-gap deadline, or the call's total deadline. */
    private static final class StallException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String code;

        StallException(String message, String code) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    // ---- reading the provider on demand -----------------------------------------------------------------------

    private void pullUpstream() {
        upstreamInFlight = true;
        if (firstPull) {
            firstPull = false;
            if (stream.endedWhileOpening()) {
                scheduler.schedule(this::onEnd, Duration.ZERO);
                return;
            }
        }
        long remaining = total.remainingNanos();
        long gap = gaps.timeout(StreamingInvoker.key()).toNanos();
        gapTimeoutNanos = Math.min(gap, remaining);
        waitingSince = ticker.nanoTime() | 1; // never 0 while waiting
        armWatchdog(gapTimeoutNanos);
        stream.pull();
    }

    /** One timer per stream: re-armed for what is left of the current wait, disarmed while nobody waits. */
    private void armWatchdog(long nanos) {
        if (watchdogArmed.compareAndSet(false, true)) {
            scheduler.schedule(this::watchdog, Duration.ofNanos(Math.max(1, nanos)));
        }
    }

    private void watchdog() {
        watchdogArmed.set(false);
        if (terminalQueued || cancelled) {
            return;
        }
        long since = waitingSince;
        if (since == 0) {
            return;
        }
        long waited = ticker.nanoTime() - since;
        long allowed = gapTimeoutNanos;
        if (waited >= allowed) {
            gaps.record(StreamingInvoker.key(), Duration.ofNanos(waited)); // censored: lets the deadline grow
            boolean totalExpired = total.isExpired();
            onFailure(
                    totalExpired
                            ? new StallException("the call's total deadline passed mid-stream", "deadline_exceeded")
                            : new StallException(
                                    "the provider sent nothing for " + waited / 1_000_000
                                            + " ms mid-stream (token gap deadline)",
                                    "stream_stalled"));
            return;
        }
        armWatchdog(allowed - waited);
    }

    // ---- encoding and accounting ----------------------------------------------------------------------------

    private Body encode(List<ObjectNode> chunks) {
        StringBuilder out = new StringBuilder(chunks.size() * 160);
        for (ObjectNode chunk : chunks) {
            count(chunk);
            out.append("data: ").append(Json.MAPPER.writeValueAsString(chunk)).append("\n\n");
        }
        return Body.wrap(out.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] event(ObjectNode node) {
        return ("data: " + Json.MAPPER.writeValueAsString(node) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Counts the tokens streamed, for a provider that reports no usage or a stream cut short. */
    private void count(ObjectNode chunk) {
        long tokens = 0;
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            String text = delta.path("content").asString("");
            tokens += Tokens.count(text);
            if (call.includeContent()) {
                synchronized (completion) {
                    completion.append(text);
                }
            }
            for (JsonNode tool : delta.path("tool_calls")) {
                tokens += Tokens.count(tool.path("function").path("name").asString(""))
                        + Tokens.count(tool.path("function").path("arguments").asString(""));
            }
        }
        outputTokens += tokens;
    }

    private Usage usage(boolean complete) {
        if (complete && translator.done() && translator.usage().isPresent()) {
            return translator.usage().get();
        }
        return new Usage(Tokens.prompt(call.request()), outputTokens, true);
    }

    private void account(Outcome outcome) {
        if (!accounted.compareAndSet(false, true)) {
            return;
        }
        Usage usage = usage(outcome == Outcome.SUCCESS);
        long latency = (ticker.nanoTime() - call.startNanos()) / 1_000_000;
        Target target = opened.runtime().target();
        String completionText;
        synchronized (completion) {
            completionText = completion.toString();
        }
        accounting.record(
                new CallFacts(
                        new CallFacts.Request(
                                call.routeId(), call.requestId(), Operation.CHAT, true, call.requestedModel()),
                        Optional.of(new CallFacts.Served(target, translator.model())),
                        new CallFacts.Result(
                                200,
                                outcome.name().toLowerCase(java.util.Locale.ROOT),
                                usage,
                                latency,
                                call.attempts()),
                        call.includeContent()
                                ? Optional.of(new CallFacts.Content(
                                        Json.MAPPER.writeValueAsString(
                                                call.request().path("messages")),
                                        completionText))
                                : Optional.empty()),
                call.logEnabled());
        accounting.timeToFirstToken(target, opened.ttftNanos());
    }
}
