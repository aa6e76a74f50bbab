package org.a6suite.e2e.support;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.a6suite.emulator.ApisixEmulator;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.plugin.Plugin;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;

/**
 * The whole APISIX path in one process, for end-to-end tests: the a6 runner on a unix socket, serving real plugin
 * instances, with the APISIX emulator in front of it. Clients talk HTTP to {@link #baseUri()}; the emulator runs the
 * routes' ext-plugins through the runner exactly as APISIX would.
 *
 * <pre>{@code
 * @TempDir Path dir;
 * try (GatewayHarness gw = GatewayHarness.builder(dir)
 *         .plugin(new AiGatewayPlugin())
 *         .env("OPENAI_KEY", "sk-test")                       // what the plugins see as environment variables
 *         .route("ai", ApisixRoutes.uri("/ai/*").preReq("ai-gateway", config).toJson())
 *         .start()) {
 *     URI base = gw.url("/ai/v1");
 * }
 * }</pre>
 *
 * <p>The plugins' environment is only what {@link Builder#env} sets (never the process environment), so tests are
 * hermetic and credentials in them are fake. Close order is emulator first, then the runner, so no request is cut by
 * the runner going away underneath it.
 */
public final class GatewayHarness implements AutoCloseable {

    private final RunnerServer runner;
    private final ApisixEmulator emulator;

    private GatewayHarness(RunnerServer runner, ApisixEmulator emulator) {
        this.runner = runner;
        this.emulator = emulator;
    }

    /** A harness whose runner socket lives in {@code dir} (a JUnit {@code @TempDir}: keep it short, 107 bytes max). */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** {@code http://127.0.0.1:<port>} of the emulator. */
    public URI baseUri() {
        return emulator.baseUri();
    }

    /** The emulator's base URI plus {@code path} (which starts with {@code /}), as a string for SDK base URLs. */
    public String url(String path) {
        requireNonNull(path, "path");
        return emulator.baseUri().toString() + path;
    }

    /** Adds or replaces a route from APISIX route JSON (the next request sends a new PrepareConf). */
    public void putRoute(String id, String apisixRouteJson) {
        String laneNode = runner.laneAddress()
                .map(a -> a.getHostString() + ":" + a.getPort())
                .orElse(ApisixRoutes.UNUSED_UPSTREAM);
        emulator.putRoute(EmulatorRoute.fromJson(id, apisixRouteJson.replace(ApisixRoutes.LANE, laneNode)));
    }

    public ApisixEmulator emulator() {
        return emulator;
    }

    public RunnerServer runner() {
        return runner;
    }

    @Override
    public void close() {
        try {
            emulator.close();
        } finally {
            runner.close();
        }
    }

    /** Collects plugins, environment and routes; {@link #start()} starts the runner, then the emulator. */
    public static final class Builder {
        private final Path dir;
        private final List<Plugin<?>> plugins = new ArrayList<>();
        private final Map<String, String> env = new HashMap<>();
        private final List<EmulatorRoute> routes = new ArrayList<>();
        private Duration readTimeout = Duration.ofSeconds(60);
        private UnaryOperator<RunnerConfig.Builder> runnerConfig = UnaryOperator.identity();
        private UnaryOperator<ApisixEmulator.Builder> emulatorConfig = UnaryOperator.identity();
        private final List<String[]> routeJson = new ArrayList<>();
        private boolean lane;

        private Builder(Path dir) {
            this.dir = requireNonNull(dir, "dir");
        }

        /** A plugin instance the runner serves; the runner starts and closes it. */
        public Builder plugin(Plugin<?> plugin) {
            plugins.add(requireNonNull(plugin, "plugin"));
            return this;
        }

        /** An environment variable visible to the plugins through {@code PluginEnvironment.getenv}. */
        public Builder env(String name, String value) {
            env.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
            return this;
        }

        /**
         * A route from APISIX route JSON, see {@link ApisixRoutes}; an upstream node {@link ApisixRoutes#LANE} becomes
         * the runner's lane address.
         */
        public Builder route(String id, String apisixRouteJson) {
            routeJson.add(new String[] {requireNonNull(id, "id"), requireNonNull(apisixRouteJson, "json")});
            return this;
        }

        /** Starts the runner's HTTP lane on a free loopback port (routes name it with {@link ApisixRoutes#LANE}). */
        public Builder lane() {
            this.lane = true;
            return this;
        }

        public Builder route(EmulatorRoute route) {
            routes.add(requireNonNull(route, "route"));
            return this;
        }

        /** How long the emulator waits for each runner frame; default 60 s like APISIX. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = requireNonNull(timeout, "timeout");
            return this;
        }

        /** Further runner settings (worker threads, metrics address...); applied after the socket path is set. */
        public Builder runnerConfig(UnaryOperator<RunnerConfig.Builder> customizer) {
            this.runnerConfig = requireNonNull(customizer, "customizer");
            return this;
        }

        /** Further emulator settings (pool size, threads...); applied last. */
        public Builder emulatorConfig(UnaryOperator<ApisixEmulator.Builder> customizer) {
            this.emulatorConfig = requireNonNull(customizer, "customizer");
            return this;
        }

        public GatewayHarness start() {
            Map<String, String> environment = Map.copyOf(env);
            RunnerConfig.Builder base = RunnerConfig.builder(dir.resolve("runner.sock"));
            if (lane) {
                base.laneAddress(new InetSocketAddress("127.0.0.1", 0));
            }
            RunnerConfig config = runnerConfig.apply(base).build();
            RunnerServer runner = RunnerServer.start(
                    config, List.copyOf(plugins), RunnerOptions.defaults().withEnvironment(environment::get));
            try {
                ApisixEmulator.Builder b = ApisixEmulator.builder()
                        .runnerSocket(runner.socketPath())
                        .readTimeout(readTimeout);
                String laneNode = runner.laneAddress()
                        .map(a -> a.getHostString() + ":" + a.getPort())
                        .orElse(ApisixRoutes.UNUSED_UPSTREAM);
                routeJson.forEach(
                        r -> b.route(EmulatorRoute.fromJson(r[0], r[1].replace(ApisixRoutes.LANE, laneNode))));
                routes.forEach(b::route);
                ApisixEmulator emulator = emulatorConfig.apply(b).build().start();
                return new GatewayHarness(runner, emulator);
            } catch (RuntimeException | Error e) {
                runner.close();
                throw e;
            }
        }
    }
}
