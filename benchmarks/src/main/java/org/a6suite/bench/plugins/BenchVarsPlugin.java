package org.a6suite.bench.plugins;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;

/** Benchmark plugin: needs three vars and rewrites the path and a header from them. */
public final class BenchVarsPlugin implements Plugin<String> {
    private static final Requirements NEEDS = Requirements.vars("remote_addr", "server_port", "route_id");

    @Override
    public String name() {
        return "bench-vars";
    }

    @Override
    public String parseConfig(String value) {
        return value;
    }

    @Override
    public Requirements requirements(String config) {
        return NEEDS;
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(RequestView request, String config, CallContext context) {
        String addr = request.var("remote_addr").orElse("-");
        return CompletableFuture.completedFuture(RequestDecision.rewrite()
                .path("/bench/" + request.var("route_id").orElse("0"))
                .setHeader(
                        "x-bench-client",
                        addr + ":" + request.var("server_port").orElse("0"))
                .build());
    }
}
