package org.a6suite.http.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;

/**
 * The connections to one origin: idle ones (most recently used first, as they are the least likely to have been
 * closed by the server), a count of open and opening ones held to {@code maxConnectionsPerOrigin}, and callers
 * waiting for one. All fields are guarded by {@code this}; futures are completed outside the lock.
 */
final class OriginPool {

    /** A connection handed to one exchange; {@code reused} when an earlier exchange completed on it. */
    record Lease(Connection connection, boolean reused) {}

    private final DefaultOutboundClient client;
    private final Origin origin;
    private final int max;
    private final long idleTimeoutNanos;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Lease>> waiters = new ArrayDeque<>();
    private final Set<Connection> open = new HashSet<>();
    private int allocated;
    private boolean closed;

    OriginPool(DefaultOutboundClient client, Origin origin) {
        this.client = client;
        this.origin = origin;
        this.max = client.config().maxConnectionsPerOrigin();
        this.idleTimeoutNanos = client.config().poolIdleTimeout().toNanos();
    }

    /**
     * A connection for one exchange: the most recent usable idle one, else a new one if below the limit, else the
     * next one released. {@code fresh} skips idle connections (a stale-connection retry) and may exceed the limit by
     * the one connection it replaces, whose close is still under way.
     */
    CompletableFuture<Lease> acquire(boolean fresh) {
        List<Connection> stale = new ArrayList<>();
        CompletableFuture<Lease> result;
        boolean connect = false;
        synchronized (this) {
            if (closed) {
                return CompletableFuture.failedFuture(clientClosed());
            }
            Connection reusable = null;
            if (!fresh) {
                long now = client.config().ticker().getAsLong();
                Connection c;
                while ((c = idle.pollFirst()) != null) {
                    if (c.channel.isActive() && now - c.idleSinceNanos < idleTimeoutNanos) {
                        reusable = c;
                        break;
                    }
                    stale.add(c);
                }
            }
            if (reusable != null) {
                result = CompletableFuture.completedFuture(new Lease(reusable, true));
            } else if (fresh || allocated < max) {
                allocated++;
                connect = true;
                result = new CompletableFuture<>();
            } else {
                result = new CompletableFuture<>();
                waiters.add(result);
                scheduleWaiterTimeout(result);
            }
        }
        for (Connection c : stale) {
            client.counters().staleDiscarded.increment();
            c.close(); // onClosed releases its slot
        }
        if (connect) {
            open(result);
        }
        return result;
    }

    /** Takes back a connection whose exchange completed cleanly; called on its event loop. */
    void release(Connection connection) {
        CompletableFuture<Lease> waiter = null;
        boolean pooled = false;
        synchronized (this) {
            if (!closed && idleTimeoutNanos > 0 && connection.channel.isActive()) {
                waiter = waiters.poll();
                if (waiter == null) {
                    connection.idleSinceNanos = client.config().ticker().getAsLong();
                    idle.addFirst(connection);
                    pooled = true;
                }
            }
        }
        if (waiter != null) {
            waiter.complete(new Lease(connection, true));
        } else if (pooled) {
            // A pending read while idle lets the event loop see the server's FIN (or stray bytes) and drop the
            // connection before anyone picks it, which shrinks the stale-connection race to microseconds.
            connection.channel.read();
            scheduleIdleCheck(connection, idleTimeoutNanos);
        } else {
            connection.close();
        }
    }

    private void scheduleIdleCheck(Connection connection, long delayNanos) {
        connection
                .channel
                .eventLoop()
                .schedule(
                        () -> {
                            long remaining;
                            synchronized (this) {
                                if (!idle.contains(connection)) {
                                    return;
                                }
                                remaining = idleTimeoutNanos
                                        - (client.config().ticker().getAsLong() - connection.idleSinceNanos);
                                if (remaining <= 0) {
                                    idle.remove(connection);
                                }
                            }
                            if (remaining <= 0) {
                                client.counters().staleDiscarded.increment();
                                connection.close();
                            } else {
                                scheduleIdleCheck(connection, Math.max(remaining, TimeUnit.MILLISECONDS.toNanos(1)));
                            }
                        },
                        delayNanos,
                        TimeUnit.NANOSECONDS);
    }

    private void open(CompletableFuture<Lease> result) {
        client.connect(origin, this).whenComplete((connection, error) -> {
            if (error != null) {
                CompletableFuture<Lease> next = slotFreed(null);
                result.completeExceptionally(error);
                if (next != null) {
                    open(next);
                }
                return;
            }
            boolean poolClosed;
            synchronized (this) {
                poolClosed = closed;
                open.add(connection);
            }
            connection.channel.closeFuture().addListener(f -> {
                CompletableFuture<Lease> next = slotFreed(connection);
                if (next != null) {
                    open(next);
                }
            });
            if (poolClosed) {
                connection.close();
                result.completeExceptionally(clientClosed());
            } else {
                result.complete(new Lease(connection, false));
            }
        });
    }

    /** A connection (or a failed attempt, when null) gave up its slot; returns a waiter to open one for. */
    private synchronized CompletableFuture<Lease> slotFreed(Connection connection) {
        if (connection != null) {
            if (idle.remove(connection)) { // closed by the server (seen by the idle read) or by our idle check
                client.counters().staleDiscarded.increment();
            }
            open.remove(connection);
        }
        allocated--;
        if (!closed && allocated < max) {
            CompletableFuture<Lease> waiter = waiters.poll();
            if (waiter != null) {
                allocated++;
                return waiter;
            }
        }
        return null;
    }

    private void scheduleWaiterTimeout(CompletableFuture<Lease> waiter) {
        Duration timeout = client.config().connectTimeout();
        client.group()
                .next()
                .schedule(
                        () -> {
                            boolean removed;
                            synchronized (this) {
                                removed = waiters.remove(waiter);
                            }
                            if (removed) {
                                waiter.completeExceptionally(new OutboundException(
                                        Kind.POOL_ACQUIRE_TIMEOUT,
                                        "no connection to " + origin + " became free within " + Failures.human(timeout)
                                                + " (all " + max + " allowed by maxConnectionsPerOrigin are busy)"));
                            }
                        },
                        timeout.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    /** Closes every connection and fails every waiter. */
    void close() {
        List<Connection> toClose;
        List<CompletableFuture<Lease>> toFail;
        synchronized (this) {
            closed = true;
            toClose = new ArrayList<>(open);
            toFail = new ArrayList<>(waiters);
            waiters.clear();
            idle.clear();
        }
        toFail.forEach(w -> w.completeExceptionally(clientClosed()));
        toClose.forEach(Connection::close);
    }

    synchronized int idleCount() {
        return idle.size();
    }

    private OutboundException clientClosed() {
        return new OutboundException(
                Kind.CLIENT_CLOSED, "the client was closed before a connection to " + origin + " was available");
    }
}
