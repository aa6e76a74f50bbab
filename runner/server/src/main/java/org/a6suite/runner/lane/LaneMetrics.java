package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.a6suite.plugin.PluginMetrics;

/**
 * The lane's metrics, recorded in the runner's registry (so they appear on {@code GET /metrics} with the rest):
 *
 * <ul>
 *   <li>{@code a6_lane_requests_total{plugin,status}}: answers by plugin and the status sent ({@code plugin="-"} for
 *       requests refused before a plugin was known: 400, 405, 413);</li>
 *   <li>{@code a6_lane_handoff_rejections_total{reason}}: 403s, by {@link HandoffRejection#code()};</li>
 *   <li>{@code a6_lane_streams_aborted_total{plugin,cause}}: streams ended without their last chunk, because the
 *       plugin's publisher failed ({@code cause="plugin_error"}) or the client went away ({@code client_gone});</li>
 *   <li>{@code a6_lane_open_streams}: streamed responses in progress (a gauge).</li>
 * </ul>
 */
public final class LaneMetrics {

    /** The plugin label of a request refused before its plugin was known. */
    static final String NO_PLUGIN = "-";

    private final PluginMetrics registry;
    private final LongAdder openStreams = new LongAdder();

    /**
     * @param registry the runner's registry, for the open-streams gauge
     * @param counters the plugins' view of the same registry, for the counters (they share its validation)
     */
    public LaneMetrics(MeterRegistry registry, PluginMetrics counters) {
        this.registry = requireNonNull(counters, "counters");
        Gauge.builder("a6_lane_open_streams", openStreams, LongAdder::sum)
                .description("Streamed responses in progress on the runner's HTTP lane").strongReference(true)
                .register(requireNonNull(registry, "registry"));
    }

    void answered(String plugin, int status) {
        registry.increment("a6_lane_requests_total", "Requests answered on the runner's HTTP lane",
                Map.of("plugin", plugin, "status", Integer.toString(status)), 1);
    }

    void rejected(HandoffRejection reason) {
        registry.increment("a6_lane_handoff_rejections_total", "Lane requests refused (403) for their handoff",
                Map.of("reason", reason.code()), 1);
    }

    void streamAborted(String plugin, String cause) {
        registry.increment("a6_lane_streams_aborted_total", "Lane streams ended without their last chunk",
                Map.of("plugin", plugin, "cause", cause), 1);
    }

    void streamOpened() {
        openStreams.increment();
    }

    void streamClosed() {
        openStreams.decrement();
    }

    /** Streamed responses in progress. */
    public long openStreams() {
        return openStreams.sum();
    }
}
