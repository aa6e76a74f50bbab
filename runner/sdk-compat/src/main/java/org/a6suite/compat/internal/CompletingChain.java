package org.a6suite.compat.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;

/**
 * The {@link PluginFilterChain} an adapted filter sees. In the official runner the chain's tail writes the reply;
 * here calling {@link #filter} or {@link #postFilter} runs {@code onDone} instead, which turns the recorded changes
 * into our decision. It may be called from any thread (async filters call it later from their own), and only the
 * first call counts: a filter that calls the chain twice does not produce a second decision (the official runner
 * would write a second reply).
 */
public final class CompletingChain extends PluginFilterChain {

    private final AtomicBoolean done = new AtomicBoolean();
    private final Runnable onDone;

    public CompletingChain(Runnable onDone) {
        super(List.of());
        this.onDone = requireNonNull(onDone, "onDone");
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response) {
        complete();
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response) {
        complete();
    }

    /** Whether the filter has called the chain. */
    public boolean isDone() {
        return done.get();
    }

    private void complete() {
        if (done.compareAndSet(false, true)) {
            onDone.run();
        }
    }
}
