package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Reactive Streams rules the lane relies on, one test per rule or bound, driven by a recording subscriber. */
class BodyPublisherTest {

    /** Records every signal; requests nothing unless told to. */
    static final class Recorder implements Flow.Subscriber<Body> {
        final List<String> items = new ArrayList<>();
        Flow.Subscription subscription;
        Throwable error;
        boolean complete;
        int onSubscribeCalls;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            onSubscribeCalls++;
        }

        @Override
        public void onNext(Body item) {
            items.add(item.asUtf8());
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            complete = true;
        }
    }

    /** Counts the source callbacks. */
    static final class CountingSource implements BodyPublisher.Source {
        final AtomicInteger demands = new AtomicInteger();
        final AtomicInteger cancels = new AtomicInteger();

        @Override
        public void onDemand() {
            demands.incrementAndGet();
        }

        @Override
        public void onCancel() {
            cancels.incrementAndGet();
        }
    }

    @Test
    void shouldDeliverOnlyWhatTheSubscriberRequested() {
        BodyPublisher publisher = BodyPublisher.bounded(8, "slow");
        Recorder r = new Recorder();
        publisher.subscribe(r);
        publisher.offer(Body.of("a"));
        publisher.offer(Body.of("b"));
        publisher.offer(Body.of("c"));

        assertThat(r.items).isEmpty();
        r.subscription.request(2);
        assertThat(r.items).containsExactly("a", "b");
        r.subscription.request(5);
        assertThat(r.items).containsExactly("a", "b", "c");
    }

    @Test
    void shouldHoldBodiesOfferedBeforeTheSubscriberArrives() {
        BodyPublisher publisher = BodyPublisher.bounded(8, "slow");
        publisher.offer(Body.of("early"));
        publisher.complete();
        Recorder r = new Recorder();
        publisher.subscribe(r);

        assertThat(r.complete).as("the end waits for the queued body").isFalse();
        r.subscription.request(1);
        assertThat(r.items).containsExactly("early");
        assertThat(r.complete).isTrue();
    }

    @Test
    void shouldFailAfterTheQueuedBodiesWhenTheProducerFails() {
        BodyPublisher publisher = BodyPublisher.bounded(8, "slow");
        Recorder r = new Recorder();
        publisher.subscribe(r);
        publisher.offer(Body.of("last words"));
        IllegalStateException cause = new IllegalStateException("provider gone");
        publisher.fail(cause);

        assertThat(r.error).isNull();
        r.subscription.request(1);
        assertThat(r.items).containsExactly("last words");
        assertThat(r.error).isSameAs(cause);
        assertThat(publisher.offer(Body.of("late"))).isFalse();
    }

    @Test
    void shouldRejectANullSubscriberWhenSubscribing() {
        BodyPublisher publisher = BodyPublisher.bounded(1, "slow");

        assertThatThrownBy(() -> publisher.subscribe(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("subscriber");
    }

    @Test
    void shouldRefuseASecondSubscriberWithAnError() {
        BodyPublisher publisher = BodyPublisher.bounded(4, "slow");
        Recorder first = new Recorder();
        Recorder late = new Recorder();
        publisher.subscribe(first);
        publisher.subscribe(late);
        publisher.offer(Body.of("x"));
        late.subscription.request(1);

        assertThat(late.onSubscribeCalls).isEqualTo(1);
        assertThat(late.error).isInstanceOf(IllegalStateException.class).hasMessageContaining("one subscriber");
        assertThat(late.items).isEmpty();
        first.subscription.request(1);
        assertThat(first.items).containsExactly("x");
    }

    @Test
    void shouldFailAndCancelWhenRequestIsNotPositive() {
        CountingSource source = new CountingSource();
        BodyPublisher publisher = BodyPublisher.bounded(4, "slow", source);
        Recorder r = new Recorder();
        publisher.subscribe(r);
        publisher.offer(Body.of("x"));
        r.subscription.request(0);

        assertThat(r.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rule 3.9");
        assertThat(r.items).isEmpty();
        assertThat(source.cancels).hasValue(1);
        assertThat(publisher.isOpen()).isFalse();
        r.subscription.request(-5);
        assertThat(source.cancels).as("once").hasValue(1);
    }

    @Test
    void shouldStopSignallingAndTellTheSourceOnceWhenTheSubscriberCancels() {
        CountingSource source = new CountingSource();
        BodyPublisher publisher = BodyPublisher.bounded(4, "slow", source);
        Recorder r = new Recorder();
        publisher.subscribe(r);
        publisher.offer(Body.of("unread"));
        r.subscription.cancel();
        r.subscription.cancel();
        r.subscription.request(10);
        publisher.complete();

        assertThat(r.items).isEmpty();
        assertThat(r.complete).isFalse();
        assertThat(r.error).isNull();
        assertThat(source.cancels).hasValue(1);
        assertThat(publisher.offer(Body.of("more"))).isFalse();
    }

    @Test
    void shouldFailTheSubscriptionWhenTheSubscriberLetsTheBoundFillUp() {
        CountingSource source = new CountingSource();
        BodyPublisher publisher = BodyPublisher.bounded(2, "the client stopped reading", source);
        Recorder r = new Recorder();
        publisher.subscribe(r);

        assertThat(publisher.offer(Body.of("1"))).isTrue();
        assertThat(publisher.offer(Body.of("2"))).isTrue();
        assertThat(publisher.offer(Body.of("3"))).isFalse();

        assertThat(r.error)
                .isInstanceOf(BodyPublisher.OverflowException.class)
                .hasMessage("the client stopped reading");
        assertThat(r.items).as("the queue is discarded").isEmpty();
        assertThat(publisher.highWaterMark()).isEqualTo(2);
        assertThat(source.cancels).hasValue(1);
        assertThat(publisher.isOpen()).isFalse();
    }

    @Test
    void shouldAskTheSourceForMoreOnlyWhileTheQueueIsEmptyAndTheSubscriberWaits() {
        CountingSource source = new CountingSource();
        BodyPublisher publisher = BodyPublisher.bounded(4, "slow", source);
        Recorder r = new Recorder();
        publisher.subscribe(r);
        publisher.offer(Body.of("queued"));
        assertThat(source.demands).as("no demand yet").hasValue(0);

        r.subscription.request(1);
        assertThat(r.items).containsExactly("queued");
        assertThat(source.demands).as("demand used up by the queued body").hasValue(0);

        r.subscription.request(1);
        assertThat(source.demands).hasValue(1);
        publisher.complete();
        r.subscription.request(1);
        assertThat(source.demands).as("none after the end").hasValue(1);
        assertThat(r.complete).isTrue();
    }

    @Test
    void shouldDiscardTheQueueAndFailTheSubscriberWhenTheProducerCancels() {
        CountingSource source = new CountingSource();
        BodyPublisher publisher = BodyPublisher.bounded(4, "slow", source);
        publisher.offer(Body.of("never read"));
        publisher.cancel();
        Recorder r = new Recorder();
        publisher.subscribe(r);
        r.subscription.request(1);

        assertThat(r.items).isEmpty();
        assertThat(r.error).isInstanceOf(java.util.concurrent.CancellationException.class);
        assertThat(r.complete).isFalse();
        assertThat(source.cancels).hasValue(1);
    }

    @Test
    void shouldRejectABoundBelowOneWhenBuilt() {
        assertThatThrownBy(() -> BodyPublisher.bounded(0, "slow"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueued: 0 (expected: >= 1)");
    }
}
