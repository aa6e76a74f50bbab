package org.a6suite.protocol.message;

/** PrepareConf.Resp: the configuration token, an unsigned 32-bit value held in a long. */
public record PrepareConfResponse(long confToken) implements A6Message {
    public PrepareConfResponse {
        U32.check("confToken", confToken);
    }

    @Override
    public FrameType frameType() {
        return FrameType.PREPARE_CONF;
    }
}
