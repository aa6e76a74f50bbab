package org.a6suite.http.support;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;

/** A body subscriber that a test drives by hand: it requests only what the test asks for. */
public final class Bodies {

    private Bodies() {}

    public static class ManualSubscriber implements Flow.Subscriber<ByteBuffer> {
        public final ConcurrentLinkedQueue<ByteBuffer> received = new ConcurrentLinkedQueue<>();
        public final AtomicLong bytes = new AtomicLong();
        public final CompletableFuture<Void> done = new CompletableFuture<>();
        private final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription.complete(s);
        }

        @Override
        public void onNext(ByteBuffer item) {
            bytes.addAndGet(item.remaining());
            received.add(item);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        public void request(long n) {
            subscription.join().request(n);
        }

        public void cancel() {
            subscription.join().cancel();
        }
    }
}
