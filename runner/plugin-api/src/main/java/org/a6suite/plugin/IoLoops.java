package org.a6suite.plugin;

import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The runner's I/O event loops, offered to plugins whose own I/O can run on them, so that a lane request and the
 * outbound call it makes stay on one thread (no hand-off between the lane's loop and a client's loop). The plugin
 * API names no Netty type: a library that speaks Netty asks {@link #unwrap} for the group it needs.
 *
 * <p>Work posted to a loop must never block: it would stall every connection of that loop (A6 calls included).
 */
public interface IoLoops {

    /**
     * The loop the calling thread runs, when it is one of these; empty on any other thread. Tasks scheduled on it run
     * on the same thread, after the current task, so timers set from a lane request fire where the request is
     * served.
     */
    Optional<ScheduledExecutorService> current();

    /**
     * The implementation object as {@code type} when it is one (the runner's is a Netty {@code EventLoopGroup} of
     * the epoll transport), else empty. Never null.
     */
    <T> Optional<T> unwrap(Class<T> type);
}
