package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.util.function.Supplier;
import org.a6suite.http.OutboundClient;
import org.a6suite.plugin.HealthSnapshots;
import org.a6suite.plugin.OutcomeRecorder;
import org.a6suite.resilience.Scheduler;
import org.a6suite.resilience.Ticker;

/**
 * What every lane request needs from outside: the keep-alive pool, time, the timer, where node outcomes go, the
 * health reporter's view, and the plugin's fallbacks. One instance per {@link LaneProxy}.
 */
record ProxyEnvironment(
        OutboundClient client,
        Ticker ticker,
        Scheduler scheduler,
        Supplier<OutcomeRecorder> outcomes,
        Supplier<HealthSnapshots> health,
        Clock wallClock,
        LaneProxy.Fallbacks fallbacks) {

    ProxyEnvironment {
        requireNonNull(client, "client");
        requireNonNull(ticker, "ticker");
        requireNonNull(scheduler, "scheduler");
        requireNonNull(outcomes, "outcomes");
        requireNonNull(health, "health");
        requireNonNull(wallClock, "wallClock");
        requireNonNull(fallbacks, "fallbacks");
    }
}
