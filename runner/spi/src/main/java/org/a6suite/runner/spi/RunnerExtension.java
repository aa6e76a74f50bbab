package org.a6suite.runner.spi;

/**
 * A runner-side service that starts with the runner, found with {@link java.util.ServiceLoader} (service
 * {@code org.a6suite.runner.spi.RunnerExtension}) on the runner's class path and in {@code A6_PLUGINS_DIR}, such as the
 * health reporter. Not a plugin: routes cannot name it.
 */
public interface RunnerExtension {

    /** A short name for the start-up log. */
    String name();

    /** Called once after the runner listens; attach listeners to {@code hooks} here. */
    void start(RunnerHooks hooks);

    /** Called once at shutdown, after connections are closed. */
    default void close() {}
}
