package org.a6suite.plugins.fallback.internal;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;

/**
 * A last good upstream response kept as a fallback.
 *
 * @param status      the upstream status
 * @param headers     the upstream headers minus hop-by-hop and per-response ones (content-length, date, age, ...)
 * @param body        the whole body
 * @param storedNanos ticker reading when it was stored, for {@code Age}
 */
public record CachedResponse(int status, Headers headers, Body body, long storedNanos) {

    /** Headers that describe one transfer, not the resource; dropped when storing. */
    private static final Set<String> NOT_STORED = Set.of(
            "connection",
            "keep-alive",
            "proxy-authenticate",
            "proxy-authorization",
            "te",
            "trailer",
            "trailers",
            "transfer-encoding",
            "upgrade",
            "content-length",
            "date",
            "server",
            "age",
            "x-a6-fallback");

    public CachedResponse {
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
    }

    public static CachedResponse of(int status, Headers upstream, Body body, long nowNanos) {
        List<Headers.Header> kept = new ArrayList<>(upstream.size());
        for (Headers.Header h : upstream) {
            if (!NOT_STORED.contains(h.name().toLowerCase(Locale.ROOT))) {
                kept.add(h);
            }
        }
        return new CachedResponse(status, Headers.of(kept), body, nowNanos);
    }

    /** Whole seconds since stored, as the {@code Age} header wants. */
    public long ageSeconds(long nowNanos) {
        return Math.max(0, (nowNanos - storedNanos) / 1_000_000_000L);
    }
}
