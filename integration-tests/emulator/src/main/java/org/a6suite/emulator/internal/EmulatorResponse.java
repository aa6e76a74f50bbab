package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/**
 * A response to write to the client: headers in this exact order and case. {@code chunked} responses carry
 * {@code Transfer-Encoding: chunked} among their headers (APISIX's own answers, s02/s05); the others carry
 * {@code Content-Length}. {@code close} ends the client connection after the write (s15's 500). With a {@code stream}
 * the head goes out at once and the body is the upstream's, relayed as it arrives ({@code body} is then empty).
 */
record EmulatorResponse(int status, List<Header> headers, byte[] body, boolean close, Optional<UpstreamBody> stream) {
    EmulatorResponse {
        headers = List.copyOf(headers);
        requireNonNull(body, "body");
        requireNonNull(stream, "stream");
    }

    /** A response whose body is all here. */
    EmulatorResponse(int status, List<Header> headers, byte[] body, boolean close) {
        this(status, headers, body, close, Optional.empty());
    }
}
