package org.a6suite.optimizer.model;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * Names an upstream the optimizer can tune: a stand-alone upstream ({@code upstreams/<id>}) or the inline upstream of a
 * route ({@code routes/<id>}) or service ({@code services/<id>}). The string form is the APISIX etcd key relative to the
 * APISIX prefix, the same form the health documents use.
 */
public record UpstreamRef(String kind, String id) implements Comparable<UpstreamRef> {

    /** The kinds of APISIX objects that carry an upstream. */
    public static final Set<String> KINDS = Set.of("upstreams", "routes", "services");

    public UpstreamRef {
        requireNonNull(kind, "kind");
        requireNonNull(id, "id");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind: " + kind + " (expected: one of upstreams, routes, services)");
        }
        if (id.isEmpty() || id.contains("/")) {
            throw new IllegalArgumentException("id: " + id + " (expected: a non-empty APISIX id without '/')");
        }
    }

    /** Parses {@code upstreams/1}. */
    public static UpstreamRef parse(String key) {
        requireNonNull(key, "key");
        int slash = key.indexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("upstream: " + key + " (expected: <kind>/<id>, e.g. upstreams/1)");
        }
        return new UpstreamRef(key.substring(0, slash), key.substring(slash + 1));
    }

    /** The key relative to the APISIX prefix, e.g. {@code upstreams/1}. */
    public String key() {
        return kind + "/" + id;
    }

    /** True when the upstream is embedded in a route or service (under its {@code upstream} field). */
    public boolean inline() {
        return !kind.equals("upstreams");
    }

    @Override
    public int compareTo(UpstreamRef o) {
        int c = kind.compareTo(o.kind);
        return c != 0 ? c : id.compareTo(o.id);
    }

    @Override
    public String toString() {
        return key();
    }
}
