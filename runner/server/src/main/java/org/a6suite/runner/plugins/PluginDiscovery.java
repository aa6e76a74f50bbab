package org.a6suite.runner.plugins;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.spi.PluginSource;
import org.a6suite.runner.RunnerStartException;
import org.a6suite.runner.spi.RunnerExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds plugins with {@link ServiceLoader}: {@code org.a6suite.plugin.Plugin} services and the plugins every
 * {@link PluginSource} adapts (such as official-SDK filters), over a class loader holding the runner's class path
 * and every {@code *.jar} directly in {@code A6_PLUGINS_DIR}. Also finds {@link RunnerExtension}s. Names are checked
 * for duplicates by {@link PluginRegistry}. The loader stays open until {@link #close()} (plugins load classes lazily).
 */
public final class PluginDiscovery implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PluginDiscovery.class);

    private final URLClassLoader loader;
    private final List<Path> jars;
    private final List<Plugin<?>> plugins;
    private final List<RunnerExtension> extensions;

    private PluginDiscovery(
            URLClassLoader loader, List<Path> jars, List<Plugin<?>> plugins, List<RunnerExtension> extensions) {
        this.loader = loader;
        this.jars = jars;
        this.plugins = plugins;
        this.extensions = extensions;
    }

    /**
     * Loads every plugin.
     *
     * @param pluginsDir the directory of extra jars, if any; it must exist
     * @param parent     the runner's class loader
     * @throws RunnerStartException for an unreadable directory or a plugin that cannot be loaded
     */
    public static PluginDiscovery discover(Optional<Path> pluginsDir, ClassLoader parent) {
        requireNonNull(pluginsDir, "pluginsDir");
        requireNonNull(parent, "parent");
        List<Path> jars = pluginsDir.map(PluginDiscovery::jarsIn).orElse(List.of());
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new RunnerStartException("plugin jar " + jars.get(i) + ": " + e.getMessage());
            }
        }
        URLClassLoader loader = new URLClassLoader("a6-plugins", urls, parent);
        try {
            List<Plugin<?>> plugins = new ArrayList<>();
            for (Plugin<?> plugin : PluginDiscovery.<Plugin<?>>load(Plugin.class, loader)) {
                plugins.add(plugin);
            }
            for (PluginSource source : PluginDiscovery.<PluginSource>load(PluginSource.class, loader)) {
                List<Plugin<?>> adapted;
                try {
                    adapted = source.load(loader, jars);
                } catch (RuntimeException | LinkageError e) {
                    throw new RunnerStartException(
                            "plugin source " + source.name() + " ("
                                    + source.getClass().getName() + ") failed: " + e,
                            e);
                }
                LOG.debug("plugin source {} adapted {} plugins", source.name(), adapted.size());
                plugins.addAll(adapted);
            }
            List<RunnerExtension> extensions = PluginDiscovery.<RunnerExtension>load(RunnerExtension.class, loader);
            return new PluginDiscovery(loader, jars, List.copyOf(plugins), List.copyOf(extensions));
        } catch (RuntimeException e) {
            closeQuietly(loader);
            throw e;
        }
    }

    private static List<Path> jarsIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RunnerStartException("A6_PLUGINS_DIR: " + dir + " (expected: an existing directory of jars)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RunnerStartException("A6_PLUGINS_DIR: " + dir + " cannot be read: " + e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> List<T> load(Class<?> service, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        try {
            for (Object instance : ServiceLoader.load(service, loader)) {
                found.add((T) instance);
            }
        } catch (ServiceConfigurationError | LinkageError e) {
            throw new RunnerStartException("cannot load a " + service.getName() + " service: " + e.getMessage(), e);
        }
        return found;
    }

    public List<Plugin<?>> plugins() {
        return plugins;
    }

    public List<RunnerExtension> extensions() {
        return extensions;
    }

    public List<Path> jars() {
        return jars;
    }

    public ClassLoader classLoader() {
        return loader;
    }

    @Override
    public void close() {
        closeQuietly(loader);
    }

    private static void closeQuietly(URLClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            LOG.debug("closing the plugin class loader failed", e);
        }
    }
}
