package org.a6suite.runner.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InFlightCallsTest {

    @Test
    void shouldWakeTheWaiterWhenTheLastCallEnds() throws Exception {
        InFlightCalls calls = new InFlightCalls();
        calls.begin();
        calls.begin();
        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return calls.awaitDrained(Duration.ofMinutes(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });

        calls.end();
        assertThat(calls.count()).isEqualTo(1);
        calls.end();

        assertThat(drained.get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(calls.count()).isZero();
    }

    @Test
    void shouldReportNotDrainedWhenTheTimeoutPassesWithACallInFlight() throws Exception {
        InFlightCalls calls = new InFlightCalls();
        calls.begin();

        assertThat(calls.awaitDrained(Duration.ofMillis(1))).isFalse();
        assertThat(calls.count()).isEqualTo(1);
    }

    @Test
    void shouldReturnAtOnceWhenNothingIsInFlight() throws Exception {
        InFlightCalls calls = new InFlightCalls();
        calls.begin();
        calls.end();

        assertThat(calls.awaitDrained(Duration.ZERO)).isTrue();
    }
}
