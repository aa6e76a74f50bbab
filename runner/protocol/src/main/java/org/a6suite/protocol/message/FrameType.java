package org.a6suite.protocol.message;

import java.util.Optional;

/** The first byte of every A6 frame. A reply reuses its request's type. */
public enum FrameType {
    ERROR(0),
    PREPARE_CONF(1),
    HTTP_REQ_CALL(2),
    EXTRA_INFO(3),
    HTTP_RESP_CALL(4);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static Optional<FrameType> of(int code) {
        return switch (code) {
            case 0 -> Optional.of(ERROR);
            case 1 -> Optional.of(PREPARE_CONF);
            case 2 -> Optional.of(HTTP_REQ_CALL);
            case 3 -> Optional.of(EXTRA_INFO);
            case 4 -> Optional.of(HTTP_RESP_CALL);
            default -> Optional.empty();
        };
    }
}
