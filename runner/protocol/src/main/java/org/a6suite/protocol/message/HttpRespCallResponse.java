package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * HTTPRespCall.Resp. Status 0 keeps the upstream status; non-empty headers replace every response header; a body
 * replaces the upstream body.
 */
public record HttpRespCallResponse(long id, int status, List<TextEntry> headers, Optional<byte[]> body)
        implements A6Message {
    public HttpRespCallResponse {
        U32.check("id", id);
        U32.checkU16("status", status);
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
    }

    @Override
    public FrameType frameType() {
        return FrameType.HTTP_RESP_CALL;
    }
}
