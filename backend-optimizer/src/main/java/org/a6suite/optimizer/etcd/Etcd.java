package org.a6suite.optimizer.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;

/** Small conversions between strings and jetcd's byte sequences. */
public final class Etcd {

    private Etcd() {}

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    public static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** A prefix with exactly one trailing slash, so {@code /apisix/upstreams} never matches {@code /apisix/upstreams2}. */
    public static String dir(String prefix) {
        return prefix.endsWith("/") ? prefix : prefix + "/";
    }
}
