package org.a6suite.emulator.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * nginx's status-line reason phrases and the HTML error pages APISIX serves (transcripts s09, s10, s15: a 503 page of
 * 269 bytes ending in "Powered by APISIX"). A status missing from nginx's table goes out as {@code HTTP/1.1 418 }
 * with an empty reason (s02).
 */
final class NginxPages {

    private static final Map<Integer, String> REASONS = Map.ofEntries(
            Map.entry(200, "OK"),
            Map.entry(201, "Created"),
            Map.entry(202, "Accepted"),
            Map.entry(204, "No Content"),
            Map.entry(206, "Partial Content"),
            Map.entry(301, "Moved Permanently"),
            Map.entry(302, "Moved Temporarily"),
            Map.entry(303, "See Other"),
            Map.entry(304, "Not Modified"),
            Map.entry(307, "Temporary Redirect"),
            Map.entry(308, "Permanent Redirect"),
            Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"),
            Map.entry(402, "Payment Required"),
            Map.entry(403, "Forbidden"),
            Map.entry(404, "Not Found"),
            Map.entry(405, "Not Allowed"),
            Map.entry(406, "Not Acceptable"),
            Map.entry(408, "Request Time-out"),
            Map.entry(409, "Conflict"),
            Map.entry(410, "Gone"),
            Map.entry(411, "Length Required"),
            Map.entry(412, "Precondition Failed"),
            Map.entry(413, "Request Entity Too Large"),
            Map.entry(414, "Request-URI Too Large"),
            Map.entry(415, "Unsupported Media Type"),
            Map.entry(416, "Requested Range Not Satisfiable"),
            Map.entry(421, "Misdirected Request"),
            Map.entry(429, "Too Many Requests"),
            Map.entry(500, "Internal Server Error"),
            Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"),
            Map.entry(503, "Service Temporarily Unavailable"),
            Map.entry(504, "Gateway Time-out"),
            Map.entry(505, "HTTP Version Not Supported"),
            Map.entry(507, "Insufficient Storage"));

    private NginxPages() {}

    /** The reason phrase nginx writes for {@code status}, or "" when its table has none. */
    static String reason(int status) {
        return REASONS.getOrDefault(status, "");
    }

    /** The HTML page for an error status APISIX answers itself, when nginx has one (status >= 400 in its table). */
    static Optional<byte[]> page(int status) {
        if (status < 400 || !REASONS.containsKey(status)) {
            return Optional.empty();
        }
        String title = status + " " + REASONS.get(status);
        // nginx's error pages use CRLF line ends (s09: the 503 page is 269 bytes)
        String html = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
                + "</h1></center>\r\n<hr><center>openresty</center>\r\n"
                + "<p><em>Powered by <a href=\"https://apisix.apache.org/\">APISIX</a>.</em></p></body>\r\n</html>\r\n";
        return Optional.of(html.getBytes(StandardCharsets.UTF_8));
    }
}
