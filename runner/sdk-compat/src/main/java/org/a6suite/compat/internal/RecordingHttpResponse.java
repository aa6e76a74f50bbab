package org.a6suite.compat.internal;

import org.apache.apisix.plugin.runner.HttpResponse;

/**
 * The SDK's {@link HttpResponse} that also notes whether a filter recorded anything on it. Most calls record nothing
 * (the filter only reads, or lets the request through), and for those {@link SdkDecisions} answers "proceed" without
 * {@code encode()}: that builds a FlatBuffers reply in a newly allocated buffer, which was 9% of the event loop's
 * samples of a no-op filter call. Every setter of the SDK's class is overridden (pinned by a test), so no change a
 * filter makes can go unnoticed; the SDK's own request setters ({@code setPath}, {@code setHeader}, {@code setArg}
 * on the request) record through these too.
 */
public final class RecordingHttpResponse extends HttpResponse {

    private boolean recorded;

    public RecordingHttpResponse(long requestId) {
        super(requestId);
    }

    /** Whether any setter was called: only then can {@code encode()} hold more than "proceed". */
    public boolean recorded() {
        return recorded;
    }

    @Override
    public void setReqHeader(String headerKey, String headerValue) {
        recorded = true;
        super.setReqHeader(headerKey, headerValue);
    }

    @Override
    public void setArg(String argKey, String argValue) {
        recorded = true;
        super.setArg(argKey, argValue);
    }

    @Override
    public void setPath(String path) {
        recorded = true;
        super.setPath(path);
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
