package org.apache.apisix.plugin.runner.bench;

import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** ext-plugin-post-resp: reads the upstream status and adds it as a response header. */
@Component
public class BenchPostRespFilter implements PluginFilter {
    @Override
    public String name() {
        return "BenchPostRespFilter";
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        response.setHeader("x-bench-status", String.valueOf(request.getUpstreamStatusCode()));
        chain.postFilter(request, response);
    }
}
