package org.a6suite.runner.conf;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Execution;
import org.a6suite.plugin.LaneResponse;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.runner.chain.Placement;

/**
 * One entry of a prepared chain: a plugin bound to the configuration it parsed at PrepareConf. The type parameter
 * ties the two together so calls need no casts.
 *
 * @param <C> the plugin's configuration type
 */
public final class ChainLink<C> {

    private final Plugin<C> plugin;
    private final C config;
    private final Requirements requirements;
    private final Placement placement;

    private ChainLink(Plugin<C> plugin, C config, Requirements requirements, Placement placement) {
        this.plugin = plugin;
        this.config = config;
        this.requirements = requirements;
        this.placement = placement;
    }

    /**
     * Parses {@code value} with {@code plugin} and computes its requirements, once.
     *
     * @throws PluginConfigException when the plugin rejects the value
     */
    public static <C> ChainLink<C> prepare(Plugin<C> plugin, String value) throws PluginConfigException {
        return prepare(plugin, value, Placement.of(executionOf(plugin), plugin.name(), Long.MAX_VALUE));
    }

    /**
     * Same, with the plugin's shared {@link Placement} (one per plugin, so what its calls on one route taught holds
     * on every route).
     */
    public static <C> ChainLink<C> prepare(Plugin<C> plugin, String value, Placement placement)
            throws PluginConfigException {
        requireNonNull(plugin, "plugin");
        requireNonNull(value, "value");
        requireNonNull(placement, "placement");
        C config = plugin.parseConfig(value);
        Requirements requirements = plugin.requirements(config);
        return new ChainLink<>(plugin, config, requirements == null ? Requirements.NONE : requirements, placement);
    }

    /** The plugin's execution; null counts as non-blocking, like the interface's default. */
    public static Execution executionOf(Plugin<?> plugin) {
        Execution execution = plugin.execution();
        return execution == null ? Execution.NON_BLOCKING : execution;
    }

    public String name() {
        return plugin.name();
    }

    public Plugin<C> plugin() {
        return plugin;
    }

    public Requirements requirements() {
        return requirements;
    }

    /** Whether the plugin's next call must run on the blocking pool instead of the event loop. */
    public boolean blocking() {
        return !placement.inline();
    }

    /** Where the plugin's calls run. */
    public Placement placement() {
        return placement;
    }

    public CompletionStage<RequestDecision> onRequest(RequestView request, CallContext context) {
        return plugin.onRequest(request, config, context);
    }

    public CompletionStage<ResponseDecision> onResponse(ResponseView response, CallContext context) {
        return plugin.onResponse(response, config, context);
    }

    /** The lane phase: the request APISIX proxied to the runner's HTTP lane after this link's handoff. */
    public CompletionStage<LaneResponse> onLane(RequestView request, CallContext context) {
        return plugin.onLane(request, config, context);
    }

    @Override
    public String toString() {
        return "ChainLink[" + plugin.name() + "]";
    }
}
