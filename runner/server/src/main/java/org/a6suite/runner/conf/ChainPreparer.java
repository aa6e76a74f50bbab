package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.chain.Placement;

/**
 * Turns a PrepareConf's {@code conf} list into a {@link PreparedChain}, parsing every entry's value exactly once with
 * the named plugin. Any unknown name or invalid value fails the whole chain.
 *
 * <p>A {@code conf} identical to one a live token already uses is not parsed again: the new token gets the same
 * {@link PreparedChain.Template} (see {@link ChainTemplates}), so APISIX re-preparing a route every hour, or many
 * routes with one configuration, cost one parsed configuration instead of one per token.
 */
public final class ChainPreparer {

    /** Field names whose values must never reach a log line. */
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i).*(secret|passw|token|api[_-]?key|apikey|credential|auth|private[_-]?key|cookie|signature).*");

    private final Function<String, Optional<Plugin<?>>> plugins;
    private final ChainTemplates templates = new ChainTemplates();
    /** One placement per plugin instance, so an adaptive plugin learns once for all its routes. */
    private final Map<Plugin<?>, Placement> placements = new ConcurrentHashMap<>();

    private final long slowNanos;

    /** @param plugins looks a plugin up by the name routes use */
    public ChainPreparer(Function<String, Optional<Plugin<?>>> plugins) {
        this(plugins, DEFAULT_SLOW_NANOS);
    }

    /**
     * @param plugins   looks a plugin up by the name routes use
     * @param slowNanos a call of an {@code Execution.ADAPTIVE} plugin running longer than this counts as blocking
     */
    public ChainPreparer(Function<String, Optional<Plugin<?>>> plugins, long slowNanos) {
        this.plugins = requireNonNull(plugins, "plugins");
        this.slowNanos = slowNanos;
    }

    /** 20 ms: far above any quick call, short enough that the watchdog frees the other plugins' calls quickly. */
    public static final long DEFAULT_SLOW_NANOS = 20_000_000L;

    /**
     * Prepares the chain for one PrepareConf.
     *
     * @throws ChainPreparationException naming the route key, the plugin and the field
     */
    public PreparedChain prepare(Optional<String> routeKey, List<TextEntry> conf) throws ChainPreparationException {
        requireNonNull(routeKey, "routeKey");
        requireNonNull(conf, "conf");
        Optional<PreparedChain.Template> shared = templates.find(conf);
        if (shared.isPresent()) {
            return PreparedChain.of(routeKey, shared.get());
        }
        List<ChainLink<?>> links = new ArrayList<>(conf.size());
        for (int i = 0; i < conf.size(); i++) {
            TextEntry entry = conf.get(i);
            int index = i;
            Plugin<?> plugin = plugins.apply(entry.name())
                    .orElseThrow(() -> new ChainPreparationException(
                            routeKey,
                            entry.name(),
                            "conf[" + index + "].name",
                            "unknown plugin " + entry.name() + " (expected: one of the plugins this runner serves)"));
            Placement placement = placements.computeIfAbsent(
                    plugin, p -> Placement.of(ChainLink.executionOf(p), p.name(), slowNanos));
            links.add(link(routeKey, plugin, entry.value().orElse(""), placement));
        }
        return PreparedChain.of(routeKey, templates.share(conf, links));
    }

    private static ChainLink<?> link(Optional<String> routeKey, Plugin<?> plugin, String value, Placement placement)
            throws ChainPreparationException {
        try {
            return ChainLink.prepare(plugin, value, placement);
        } catch (PluginConfigException e) {
            throw new ChainPreparationException(routeKey, plugin.name(), e.field(), safeDetail(e));
        } catch (RuntimeException e) {
            // A plugin bug, not an operator error; its message may echo the value, so only the type is kept.
            throw new ChainPreparationException(
                    routeKey,
                    plugin.name(),
                    "$",
                    "parseConfig failed with " + e.getClass().getName());
        }
    }

    /** Chain templates currently shared by live tokens (for tests). */
    long sharedTemplates() {
        return templates.size();
    }

    /** The exception's message, with the value cut out when the field looks like it holds a secret. */
    static String safeDetail(PluginConfigException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (!SECRET_FIELD.matcher(e.field()).matches()) {
            return message;
        }
        int expected = message.lastIndexOf(" (expected: ");
        return e.field() + ": <withheld>" + (expected >= 0 ? message.substring(expected) : "");
    }
}
