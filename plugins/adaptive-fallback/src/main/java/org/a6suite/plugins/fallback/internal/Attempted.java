package org.a6suite.plugins.fallback.internal;

import org.a6suite.http.OutboundResponse;
import org.a6suite.plugin.Headers;

/**
 * One attempt's result: the node, the response head, its headers as the lane relays them (converted once, shared
 * by the cache and the answer) and the body held up to its commit point.
 */
record Attempted(UpstreamSpec.Node node, OutboundResponse response, Headers headers, RelayBody body) {

    int status() {
        return response.status();
    }
}
