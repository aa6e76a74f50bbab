package org.a6suite.samples.sdkfilters;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;

/**
 * Rewrites the path, a request header and a query argument, the way the official sample
 * {@code RewriteRequestDemoFilter} does (official users annotate it {@code @Component}; listed in
 * META-INF/services here).
 *
 * <p>Route: {@code {"name": "SampleRewrite", "value": "<anything>"}}. Effect: path {@code /rewritten<path>},
 * header {@code x-sample-rewrite: <value>}, arg {@code sample=rewritten}, header {@code x-remove-me} deleted.
 */
public class SampleRewriteFilter implements PluginFilter {

    @Override
    public String name() {
        return "SampleRewrite";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        String conf = request.getConfig(this);
        request.setPath("/rewritten" + request.getPath());
        request.setHeader("x-sample-rewrite", conf == null || conf.isEmpty() ? "on" : conf);
        request.setHeader("x-remove-me", null);
        request.setArg("sample", "rewritten");
        chain.filter(request, response);
    }
}
