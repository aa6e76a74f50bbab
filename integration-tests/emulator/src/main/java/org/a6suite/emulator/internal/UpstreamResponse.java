package org.a6suite.emulator.internal;

import java.util.List;

/** What an upstream answered: status, headers in wire order and case, and the whole body. */
record UpstreamResponse(int status, List<Header> headers, byte[] body) {
    UpstreamResponse {
        headers = List.copyOf(headers);
    }
}
