package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

/** Err.Resp. APISIX re-prepares on {@link Code#CONF_TOKEN_NOT_FOUND}; any other code fails the request (503). */
public record ErrorResponse(Code code) implements A6Message {
    public ErrorResponse {
        requireNonNull(code, "code");
    }

    @Override
    public FrameType frameType() {
        return FrameType.ERROR;
    }

    /** Wire values 0, 1, 2. */
    public enum Code {
        BAD_REQUEST,
        SERVICE_UNAVAILABLE,
        CONF_TOKEN_NOT_FOUND
    }
}
