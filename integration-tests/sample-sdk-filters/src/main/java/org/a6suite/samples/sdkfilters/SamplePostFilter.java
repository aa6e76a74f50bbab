package org.a6suite.samples.sdkfilters;

import java.util.Map;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;

/**
 * Reads the upstream response body and replaces it, like the official sample {@code ResponseFilter} (listed in
 * META-INF/services). Use it in {@code ext-plugin-post-resp}.
 *
 * <p>Route: {@code {"name": "SamplePost", "value": ""}}. Response: the upstream status, headers replaced by
 * {@code content-type: application/json} and {@code x-sample-post: <upstream status>}, body
 * {@code {"upstream_status":<status>,"upstream_content_type":"<type>","upstream_body_length":<n>,
 * "upstream_body":"<body upper-cased>"}}.
 */
public class SamplePostFilter implements PluginFilter {

    @Override
    public String name() {
        return "SamplePost";
    }

    @Override
    public Boolean requiredRespBody() {
        return true;
    }

    @Override
    public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
        String body = request.getBody();
        Integer status = request.getUpstreamStatusCode();
        response.setHeader("content-type", "application/json");
        response.setHeader("x-sample-post", String.valueOf(status));
        response.setBody("{\"upstream_status\":" + status + ",\"upstream_content_type\":\""
                + contentType(request.getUpstreamHeaders()) + "\",\"upstream_body_length\":" + body.length()
                + ",\"upstream_body\":\""
                + body.toUpperCase().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"}");
        chain.postFilter(request, response);
    }

    /** Upstream headers keep their original case in the response phase. */
    private static String contentType(Map<String, String> headers) {
        for (var header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("content-type")) {
                return header.getValue();
            }
        }
        return "";
    }
}
