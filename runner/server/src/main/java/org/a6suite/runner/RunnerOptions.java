package org.a6suite.runner;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.a6suite.runner.spi.RunnerExtension;

/**
 * What a runner takes besides its {@link org.a6suite.runner.config.RunnerConfig}: the time sources (tests move them),
 * the timeouts of the connection and shutdown machinery, the environment plugins see, and runner extensions.
 *
 * @param ticker          drives token expiry (nanoseconds)
 * @param clock           handed to plugins as {@code PluginEnvironment.clock()}
 * @param idleTimeout     a connection silent this long inside a frame, or while owing ExtraInfo answers, is closed;
 *                        default 70 s, above APISIX's 60 s read timeout; a lane connection silent this long while
 *                        no answer is in progress is closed too (above nginx's 60 s upstream keep-alive timeout)
 * @param shutdownBudget  the whole graceful close: stop accepting, let in-flight calls finish, close connections;
 *                        default 800 ms, since APISIX sends SIGKILL 1 s after SIGTERM
 * @param environment     {@code PluginEnvironment.getenv}; default {@link System#getenv(String)}
 * @param extensions      started after the socket listens, closed at shutdown
 */
public record RunnerOptions(
        Ticker ticker,
        Clock clock,
        Duration idleTimeout,
        Duration shutdownBudget,
        Function<String, String> environment,
        List<RunnerExtension> extensions) {

    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(70);
    public static final Duration DEFAULT_SHUTDOWN_BUDGET = Duration.ofMillis(800);

    public RunnerOptions {
        requireNonNull(ticker, "ticker");
        requireNonNull(clock, "clock");
        requireNonNull(idleTimeout, "idleTimeout");
        requireNonNull(shutdownBudget, "shutdownBudget");
        requireNonNull(environment, "environment");
        extensions = List.copyOf(extensions);
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: positive)");
        }
        if (shutdownBudget.isNegative()) {
            throw new IllegalArgumentException("shutdownBudget: " + shutdownBudget + " (expected: >= 0)");
        }
    }

    /** System ticker and clock, 70 s idle timeout, 800 ms shutdown budget, the process environment. */
    public static RunnerOptions defaults() {
        return new RunnerOptions(
                Ticker.systemTicker(),
                Clock.systemUTC(),
                DEFAULT_IDLE_TIMEOUT,
                DEFAULT_SHUTDOWN_BUDGET,
                System::getenv,
                List.of());
    }

    public RunnerOptions withTicker(Ticker ticker) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }

    public RunnerOptions withClock(Clock clock) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }

    public RunnerOptions withIdleTimeout(Duration idleTimeout) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }

    public RunnerOptions withShutdownBudget(Duration shutdownBudget) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }

    public RunnerOptions withEnvironment(Function<String, String> environment) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }

    public RunnerOptions withExtensions(List<RunnerExtension> extensions) {
        return new RunnerOptions(ticker, clock, idleTimeout, shutdownBudget, environment, extensions);
    }
}
