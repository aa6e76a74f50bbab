package org.a6suite.bench;

import java.util.List;
import java.util.Optional;

/**
 * The workloads of the runner benchmark. Each names the a6-native plugin (if there is one) and the official-SDK
 * filter (from {@code benchmarks/official-filters}) that do the same work, so every server does the same exchanges
 * on the wire.
 */
public enum Workload {
    /** A chain with one plugin that lets the request through: the pure cost of a call. */
    NOOP("bench-noop", "BenchNoopFilter", List.of(), false, false),
    /** A rewrite that needs three vars: three pipelined ExtraInfo round trips, then a Rewrite reply. */
    VARS("bench-vars", "BenchVarsFilter", List.of("remote_addr", "server_port", "route_id"), false, false),
    /** A plugin that reads a 16 KiB request body: one large ExtraInfo answer. */
    BODY("bench-body", "BenchBodyFilter", List.of(), true, false),
    /** ext-plugin-post-resp: an HTTPRespCall whose filter adds a response header from the upstream status. */
    POSTRESP(null, "BenchPostRespFilter", List.of(), false, true);

    public static final int BODY_SIZE = 16 * 1024;

    private final String nativePlugin;
    private final String sdkFilter;
    private final List<String> vars;
    private final boolean body;
    private final boolean response;

    Workload(String nativePlugin, String sdkFilter, List<String> vars, boolean body, boolean response) {
        this.nativePlugin = nativePlugin;
        this.sdkFilter = sdkFilter;
        this.vars = vars;
        this.body = body;
        this.response = response;
    }

    /** The conf name the driver prepares: the official-SDK filter for {@code OFFICIAL} and {@code OURS_SDK}. */
    public String pluginName(Target target) {
        if (target == Target.OFFICIAL || target == Target.OURS_SDK || target == Target.ECHO && nativePlugin == null) {
            return sdkFilter; // the echo floor ignores the name
        }
        return Optional.ofNullable(nativePlugin)
                .orElseThrow(() -> new IllegalArgumentException("workload " + name().toLowerCase(java.util.Locale.ROOT)
                        + " has no a6-native plugin (expected: " + "--target ours-sdk or official)"));
    }

    public List<String> vars() {
        return vars;
    }

    public boolean body() {
        return body;
    }

    /** Whether the call is an HTTPRespCall (ext-plugin-post-resp) rather than an HTTPReqCall. */
    public boolean response() {
        return response;
    }

    /**
     * Which server the driver talks to and what it prepares: our runner with a6-native plugins ({@code OURS}), our
     * runner with the official-SDK filter jar ({@code OURS_SDK}), the official runner with the same jar, or the echo
     * floor.
     */
    public enum Target {
        OURS,
        OURS_SDK,
        OFFICIAL,
        ECHO
    }
}
