package org.a6suite.samples.sdkfilters;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;

/**
 * Calls {@code chain.filter} later, from its own thread, as async official filters do (like the sample
 * {@code AsyncResponseFilter}). Deliberately NOT listed in META-INF/services: official filters usually are only
 * Spring {@code @Component}s, and the a6 runner must find this one by scanning the jar.
 *
 * <p>Route: {@code {"name": "SampleAsync", "value": "<delay ms>"}}, default 50, at most 5000. After the delay it
 * sets request header {@code x-sample-async: done} and calls the chain from a thread named
 * {@code sample-async-filter}.
 */
public class SampleAsyncFilter implements PluginFilter {

    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sample-async-filter");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String name() {
        return "SampleAsync";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        TIMER.schedule(
                () -> {
                    request.setHeader("x-sample-async", "done");
                    chain.filter(request, response);
                },
                delayMillis(request.getConfig(this)),
                TimeUnit.MILLISECONDS);
    }

    private static long delayMillis(String conf) {
        try {
            long ms = conf == null || conf.isBlank() ? 50 : Long.parseLong(conf.trim());
            return Math.max(0, Math.min(ms, 5000));
        } catch (NumberFormatException e) {
            return 50;
        }
    }
}
