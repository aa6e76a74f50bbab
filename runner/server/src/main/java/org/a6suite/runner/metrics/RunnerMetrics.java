package org.a6suite.runner.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The runner's own meters, registered once in the runner's registry and kept in arrays indexed by enum so the hot
 * path allocates nothing and looks nothing up:
 *
 * <ul>
 *   <li>{@code a6_runner_calls_total{type,result}} and the histogram {@code a6_runner_call_duration_seconds{type}}
 *       (request frame to reply, buckets {@link Buckets#RUNNER_CALL});</li>
 *   <li>{@code a6_runner_connections} and {@code a6_runner_buffered_bytes} (gauges);</li>
 *   <li>{@code a6_runner_protocol_errors_total}, {@code a6_runner_refused_connections_total},
 *       {@code a6_runner_refused_frames_total}, {@code a6_runner_frame_timeouts_total}.</li>
 * </ul>
 */
public final class RunnerMetrics {

    /** What a call was. */
    public enum CallType {
        PREPARE_CONF,
        HTTP_REQ_CALL,
        HTTP_RESP_CALL
    }

    /** How it ended. */
    public enum CallResult {
        OK,
        BAD_REQUEST,
        TOKEN_NOT_FOUND,
        FAILURE
    }

    private final Counter[][] calls = new Counter[CallType.values().length][CallResult.values().length];
    private final Timer[] durations = new Timer[CallType.values().length];
    private final LongAdder connections = new LongAdder();
    private final Counter malformed;
    private final Counter refusedConnections;
    private final Counter refusedFrames;
    private final Counter frameTimeouts;
    private final LongSupplier bufferedBytes;
    private final LongSupplier ticker;

    /**
     * @param registry      where the meters are registered
     * @param bufferedBytes reads the bytes reserved by incomplete frames, for {@code a6_runner_buffered_bytes}
     * @param ticker        nanoseconds, for call durations
     */
    public RunnerMetrics(MeterRegistry registry, LongSupplier bufferedBytes, LongSupplier ticker) {
        requireNonNull(registry, "registry");
        this.bufferedBytes = requireNonNull(bufferedBytes, "bufferedBytes");
        this.ticker = requireNonNull(ticker, "ticker");
        for (CallType type : CallType.values()) {
            String t = type.name().toLowerCase(Locale.ROOT);
            for (CallResult result : CallResult.values()) {
                calls[type.ordinal()][result.ordinal()] = Counter.builder("a6_runner_calls_total")
                        .description("RPCs from APISIX by type and result")
                        .tag("type", t)
                        .tag("result", result.name().toLowerCase(Locale.ROOT))
                        .register(registry);
            }
            durations[type.ordinal()] = Timer.builder("a6_runner_call_duration")
                    .description("RPCs from APISIX, request frame to reply (answered calls, any result)")
                    .tag("type", t)
                    .serviceLevelObjectives(Buckets.RUNNER_CALL)
                    .register(registry);
        }
        malformed = counter(
                registry, "a6_runner_protocol_errors_total", "Malformed or out-of-order frames (connection closed)");
        refusedConnections = counter(
                registry, "a6_runner_refused_connections_total", "Connections closed on accept (A6_MAX_CONNECTIONS)");
        refusedFrames = counter(
                registry, "a6_runner_refused_frames_total", "Frames over the buffer budget (connection closed)");
        frameTimeouts = counter(
                registry, "a6_runner_frame_timeouts_total", "Connections closed inside a frame (A6_FRAME_TIMEOUT)");
        Gauge.builder("a6_runner_connections", connections, LongAdder::sum)
                .description("Open connections from APISIX")
                .strongReference(true)
                .register(registry);
        Gauge.builder("a6_runner_buffered_bytes", bufferedBytes, b -> b.getAsLong())
                .description("Bytes reserved by incomplete frames, all connections")
                .strongReference(true)
                .register(registry);
    }

    private static Counter counter(MeterRegistry registry, String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }

    /** The ticker's now, in nanoseconds: a call's start for {@link #call(CallType, CallResult, long)}. */
    public long now() {
        return ticker.getAsLong();
    }

    /** Counts a call that was answered without being run (no duration recorded). */
    public void call(CallType type, CallResult result) {
        calls[type.ordinal()][result.ordinal()].increment();
    }

    /** Counts a call and records its duration since {@code startNanos} (from {@link #now()}). */
    public void call(CallType type, CallResult result, long startNanos) {
        calls[type.ordinal()][result.ordinal()].increment();
        durations[type.ordinal()].record(Math.max(0, ticker.getAsLong() - startNanos), TimeUnit.NANOSECONDS);
    }

    public long calls(CallType type, CallResult result) {
        return (long) calls[type.ordinal()][result.ordinal()].count();
    }

    /** Calls of {@code type} whose duration was recorded. */
    public long timedCalls(CallType type) {
        return durations[type.ordinal()].count();
    }

    /** A frame that could not be decoded, or a message out of protocol order; the connection was closed. */
    public void protocolError() {
        malformed.increment();
    }

    public long protocolErrors() {
        return (long) malformed.count();
    }

    /** A connection closed on accept because {@code A6_MAX_CONNECTIONS} were open. */
    public void connectionRefused() {
        refusedConnections.increment();
    }

    public long refusedConnections() {
        return (long) refusedConnections.count();
    }

    /** A frame that did not fit the buffer budget; its connection was closed. */
    public void frameRefused() {
        refusedFrames.increment();
    }

    public long refusedFrames() {
        return (long) refusedFrames.count();
    }

    /** A connection closed because a frame stayed incomplete past {@code A6_FRAME_TIMEOUT}. */
    public void frameTimedOut() {
        frameTimeouts.increment();
    }

    public long frameTimeouts() {
        return (long) frameTimeouts.count();
    }

    /** Bytes reserved right now by frames not yet complete, all connections together. */
    public long bufferedBytes() {
        return bufferedBytes.getAsLong();
    }

    public void connectionOpened() {
        connections.increment();
    }

    public void connectionClosed() {
        connections.decrement();
    }

    public long openConnections() {
        return connections.sum();
    }
}
