package org.a6suite.mcp.internal;

import java.util.concurrent.Flow;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.BodyPublisher;

/**
 * One SSE connection to the client as a lane body: the encoded events pushed into it, delivered as fast as the lane
 * asks. The queue is bounded: a client that stops reading while {@code maxQueued} events pile up has its connection
 * failed (the lane closes it without the final chunk) and may resume from the session's event log with
 * {@code Last-Event-ID}. The demand, bound and signalling rules are the plugin API's {@link BodyPublisher}'s; this
 * class only names the SSE connection's operations.
 */
final class SsePublisher implements Flow.Publisher<Body> {

    private final BodyPublisher body;

    /** @param onCancel runs once when the client goes away (the subscription is cancelled) or stops reading */
    SsePublisher(int maxQueued, Runnable onCancel) {
        this.body = BodyPublisher.bounded(
                maxQueued,
                "the client did not read its SSE stream; resume with Last-Event-ID",
                new BodyPublisher.Source() {
                    @Override
                    public void onCancel() {
                        onCancel.run();
                    }
                });
    }

    /** Queues one encoded event; false when the connection is finished or has just overflowed. */
    boolean push(Body event) {
        return body.offer(event);
    }

    /** Ends the response after what is queued. */
    void complete() {
        body.complete();
    }

    boolean isOpen() {
        return body.isOpen();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super Body> s) {
        body.subscribe(s);
    }
}
