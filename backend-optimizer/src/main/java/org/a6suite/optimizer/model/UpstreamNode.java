package org.a6suite.optimizer.model;

/** One node of an upstream as configured in APISIX. */
public record UpstreamNode(String host, int port, int weight, int priority) {

    /** The node key, {@code host:port}, as used in health documents and APISIX's node map. */
    public String address() {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]:" + port : host + ":" + port;
    }
}
