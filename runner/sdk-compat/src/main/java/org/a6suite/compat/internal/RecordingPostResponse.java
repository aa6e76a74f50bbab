package org.a6suite.compat.internal;

import org.apache.apisix.plugin.runner.PostResponse;

/**
 * The SDK's {@link PostResponse} that also notes whether a filter recorded a status, a header or a body, so that an
 * untouched one is read as "pass" without {@code encode()} (see {@link RecordingHttpResponse}). {@code setCharset}
 * is not overridden: it only says how a body set later is encoded, and records nothing by itself.
 */
public final class RecordingPostResponse extends PostResponse {

    private boolean recorded;

    public RecordingPostResponse(long requestId) {
        super(requestId);
    }

    /** Whether a status, header or body was set: only then can {@code encode()} hold more than "pass". */
    public boolean recorded() {
        return recorded;
    }

    @Override
    public void setHeader(String headerKey, String headerValue) {
        recorded = true;
        super.setHeader(headerKey, headerValue);
    }

    @Override
    public void setBody(String body) {
        recorded = true;
        super.setBody(body);
    }

    @Override
    public void setStatusCode(int statusCode) {
        recorded = true;
        super.setStatusCode(statusCode);
    }
}
