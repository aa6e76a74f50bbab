package org.a6suite.bench;

import java.util.List;

/**
 * The three workloads of the runner benchmark (issue 2, item 10). Each names the plugin our runner serves and the
 * official-SDK filter the official runner serves for the same work, so both do the same exchanges on the wire.
 */
public enum Workload {
    /** A chain with one plugin that lets the request through: the pure cost of a call. */
    NOOP("bench-noop", "BenchNoopFilter", List.of(), false),
    /** A rewrite that needs three vars: three pipelined ExtraInfo round trips, then a Rewrite reply. */
    VARS("bench-vars", "BenchVarsFilter", List.of("remote_addr", "server_port", "route_id"), false),
    /** A plugin that reads a 16 KiB request body: one large ExtraInfo answer. */
    BODY("bench-body", "BenchBodyFilter", List.of(), true);

    public static final int BODY_SIZE = 16 * 1024;

    private final String ourPlugin;
    private final String officialFilter;
    private final List<String> vars;
    private final boolean body;

    Workload(String ourPlugin, String officialFilter, List<String> vars, boolean body) {
        this.ourPlugin = ourPlugin;
        this.officialFilter = officialFilter;
        this.vars = vars;
        this.body = body;
    }

    public String pluginName(Target target) {
        return target == Target.OFFICIAL ? officialFilter : ourPlugin;
    }

    public List<String> vars() {
        return vars;
    }

    public boolean body() {
        return body;
    }

    /** Which server the driver talks to; only the conf names differ. */
    public enum Target { OURS, OFFICIAL, ECHO }
}
