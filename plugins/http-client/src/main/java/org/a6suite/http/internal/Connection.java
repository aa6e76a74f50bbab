package org.a6suite.http.internal;

import io.netty.channel.Channel;

/**
 * One open connection to an origin. {@link #idleSinceNanos} belongs to the pool (read and written under its lock);
 * everything reached through {@link #handler} and {@link #traffic} belongs to the channel's event loop.
 */
final class Connection {
    final Channel channel;
    final Origin origin;
    final TrafficCounter traffic;
    final ConnectionHandler handler;
    long idleSinceNanos;

    Connection(Channel channel, Origin origin, TrafficCounter traffic, ConnectionHandler handler) {
        this.channel = channel;
        this.origin = origin;
        this.traffic = traffic;
        this.handler = handler;
    }

    void close() {
        channel.close();
    }

    @Override
    public String toString() {
        return "connection to " + origin + " from " + channel.localAddress();
    }
}
