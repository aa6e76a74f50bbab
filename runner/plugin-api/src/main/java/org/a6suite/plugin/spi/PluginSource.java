package org.a6suite.plugin.spi;

import java.nio.file.Path;
import java.util.List;
import org.a6suite.plugin.Plugin;

/**
 * Finds plugins that are not {@link Plugin} services themselves, such as filters written for the official
 * runner's SDK, and adapts them. Implementations are discovered with {@link java.util.ServiceLoader} on the runner's
 * class path; the runner calls each once at start-up.
 */
public interface PluginSource {

    /** A short name for start-up logs, e.g. {@code apisix-sdk-compat}. */
    String name();

    /**
     * Returns the adapted plugins.
     *
     * @param loader     the class loader holding the runner's class path and every jar of the plugins directory
     * @param pluginJars the jars found in {@code A6_PLUGINS_DIR} (empty when it is unset)
     */
    List<Plugin<?>> load(ClassLoader loader, List<Path> pluginJars);
}
