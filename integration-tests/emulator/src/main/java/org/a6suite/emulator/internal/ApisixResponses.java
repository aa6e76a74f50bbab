package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.a6suite.protocol.message.TextEntry;

/**
 * The responses APISIX writes itself (Stop, post-resp replies, nginx's error pages, its own JSON errors) and the
 * header rules its replies follow: first-set-then-add for runner entries, {@code resp_headers} minus the excluded
 * list (transcripts README §6).
 */
final class ApisixResponses {

    static final String SERVER = "APISIX/3.18.0";
    static final String DEFAULT_CONTENT_TYPE = "text/plain; charset=utf-8";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    /** Response headers APISIX never copies from a runner's resp_headers or an empty HTTPRespCall reply (§6). */
    static final Set<String> EXCLUDED_RESP_HEADERS = Set.of(
            "connection",
            "content-length",
            "transfer-encoding",
            "location",
            "server",
            "www-authenticate",
            "content-encoding",
            "content-type",
            "content-location",
            "content-language");

    static final Set<String> HOP_BY_HOP =
            Set.of("connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "trailer");

    private final Clock clock;

    ApisixResponses(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * A response APISIX writes itself (Stop, post-resp): chunked, {@code Date} unless given, {@code Content-Type}
     * (nginx's default {@code text/plain; charset=utf-8} unless given), the headers, then {@code Server}.
     */
    EmulatorResponse apisixResponse(int status, List<Header> given, byte[] body) {
        List<Header> h = new ArrayList<>();
        if (given.stream().noneMatch(x -> x.is("date"))) {
            h.add(new Header("Date", date()));
        }
        h.add(given.stream()
                .filter(x -> x.is("content-type"))
                .findFirst()
                .orElse(new Header("Content-Type", DEFAULT_CONTENT_TYPE)));
        h.add(new Header("Transfer-Encoding", "chunked"));
        h.add(new Header("Connection", "keep-alive"));
        for (Header x : given) {
            String lower = x.name().toLowerCase(Locale.ROOT);
            if (!lower.equals("content-type")
                    && !lower.equals("content-length")
                    && !lower.equals("server")
                    && !HOP_BY_HOP.contains(lower)) {
                h.add(x);
            }
        }
        h.add(new Header("Server", SERVER));
        return new EmulatorResponse(status, h, body, false);
    }

    /** nginx's HTML error page with APISIX's footer (s09 503, s15 500 with Connection: close). */
    EmulatorResponse page(int status, boolean close) {
        byte[] html = NginxPages.page(status).orElse(new byte[0]);
        List<Header> h = List.of(
                new Header("Date", date()),
                new Header("Content-Type", "text/html; charset=utf-8"),
                new Header("Content-Length", String.valueOf(html.length)),
                new Header("Connection", close ? "close" : "keep-alive"),
                new Header("Server", SERVER));
        return new EmulatorResponse(status, h, html, close);
    }

    EmulatorResponse json(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new EmulatorResponse(
                status,
                List.of(
                        new Header("Date", date()),
                        new Header("Content-Type", "application/json"),
                        new Header("Content-Length", String.valueOf(bytes.length)),
                        new Header("Connection", "keep-alive"),
                        new Header("Server", SERVER)),
                bytes,
                false);
    }

    String date() {
        return HTTP_DATE.format(clock.instant());
    }

    /** Rewrite.resp_headers: first-set-then-add, minus the excluded list; an absent value deletes (§6). */
    static List<Header> applyRespHeaders(List<Header> current, List<Header> respHeaders) {
        List<Header> out = new ArrayList<>(current);
        Set<String> seen = new HashSet<>();
        for (Header h : respHeaders) {
            String lower = h.name().toLowerCase(Locale.ROOT);
            if (EXCLUDED_RESP_HEADERS.contains(lower)) {
                continue;
            }
            if (seen.add(lower)) {
                out.removeIf(x -> x.is(lower));
            }
            if (!h.value().isEmpty()) {
                out.add(h);
            }
        }
        return out;
    }

    /** First-set-then-add over runner entries: the first entry of a name replaces, later ones add. */
    static List<Header> setThenAdd(List<Header> current, List<TextEntry> entries, Set<String> excluded) {
        List<Header> out = new ArrayList<>(current);
        Set<String> seen = new HashSet<>();
        for (TextEntry e : entries) {
            String lower = e.name().toLowerCase(Locale.ROOT);
            if (excluded.contains(lower)) {
                continue;
            }
            if (seen.add(lower)) {
                out.removeIf(x -> x.is(lower));
            }
            e.value().ifPresent(v -> out.add(new Header(e.name(), Wire.toWire(v))));
        }
        return out;
    }
}
