package org.a6suite.runner.testing;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.plugin.Body;

/**
 * A publisher the test drives by hand: it records the demand the lane signals and whether it cancelled, and emits
 * only when the test says so, from the test's thread (so signals stay serial).
 */
public final class TestPublisher implements Flow.Publisher<Body> {

    private final AtomicLong requested = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final CountDownLatch subscribed = new CountDownLatch(1);
    private volatile Flow.Subscriber<? super Body> subscriber;

    @Override
    public void subscribe(Flow.Subscriber<? super Body> s) {
        subscriptions.incrementAndGet();
        subscriber = s;
        s.onSubscribe(new Flow.Subscription() {
            @Override
            public void request(long n) {
                requested.addAndGet(n);
            }

            @Override
            public void cancel() {
                cancelled.set(true);
            }
        });
        subscribed.countDown();
    }

    /** Total demand signalled so far. */
    public long requested() {
        return requested.get();
    }

    public long delivered() {
        return delivered.get();
    }

    public boolean hasDemand() {
        return delivered.get() < requested.get();
    }

    public boolean cancelled() {
        return cancelled.get();
    }

    public int subscriptions() {
        return subscriptions.get();
    }

    public void emit(String text) {
        emit(text.getBytes(StandardCharsets.UTF_8));
    }

    public void emit(byte[] bytes) {
        if (!hasDemand()) {
            throw new AssertionError(
                    "emit without demand (requested " + requested() + ", delivered " + delivered() + ")");
        }
        delivered.incrementAndGet();
        subscriber.onNext(Body.of(bytes));
    }

    public void complete() {
        subscriber.onComplete();
    }

    public void fail(Throwable error) {
        subscriber.onError(error);
    }
}
