package org.a6suite.runner.lane;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
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

    private static final String REJECTIONS = "a6_lane_handoff_rejections_total";
    private static final String REJECTIONS_HELP = "Lane requests refused (403) for their handoff";
    private static final String ABORTED = "a6_lane_streams_aborted_total";
    private static final String ABORTED_HELP = "Lane streams ended without their last chunk";

    /** Why a stream ended early: {@code cause} label values. */
    static final List<String> ABORT_CAUSES = List.of("plugin_error", "client_gone");

    private final PluginMetrics counters;
    private final LongAdder openStreams = new LongAdder();

    /**
     * The rejection and abort counters start at zero for every reason and plugin, so a dashboard's {@code rate()}
     * finds them before the first event (Prometheus cannot tell "never happened" from "not exported").
     *
     * @param registry the runner's registry, for the open-streams gauge
     * @param counters the plugins' view of the same registry, for the counters (they share its validation)
     * @param plugins  the plugins the runner serves
     */
    public LaneMetrics(MeterRegistry registry, PluginMetrics counters, Collection<String> plugins) {
        this.counters = requireNonNull(counters, "counters");
        for (HandoffRejection reason : HandoffRejection.values()) {
            counters.increment(REJECTIONS, REJECTIONS_HELP, Map.of("reason", reason.code()), 0);
        }
        for (String plugin : plugins) {
            for (String cause : ABORT_CAUSES) {
                counters.increment(ABORTED, ABORTED_HELP, Map.of("plugin", plugin, "cause", cause), 0);
            }
        }
        Gauge.builder("a6_lane_open_streams", openStreams, LongAdder::sum)
                .description("Streamed responses in progress on the runner's HTTP lane")
                .strongReference(true)
                .register(requireNonNull(registry, "registry"));
    }

    void answered(String plugin, int status) {
        counters.increment(
                "a6_lane_requests_total",
                "Requests answered on the runner's HTTP lane",
                Map.of("plugin", plugin, "status", Integer.toString(status)),
                1);
    }

    void rejected(HandoffRejection reason) {
        counters.increment(REJECTIONS, REJECTIONS_HELP, Map.of("reason", reason.code()), 1);
    }

    void streamAborted(String plugin, String cause) {
        counters.increment(ABORTED, ABORTED_HELP, Map.of("plugin", plugin, "cause", cause), 1);
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
