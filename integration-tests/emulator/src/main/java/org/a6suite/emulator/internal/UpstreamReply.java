package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;

/** An upstream response head (status, headers in wire order and case) and its body, still to be read. */
record UpstreamReply(int status, List<Header> headers, UpstreamBody body) {
    UpstreamReply {
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
    }
}
