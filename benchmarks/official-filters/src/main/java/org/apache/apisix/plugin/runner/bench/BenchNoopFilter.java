package org.apache.apisix.plugin.runner.bench;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Same work as our bench-noop: pass the request on. */
@Component
public class BenchNoopFilter implements PluginFilter {
    @Override
    public String name() {
        return "BenchNoopFilter";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        chain.filter(request, response);
    }
}
