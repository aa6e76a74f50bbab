package org.a6suite.runner.plugins;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Plugin;
import org.a6suite.runner.RunnerStartException;

/** The plugins a runner serves, by the name routes use; immutable once built. */
public final class PluginRegistry {

    private final Map<String, Plugin<?>> byName;

    private PluginRegistry(Map<String, Plugin<?>> byName) {
        this.byName = byName;
    }

    /**
     * Indexes {@code plugins} by name.
     *
     * @throws RunnerStartException for a name outside 1..128 characters or a name two plugins share (naming both
     *                              classes, so the operator knows which jar to remove)
     */
    public static PluginRegistry of(List<? extends Plugin<?>> plugins) {
        requireNonNull(plugins, "plugins");
        Map<String, Plugin<?>> byName = new LinkedHashMap<>();
        for (Plugin<?> plugin : plugins) {
            requireNonNull(plugin, "plugin");
            String name = plugin.name();
            if (name == null || name.isEmpty() || name.length() > 128) {
                throw new RunnerStartException(
                        "plugin " + plugin.getClass().getName() + ": name " + name + " (expected: 1..128 characters)");
            }
            Plugin<?> previous = byName.putIfAbsent(name, plugin);
            if (previous != null) {
                throw new RunnerStartException("plugin name " + name + " is served by both "
                        + previous.getClass().getName() + " and "
                        + plugin.getClass().getName()
                        + " (expected: unique names; remove one of the jars)");
            }
        }
        return new PluginRegistry(byName);
    }

    public Optional<Plugin<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** In discovery order. */
    public List<Plugin<?>> plugins() {
        return List.copyOf(byName.values());
    }

    public List<String> names() {
        return new ArrayList<>(byName.keySet());
    }
}
