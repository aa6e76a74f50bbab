package org.a6suite.protocol.message;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** HTTPReqCall.Resp: the call id (ignored by APISIX) and the action. */
public record HttpReqCallResponse(long id, Action action) implements A6Message {
    public HttpReqCallResponse {
        U32.check("id", id);
        requireNonNull(action, "action");
    }

    @Override
    public FrameType frameType() {
        return FrameType.HTTP_REQ_CALL;
    }

    /** The union {@code Action}: nothing, Stop or Rewrite. */
    public sealed interface Action {}

    /** No action: APISIX proxies the request unchanged. */
    public enum None implements Action {
        INSTANCE
    }

    /** Stop: status 0 means 200 to APISIX; {@code body} empty means "keep nginx's default body". */
    public record Stop(int status, List<TextEntry> headers, Optional<byte[]> body) implements Action {
        public Stop {
            U32.checkU16("status", status);
            headers = List.copyOf(headers);
            requireNonNull(body, "body");
        }
    }

    /** Rewrite; {@code body} needs proto 0.6.1 (APISIX 3.6+). */
    public record Rewrite(
            Optional<String> path,
            List<TextEntry> headers,
            List<TextEntry> args,
            List<TextEntry> respHeaders,
            Optional<byte[]> body)
            implements Action {
        public Rewrite {
            requireNonNull(path, "path");
            headers = List.copyOf(headers);
            args = List.copyOf(args);
            respHeaders = List.copyOf(respHeaders);
            requireNonNull(body, "body");
        }
    }
}
