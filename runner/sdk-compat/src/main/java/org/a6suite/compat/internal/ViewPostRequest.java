package org.a6suite.compat.internal;

import java.nio.charset.Charset;
import java.util.Map;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.PostRequest;

/**
 * The SDK's {@link PostRequest}, reading our {@link ResponseView} instead of a FlatBuffers table; see
 * {@link ViewHttpRequest} for why and how.
 */
final class ViewPostRequest extends PostRequest {

    private final ResponseView view;
    private final long requestId;
    private Map<String, String> headers;
    /** The upstream's body, read in place until the filter sets its own; null: the SDK's field decides. */
    private Body body;

    ViewPostRequest(ResponseView view, long requestId) {
        super(null);
        this.view = view;
        this.requestId = requestId;
        this.body = view.body().orElse(null);
    }

    @Override
    public long getRequestId() {
        return requestId;
    }

    @Override
    public long getConfToken() {
        return 0;
    }

    @Override
    public Map<String, String> getUpstreamHeaders() {
        if (headers == null) {
            headers = ViewHttpRequest.headerMap(view.headers());
        }
        return headers;
    }

    @Override
    public Integer getUpstreamStatusCode() {
        return view.status();
    }

    @Override
    public String getBody() {
        return body != null ? body.asString(Charset.defaultCharset()) : super.getBody();
    }

    @Override
    public String getBody(Charset charset) {
        return body != null ? body.asString(charset) : super.getBody(charset);
    }

    @Override
    public void setBody(String body) {
        this.body = null;
        super.setBody(body);
    }

    @Override
    public void setBody(byte[] body) {
        this.body = null;
        super.setBody(body);
    }
}
