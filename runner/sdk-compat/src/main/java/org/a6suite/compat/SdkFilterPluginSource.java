package org.a6suite.compat;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.a6suite.compat.internal.FilterJarScanner;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.spi.PluginSource;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds filters written for the official runner's SDK and adapts each as an {@link SdkFilterPlugin}.
 *
 * <p>Two ways, in this order, deduplicated by class:
 * <ol>
 *   <li>{@link ServiceLoader} of {@link PluginFilter} on the given loader ({@code META-INF/services/
 *       org.apache.apisix.plugin.runner.filter.PluginFilter} in any jar);</li>
 *   <li>a scan of every jar in {@code A6_PLUGINS_DIR} for public concrete classes implementing
 *       {@link PluginFilter} that have a public no-arg constructor. Official filters are Spring {@code @Component}s
 *       that the official runner found by component scan, usually with no services file; the scan finds them
 *       without Spring. Spring annotations are ignored (the runner has no ApplicationContext), so a filter that
 *       needs constructor injection is skipped with a warning and needs a no-arg constructor or a services
 *       entry with one.</li>
 * </ol>
 * Two different classes answering the same {@code name()} fail start-up: which one a route meant is unknowable.
 */
public final class SdkFilterPluginSource implements PluginSource {

    private static final Logger log = LoggerFactory.getLogger(SdkFilterPluginSource.class);

    private static final int MAX_SERVICE_ERRORS = 100;

    private final Duration chainTimeout;

    /** The source the runner discovers through {@code META-INF/services}; {@link SdkFilterPlugin#DEFAULT_CHAIN_TIMEOUT}. */
    public SdkFilterPluginSource() {
        this(SdkFilterPlugin.DEFAULT_CHAIN_TIMEOUT);
    }

    /** @param chainTimeout how long each adapted filter may take to call the chain */
    public SdkFilterPluginSource(Duration chainTimeout) {
        this.chainTimeout = requireNonNull(chainTimeout, "chainTimeout");
    }

    @Override
    public String name() {
        return "apisix-sdk-compat";
    }

    /**
     * @throws IllegalStateException if two different filter classes have the same name
     */
    @Override
    public List<Plugin<?>> load(ClassLoader loader, List<Path> pluginJars) {
        requireNonNull(loader, "loader");
        requireNonNull(pluginJars, "pluginJars");
        var filters = new LinkedHashMap<Class<?>, PluginFilter>();
        fromServiceLoader(loader, filters);
        fromJarScan(loader, pluginJars, filters);

        var byName = new LinkedHashMap<String, SdkFilterPlugin>();
        for (PluginFilter filter : filters.values()) {
            SdkFilterPlugin plugin;
            try {
                plugin = new SdkFilterPlugin(filter, chainTimeout);
            } catch (RuntimeException e) {
                log.warn("SDK filter {} skipped: {}", filter.getClass().getName(), e.getMessage());
                continue;
            }
            SdkFilterPlugin clash = byName.putIfAbsent(plugin.name(), plugin);
            if (clash != null) {
                throw new IllegalStateException("name: " + plugin.name() + " is answered by both "
                        + clash.filter().getClass().getName() + " and "
                        + filter.getClass().getName()
                        + " (expected: one PluginFilter per name; remove one of the jars)");
            }
        }
        byName.values()
                .forEach(p -> log.info(
                        "SDK filter {} served by {}",
                        p.name(),
                        p.filter().getClass().getName()));
        return List.copyOf(byName.values());
    }

    private static void fromServiceLoader(ClassLoader loader, Map<Class<?>, PluginFilter> filters) {
        Iterator<PluginFilter> it =
                ServiceLoader.load(PluginFilter.class, loader).iterator();
        // A broken entry is reported and the others still load; the error budget bounds the loop should the
        // iterator keep failing on the same entry.
        int errors = 0;
        while (errors < MAX_SERVICE_ERRORS) {
            try {
                if (!it.hasNext()) {
                    return;
                }
                PluginFilter filter = it.next();
                filters.putIfAbsent(filter.getClass(), filter);
            } catch (ServiceConfigurationError e) {
                errors++;
                log.warn("SDK filter from META-INF/services skipped: {}", e.getMessage());
            }
        }
        log.warn("SDK filters from META-INF/services: gave up after {} errors", MAX_SERVICE_ERRORS);
    }

    private static void fromJarScan(ClassLoader loader, List<Path> jars, Map<Class<?>, PluginFilter> filters) {
        var scanner = new FilterJarScanner(loader);
        for (Path jar : jars) {
            List<String> names;
            try {
                names = scanner.filterClassNames(jar);
            } catch (IOException e) {
                log.warn("{}: cannot be read for SDK filters: {}", jar, e.toString());
                continue;
            }
            for (String name : names) {
                Class<?> type;
                try {
                    type = Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    log.warn("SDK filter {} in {} cannot be loaded: {}", name, jar, e);
                    continue;
                }
                if (filters.containsKey(type) || !PluginFilter.class.isAssignableFrom(type)) {
                    continue;
                }
                instantiate(type, jar).ifPresent(f -> filters.put(type, f));
            }
        }
    }

    private static Optional<PluginFilter> instantiate(Class<?> type, Path jar) {
        Constructor<?> constructor;
        try {
            constructor = type.getConstructor();
        } catch (NoSuchMethodException e) {
            log.warn(
                    "SDK filter {} in {} skipped: it has no public no-arg constructor (the official runner made it "
                            + "a Spring bean; add a no-arg constructor, or list a subclass that has one in "
                            + "META-INF/services/{})",
                    type.getName(),
                    jar,
                    PluginFilter.class.getName());
            return Optional.empty();
        }
        if (!Modifier.isPublic(type.getModifiers())) {
            return Optional.empty();
        }
        try {
            return Optional.of((PluginFilter) constructor.newInstance());
        } catch (InvocationTargetException e) {
            log.warn(
                    "SDK filter {} in {} skipped: its constructor threw {}",
                    type.getName(),
                    jar,
                    e.getCause().toString());
        } catch (ReflectiveOperationException | LinkageError e) {
            log.warn("SDK filter {} in {} skipped: {}", type.getName(), jar, e.toString());
        }
        return Optional.empty();
    }
}
