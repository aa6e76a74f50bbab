package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * HTTPReqCall.Req. {@code path} is decoded from the wire as UTF-8 with malformed bytes replaced by U+FFFD (APISIX
 * passes raw request bytes, see transcript s10); {@code srcIp} is the raw 4 or 16 byte address, empty if absent.
 */
public record HttpReqCallRequest(
        long id,
        byte[] srcIp,
        Method method,
        String path,
        List<TextEntry> args,
        List<TextEntry> headers,
        long confToken)
        implements CallRequest {
    public HttpReqCallRequest {
        U32.check("id", id);
        requireNonNull(srcIp, "srcIp");
        requireNonNull(method, "method");
        requireNonNull(path, "path");
        args = WireTextEntries.immutable(args);
        headers = WireTextEntries.immutable(headers);
        U32.check("confToken", confToken);
    }

    @Override
    public FrameType frameType() {
        return FrameType.HTTP_REQ_CALL;
    }
}
