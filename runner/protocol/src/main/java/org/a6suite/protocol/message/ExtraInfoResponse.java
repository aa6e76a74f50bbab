package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/** ExtraInfo.Resp: the answer bytes, absent when APISIX had nil (unknown variable, no body). */
public record ExtraInfoResponse(Optional<byte[]> result) implements FromApisix {
    public ExtraInfoResponse {
        requireNonNull(result, "result");
    }

    @Override
    public FrameType frameType() {
        return FrameType.EXTRA_INFO;
    }
}
