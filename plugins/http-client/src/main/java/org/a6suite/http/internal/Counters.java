package org.a6suite.http.internal;

import java.util.concurrent.atomic.LongAdder;
import org.a6suite.http.OutboundClientMetrics;

/** The client's counters; written from event loops and callers, read from anywhere. */
final class Counters implements OutboundClientMetrics {
    final LongAdder opened = new LongAdder();
    final LongAdder reused = new LongAdder();
    final LongAdder staleDiscarded = new LongAdder();
    final LongAdder unsentRetries = new LongAdder();
    final LongAdder idempotentRetries = new LongAdder();

    @Override
    public long connectionsOpened() {
        return opened.sum();
    }

    @Override
    public long connectionsReused() {
        return reused.sum();
    }

    @Override
    public long staleConnectionsDiscarded() {
        return staleDiscarded.sum();
    }

    @Override
    public long retriesOfUnsentRequests() {
        return unsentRetries.sum();
    }

    @Override
    public long retriesOfIdempotentRequests() {
        return idempotentRetries.sum();
    }

    @Override
    public String toString() {
        return "opened=" + connectionsOpened() + " reused=" + connectionsReused() + " staleDiscarded="
                + staleConnectionsDiscarded() + " unsentRetries=" + retriesOfUnsentRequests()
                + " idempotentRetries=" + retriesOfIdempotentRequests();
    }
}
