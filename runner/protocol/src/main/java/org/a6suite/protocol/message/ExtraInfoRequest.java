package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

/** ExtraInfo.Req: the runner asks APISIX for a variable or a body during a call. */
public record ExtraInfoRequest(Info info) implements A6Message {
    public ExtraInfoRequest {
        requireNonNull(info, "info");
    }

    @Override
    public FrameType frameType() {
        return FrameType.EXTRA_INFO;
    }

    /** The union {@code Info}. */
    public sealed interface Info {}

    /** {@code ctx.var[name]}. */
    public record Var(String name) implements Info {
        public Var {
            requireNonNull(name, "name");
        }
    }

    /** The whole request body. */
    public enum ReqBody implements Info {
        INSTANCE
    }

    /** The whole upstream response body (HTTPRespCall only; absent in HTTPReqCall). */
    public enum RespBody implements Info {
        INSTANCE
    }
}
