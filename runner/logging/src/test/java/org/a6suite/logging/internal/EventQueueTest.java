package org.a6suite.logging.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.a6suite.logging.internal.EventQueue.Offer;
import org.junit.jupiter.api.Test;

class EventQueueTest {

    @Test
    void shouldAskForAWakeUpOnlyWhenTheQueueLeavesEmptyAndWhenItReachesHalfFull() {
        EventQueue<String> queue = new EventQueue<>(8);

        assertThat(queue.offer("1")).isEqualTo(Offer.WAKE);
        assertThat(queue.offer("2")).isEqualTo(Offer.QUEUED);
        assertThat(queue.offer("3")).isEqualTo(Offer.QUEUED);
        assertThat(queue.halfFull()).isFalse();
        assertThat(queue.offer("4")).isEqualTo(Offer.WAKE);
        assertThat(queue.halfFull()).isTrue();
        assertThat(queue.offer("5")).isEqualTo(Offer.QUEUED);
    }

    @Test
    void shouldAskForAWakeUpAgainOnceTheConsumerEmptiedTheQueue() {
        EventQueue<String> queue = new EventQueue<>(8);
        queue.offer("1");
        queue.offer("2");

        assertThat(queue.poll()).isEqualTo("1");
        assertThat(queue.offer("3")).isEqualTo(Offer.QUEUED);
        assertThat(queue.poll()).isEqualTo("2");
        assertThat(queue.poll()).isEqualTo("3");
        assertThat(queue.poll()).isNull();
        assertThat(queue.size()).isZero();
        assertThat(queue.offer("4")).isEqualTo(Offer.WAKE);
    }

    @Test
    void shouldDropAndCountOffersWhenFull() {
        EventQueue<String> queue = new EventQueue<>(2);
        queue.offer("1");
        queue.offer("2");

        assertThat(queue.offer("3")).isEqualTo(Offer.DROPPED);
        assertThat(queue.offer("4")).isEqualTo(Offer.DROPPED);
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.takeDropped()).isEqualTo(2);
        assertThat(queue.takeDropped()).isZero();
        assertThat(queue.poll()).isEqualTo("1");
        assertThat(queue.offer("5")).isEqualTo(Offer.QUEUED);
    }
}
