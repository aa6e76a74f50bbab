package org.a6suite.protocol.message;

import java.util.List;

/** HTTPRespCall.Req: the upstream status and headers (original case, one entry per value), no body. */
public record HttpRespCallRequest(long id, int status, List<TextEntry> headers, long confToken) implements CallRequest {
    public HttpRespCallRequest {
        U32.check("id", id);
        U32.checkU16("status", status);
        headers = WireTextEntries.immutable(headers);
        U32.check("confToken", confToken);
    }

    @Override
    public FrameType frameType() {
        return FrameType.HTTP_RESP_CALL;
    }
}
