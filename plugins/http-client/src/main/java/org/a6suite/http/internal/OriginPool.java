package org.a6suite.http.internal;

import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundException.Kind;

/**
 * The connections to one origin: idle ones per event loop (most recently used first, as they are the least likely
 * to have been closed by the server), a count of open and opening ones held to {@code maxConnectionsPerOrigin}, and
 * callers waiting for one. All fields are guarded by {@code this}; futures are completed outside the lock.
 *
 * <p>A caller that runs on one of the client's event loops (a lane request, when the client shares the runner's
 * loops) gets, in this order: an idle connection of its own loop, a new connection on its own loop, an idle one of
 * another loop, the next one released. So in steady state its whole exchange runs on its own thread, as in Netty's
 * proxy example ({@code bootstrap.group(inbound.eventLoop())}), and the pool holds at most what the limit allows.
 */
final class OriginPool {

    /** A connection handed to one exchange; {@code reused} when an earlier exchange completed on it. */
    record Lease(Connection connection, boolean reused) {}

    private final DefaultOutboundClient client;
    private final Origin origin;
    private final int max;
    private final long idleTimeoutNanos;
    /** Idle connections by the event loop they belong to; a deque is kept once made (there are few loops). */
    private final Map<EventLoop, ArrayDeque<Connection>> idle = new HashMap<>();

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
     * A connection for one exchange: a usable idle one (of {@code preferred}'s loop first, see the class comment),
     * else a new one if below the limit, else the next one released. {@code fresh} skips idle connections (a
     * stale-connection retry) and may exceed the limit by the one connection it replaces, whose close is still under
     * way. {@code preferred} is the caller's event loop when it runs on one of the client's, else null.
     */
    CompletableFuture<Lease> acquire(boolean fresh, EventLoop preferred) {
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
                if (preferred != null) {
                    reusable = pollUsable(idle.get(preferred), now, stale);
                }
                if (reusable == null && (preferred == null || allocated >= max)) {
                    reusable = pollMostRecent(now, stale);
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
            open(result, preferred);
        }
        return result;
    }

    /** The most recent usable connection of {@code deque} (null: none); unusable ones met on the way go to stale. */
    private Connection pollUsable(ArrayDeque<Connection> deque, long now, List<Connection> stale) {
        if (deque == null) {
            return null;
        }
        Connection c;
        while ((c = deque.pollFirst()) != null) {
            if (c.channel.isActive() && now - c.idleSinceNanos < idleTimeoutNanos) {
                return c;
            }
            stale.add(c);
        }
        return null;
    }

    /** The most recently used usable connection of any loop (null: none), as a pool without loops would pick. */
    private Connection pollMostRecent(long now, List<Connection> stale) {
        while (true) {
            ArrayDeque<Connection> newest = null;
            for (ArrayDeque<Connection> deque : idle.values()) {
                Connection head = deque.peekFirst();
                if (head != null && (newest == null || head.idleSinceNanos - newest.peekFirst().idleSinceNanos > 0)) {
                    newest = deque;
                }
            }
            if (newest == null) {
                return null;
            }
            Connection c = newest.pollFirst();
            if (c.channel.isActive() && now - c.idleSinceNanos < idleTimeoutNanos) {
                return c;
            }
            stale.add(c);
        }
    }

    private ArrayDeque<Connection> idleOf(Connection connection) {
        return idle.computeIfAbsent(connection.channel.eventLoop(), l -> new ArrayDeque<>());
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
                    idleOf(connection).addFirst(connection);
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
                                if (!idleOf(connection).contains(connection)) {
                                    return;
                                }
                                remaining = idleTimeoutNanos
                                        - (client.config().ticker().getAsLong() - connection.idleSinceNanos);
                                if (remaining <= 0) {
                                    idleOf(connection).remove(connection);
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

    /** Opens a connection for {@code result}, on {@code loop} (null: any of the client's). */
    private void open(CompletableFuture<Lease> result, EventLoop loop) {
        client.connect(origin, loop).whenComplete((connection, error) -> {
            if (error != null) {
                CompletableFuture<Lease> next = slotFreed(null);
                result.completeExceptionally(error);
                if (next != null) {
                    open(next, null);
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
                    open(next, null);
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
            if (idleOf(connection)
                    .remove(connection)) { // closed by the server (seen by the idle read) or by our idle check
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
        int n = 0;
        for (ArrayDeque<Connection> deque : idle.values()) {
            n += deque.size();
        }
        return n;
    }

    private OutboundException clientClosed() {
        return new OutboundException(
                Kind.CLIENT_CLOSED, "the client was closed before a connection to " + origin + " was available");
    }
}
