package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.a6suite.plugin.PluginMetrics;

/**
 * The tools/call series ({@code a6_mcp_tool_calls_total} by tool and outcome, {@code a6_mcp_tool_call_duration_seconds}
 * by tool) bound once per tool through the runner's {@link PluginMetrics#counter}/{@link PluginMetrics#histogram}, so
 * a call records on its handles instead of having the runner look the series up by name and label map each time.
 * Handles are bound on first use (a series that never happens stays out of the exposition, as before).
 *
 * <p>A federated tool's name is the client's text (an unknown name under an upstream's prefix is still a call to that
 * upstream), so the number of tools kept is capped: past {@link #MAX_TOOLS} a call records by name, as before, and
 * keeps nothing.
 */
final class ToolMeters {

    static final String CALLS = "a6_mcp_tool_calls_total";
    static final String CALLS_HELP = "MCP tool calls through the gateway by outcome.";
    static final String DURATION = "a6_mcp_tool_call_duration_seconds";
    static final String DURATION_HELP = "Duration of MCP tool calls through the gateway.";
    /** Tools whose handles are kept; a route's own tools are far fewer. */
    static final int MAX_TOOLS = 1024;

    private final PluginMetrics metrics;
    private final Map<String, Tool> tools = new ConcurrentHashMap<>();

    ToolMeters(PluginMetrics metrics) {
        this.metrics = requireNonNull(metrics, "metrics");
    }

    /** Counts one call of {@code tool} that ended in {@code outcome} (one of the few outcome names). */
    void count(String tool, String outcome) {
        Tool t = tool(tool);
        if (t == null) {
            metrics.increment(CALLS, CALLS_HELP, Map.of("tool", tool, "outcome", outcome), 1);
            return;
        }
        PluginMetrics.BoundCounter c = t.outcomes.get(outcome);
        if (c == null) {
            // Only the first call of an outcome builds the capturing function and binds.
            c = t.outcomes.computeIfAbsent(
                    outcome, o -> metrics.counter(CALLS, CALLS_HELP, Map.of("tool", tool, "outcome", o)));
        }
        c.increment(1);
    }

    /** Records the duration of one call of {@code tool}. */
    void observe(String tool, double seconds) {
        Tool t = tool(tool);
        if (t == null) {
            metrics.observe(DURATION, DURATION_HELP, Map.of("tool", tool), seconds);
            return;
        }
        PluginMetrics.BoundHistogram h = t.duration;
        if (h == null) {
            // A race binds twice: both handles record on the one series the runner keeps per name and labels.
            h = metrics.histogram(DURATION, DURATION_HELP, Map.of("tool", tool));
            t.duration = h;
        }
        h.observe(seconds);
    }

    /** The tool's handles, or null when the cap is reached and the tool is not among those kept. */
    private Tool tool(String name) {
        Tool t = tools.get(name);
        if (t != null || tools.size() >= MAX_TOOLS) {
            return t;
        }
        return tools.computeIfAbsent(name, n -> new Tool());
    }

    private static final class Tool {
        final Map<String, PluginMetrics.BoundCounter> outcomes = new ConcurrentHashMap<>(8);
        volatile PluginMetrics.BoundHistogram duration;
    }
}
