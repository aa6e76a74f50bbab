package org.a6suite.runner;

import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.config.RunnerConfigException;
import org.a6suite.runner.plugins.PluginDiscovery;

/**
 * The runner process APISIX starts ({@code ext-plugin.cmd: ["java", "-jar", ".../a6-runner.jar"]}).
 *
 * <p>Exit codes: 2 when an environment variable is missing or invalid, 1 when start-up fails (unusable socket path,
 * a plugin that cannot be loaded or started), 143 after SIGTERM (the JVM's code for a signal-initiated exit, once the
 * bounded graceful shutdown has run).
 */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // Netty samples 1% of buffers for leak tracking by default, which costs a stack trace per sampled buffer on
        // the call path; the codec's leak tests run with it at paranoid. Operators can still set the property.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        RunnerConfig config;
        try {
            config = RunnerConfig.fromEnvironment(System.getenv());
        } catch (RunnerConfigException e) {
            System.err.println("a6-runner: " + e.getMessage());
            System.exit(2);
            return;
        }
        PluginDiscovery discovery = null;
        RunnerServer server;
        try {
            discovery = PluginDiscovery.discover(config.pluginsDir(), Main.class.getClassLoader());
            server = RunnerServer.start(
                    config, discovery.plugins(), RunnerOptions.defaults().withExtensions(discovery.extensions()));
        } catch (RunnerStartException e) {
            System.err.println("a6-runner: " + e.getMessage());
            if (discovery != null) {
                discovery.close();
            }
            System.exit(1);
            return;
        }
        PluginDiscovery loaded = discovery;
        // SIGTERM runs this hook; APISIX sends SIGKILL one second later, and close() is bounded well below that.
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            server.close();
                            loaded.close();
                        },
                        "a6-shutdown"));
        // The non-daemon event-loop threads keep the process alive.
    }
}
