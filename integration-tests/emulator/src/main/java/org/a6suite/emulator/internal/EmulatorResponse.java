package org.a6suite.emulator.internal;

import java.util.List;

/**
 * A response to write to the client: headers in this exact order and case. {@code chunked} responses carry
 * {@code Transfer-Encoding: chunked} among their headers (APISIX's own answers, s02/s05); the others carry
 * {@code Content-Length}. {@code close} ends the client connection after the write (s15's 500).
 */
record EmulatorResponse(int status, List<Header> headers, byte[] body, boolean close) {
    EmulatorResponse {
        headers = List.copyOf(headers);
    }
}
