package org.a6suite.http;

/**
 * Counters of one {@link OutboundClient}, cumulative since it was created. Plain reads, cheap enough to poll.
 */
public interface OutboundClientMetrics {

    /** TCP connections opened (TLS handshakes included when the origin is https). */
    long connectionsOpened();

    /** Requests sent on a pooled connection that an earlier exchange had used. */
    long connectionsReused();

    /**
     * Idle pooled connections dropped unused: closed by the server while idle (noticed by the idle read or when
     * picked) or kept past {@code poolIdleTimeout}.
     */
    long staleConnectionsDiscarded();

    /**
     * Requests retried on a fresh connection because none of their bytes had been written when a reused
     * connection turned out closed; safe for every method.
     */
    long retriesOfUnsentRequests();

    /**
     * Idempotent requests retried because a reused connection closed or was reset after the request was written
     * and before any response byte.
     */
    long retriesOfIdempotentRequests();

    /** Both kinds of retry. */
    default long retries() {
        return retriesOfUnsentRequests() + retriesOfIdempotentRequests();
    }
}
