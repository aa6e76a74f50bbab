package org.a6suite.emulator.internal;

import java.util.List;
import org.a6suite.emulator.EmulatorUpstream;

/** One request to an upstream node; {@code keepAlive}: the connection may go back to the idle pool afterwards. */
record UpstreamRequest(
        EmulatorUpstream.Node node,
        EmulatorUpstream.Timeout timeout,
        String method,
        String target,
        List<Header> headers,
        byte[] body,
        boolean keepAlive) {}
