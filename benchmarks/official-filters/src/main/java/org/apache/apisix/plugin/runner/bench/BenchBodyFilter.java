package org.apache.apisix.plugin.runner.bench;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Same work as our bench-body: read the body, report its length. */
@Component
public class BenchBodyFilter implements PluginFilter {
    @Override
    public String name() {
        return "BenchBodyFilter";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        String body = request.getBody();
        request.setHeader("x-body-length", Integer.toString(body == null ? 0 : body.length()));
        chain.filter(request, response);
    }

    @Override
    public Boolean requiredBody() {
        return true;
    }
}
