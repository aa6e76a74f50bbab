package org.a6suite.bench.plugins;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;

/** Benchmark plugin: reads the request body and reports its length in a header. */
public final class BenchBodyPlugin implements Plugin<String> {
    private static final Requirements NEEDS = Requirements.NONE.withRequestBody();

    @Override
    public String name() {
        return "bench-body";
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
        int size = request.body().map(Body::size).orElse(0);
        return CompletableFuture.completedFuture(RequestDecision.rewrite()
                .setHeader("x-body-length", Integer.toString(size))
                .build());
    }
}
