package org.a6suite.runner.metrics;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The runner's own counters, kept in {@link LongAdder}s indexed by enum so the hot path allocates nothing and looks
 * nothing up, and rendered as {@code a6_runner_calls_total{type,result}}, {@code a6_runner_connections}, the
 * peer-limit counters and the {@code a6_runner_buffered_bytes} gauge.
 */
public final class RunnerMetrics implements PrometheusRegistry.TextCollector {

    /** What a call was. */
    public enum CallType { PREPARE_CONF, HTTP_REQ_CALL, HTTP_RESP_CALL }

    /** How it ended. */
    public enum CallResult { OK, BAD_REQUEST, TOKEN_NOT_FOUND, FAILURE }

    private final LongAdder[][] calls = new LongAdder[CallType.values().length][CallResult.values().length];
    private final LongAdder connections = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder refusedFrames = new LongAdder();
    private final LongAdder frameTimeouts = new LongAdder();
    private final LongSupplier bufferedBytes;

    /** Metrics with a buffered-bytes gauge that always reads 0. */
    public RunnerMetrics() {
        this(() -> 0);
    }

    /** @param bufferedBytes reads the bytes reserved by incomplete frames, for {@code a6_runner_buffered_bytes} */
    public RunnerMetrics(LongSupplier bufferedBytes) {
        this.bufferedBytes = requireNonNull(bufferedBytes, "bufferedBytes");
        for (LongAdder[] row : calls) {
            for (int i = 0; i < row.length; i++) {
                row[i] = new LongAdder();
            }
        }
    }

    public void call(CallType type, CallResult result) {
        calls[type.ordinal()][result.ordinal()].increment();
    }

    public long calls(CallType type, CallResult result) {
        return calls[type.ordinal()][result.ordinal()].sum();
    }

    /** A frame that could not be decoded, or a message out of protocol order; the connection was closed. */
    public void protocolError() {
        malformed.increment();
    }

    public long protocolErrors() {
        return malformed.sum();
    }

    /** A connection closed on accept because {@code A6_MAX_CONNECTIONS} were open. */
    public void connectionRefused() {
        refusedConnections.increment();
    }

    public long refusedConnections() {
        return refusedConnections.sum();
    }

    /** A frame that did not fit the buffer budget; its connection was closed. */
    public void frameRefused() {
        refusedFrames.increment();
    }

    public long refusedFrames() {
        return refusedFrames.sum();
    }

    /** A connection closed because a frame stayed incomplete past {@code A6_FRAME_TIMEOUT}. */
    public void frameTimedOut() {
        frameTimeouts.increment();
    }

    public long frameTimeouts() {
        return frameTimeouts.sum();
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

    @Override
    public void collect(StringBuilder out) {
        out.append("# HELP a6_runner_calls_total RPCs from APISIX by type and result\n");
        out.append("# TYPE a6_runner_calls_total counter\n");
        for (CallType type : CallType.values()) {
            for (CallResult result : CallResult.values()) {
                long n = calls[type.ordinal()][result.ordinal()].sum();
                if (n > 0 || result == CallResult.OK) {
                    out.append("a6_runner_calls_total{result=\"").append(result.name().toLowerCase())
                            .append("\",type=\"").append(type.name().toLowerCase()).append("\"} ")
                            .append(n).append('\n');
                }
            }
        }
        out.append("# HELP a6_runner_protocol_errors_total Malformed or out-of-order frames (connection closed)\n");
        out.append("# TYPE a6_runner_protocol_errors_total counter\n");
        out.append("a6_runner_protocol_errors_total ").append(malformed.sum()).append('\n');
        out.append("# HELP a6_runner_connections Open connections from APISIX\n");
        out.append("# TYPE a6_runner_connections gauge\n");
        out.append("a6_runner_connections ").append(connections.sum()).append('\n');
        out.append("# HELP a6_runner_refused_connections_total Connections closed on accept (A6_MAX_CONNECTIONS)\n");
        out.append("# TYPE a6_runner_refused_connections_total counter\n");
        out.append("a6_runner_refused_connections_total ").append(refusedConnections.sum()).append('\n');
        out.append("# HELP a6_runner_refused_frames_total Frames over the buffer budget (connection closed)\n");
        out.append("# TYPE a6_runner_refused_frames_total counter\n");
        out.append("a6_runner_refused_frames_total ").append(refusedFrames.sum()).append('\n');
        out.append("# HELP a6_runner_frame_timeouts_total Connections closed inside a frame (A6_FRAME_TIMEOUT)\n");
        out.append("# TYPE a6_runner_frame_timeouts_total counter\n");
        out.append("a6_runner_frame_timeouts_total ").append(frameTimeouts.sum()).append('\n');
        out.append("# HELP a6_runner_buffered_bytes Bytes reserved by incomplete frames, all connections\n");
        out.append("# TYPE a6_runner_buffered_bytes gauge\n");
        out.append("a6_runner_buffered_bytes ").append(bufferedBytes.getAsLong()).append('\n');
    }
}
