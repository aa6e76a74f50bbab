package org.a6suite.runner.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * The runner's own counters, kept in {@link LongAdder}s indexed by enum so the hot path allocates nothing and looks
 * nothing up, and rendered as {@code a6_runner_calls_total{type,result}} and {@code a6_runner_connections}.
 */
public final class RunnerMetrics implements PrometheusRegistry.TextCollector {

    /** What a call was. */
    public enum CallType { PREPARE_CONF, HTTP_REQ_CALL, HTTP_RESP_CALL }

    /** How it ended. */
    public enum CallResult { OK, BAD_REQUEST, TOKEN_NOT_FOUND, FAILURE }

    private final LongAdder[][] calls = new LongAdder[CallType.values().length][CallResult.values().length];
    private final LongAdder connections = new LongAdder();
    private final LongAdder malformed = new LongAdder();

    public RunnerMetrics() {
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
    }
}
