package org.apache.apisix.plugin.runner.bench;

import java.util.List;

import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.springframework.stereotype.Component;

/** Same work as our bench-vars: three vars, then a path and header rewrite. */
@Component
public class BenchVarsFilter implements PluginFilter {
    @Override
    public String name() {
        return "BenchVarsFilter";
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        request.setPath("/bench/" + request.getVars("route_id"));
        request.setHeader("x-bench-client", request.getVars("remote_addr") + ":" + request.getVars("server_port"));
        chain.filter(request, response);
    }

    @Override
    public List<String> requiredVars() {
        return List.of("remote_addr", "server_port", "route_id");
    }
}
