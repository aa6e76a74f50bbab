package org.a6suite.http.internal;

import java.net.URI;
import java.util.Locale;

/** Where connections go and are pooled: scheme, host (without IPv6 brackets) and port. */
record Origin(boolean secure, String host, int port) {

    static Origin of(URI uri) {
        boolean secure = uri.getScheme().toLowerCase(Locale.ROOT).equals("https");
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        return new Origin(secure, host.toLowerCase(Locale.ROOT), port);
    }

    /** The {@code Host} header: the port only when it is not the scheme's default. */
    String hostHeader() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return port == (secure ? 443 : 80) ? h : h + ":" + port;
    }

    /** {@code host:port}, as error messages name the other end. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
