package org.a6suite.samples.sdkfilters;

import java.util.List;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;

/**
 * Answers the client itself with the request body and two vars, like the official sample
 * {@code StopRequestDemoFilter} (listed in META-INF/services).
 *
 * <p>Route: {@code {"name": "SampleStop", "value": "<status>"}}, e.g. {@code "403"}; an empty or non-numeric value
 * gives 401. Response: that status, {@code content-type: application/json}, {@code x-sample-stop: 1} and the body
 * {@code {"body":"<request body>","remote_addr":"<var>","route_id":"<var>"}} (a var APISIX has no value for reads
 * {@code ""}).
 */
public class SampleStopFilter implements PluginFilter {

    @Override
    public String name() {
        return "SampleStop";
    }

    @Override
    public List<String> requiredVars() {
        return List.of("remote_addr", "route_id");
    }

    @Override
    public Boolean requiredBody() {
        return true;
    }

    @Override
    public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
        response.setStatusCode(status(request.getConfig(this)));
        response.setHeader("content-type", "application/json");
        response.setHeader("x-sample-stop", "1");
        response.setBody("{\"body\":\"" + escape(request.getBody()) + "\",\"remote_addr\":\""
                + escape(request.getVars("remote_addr")) + "\",\"route_id\":\""
                + escape(request.getVars("route_id")) + "\"}");
        chain.filter(request, response);
    }

    private static int status(String conf) {
        try {
            return conf == null ? 401 : Integer.parseInt(conf.trim());
        } catch (NumberFormatException e) {
            return 401;
        }
    }

    private static String escape(String s) {
        if (s == null) {
            return "";
        }
        var out = new StringBuilder(s.length() + 8);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
