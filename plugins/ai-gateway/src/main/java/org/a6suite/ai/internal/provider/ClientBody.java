package org.a6suite.ai.internal.provider;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import org.a6suite.ai.internal.Json;
import org.a6suite.plugin.Body;
import tools.jackson.databind.node.ObjectNode;

/**
 * The client's request body after validation, in one of two forms: the client's own bytes with where each top-level
 * field lies in them (read by the gateway's streaming scan), or a tree (prompt routes render one; bodies the scan
 * leaves to the tree path). The tree of the bytes is built only when something asks for it ({@link #tree()}): an
 * OpenAI-shaped provider body is the client's fields copied as bytes with a few replaced, and needs no tree.
 *
 * <p>Not modified after construction; {@link #tree()} may be called from any thread (two threads racing may each
 * parse once; both get equal trees, and nobody modifies them).
 */
public final class ClientBody {

    private final ByteBuffer bytes;
    private final String[] names;
    private final int[] spans;
    private volatile ObjectNode tree;

    private ClientBody(ByteBuffer bytes, String[] names, int[] spans, ObjectNode tree) {
        this.bytes = bytes;
        this.names = names;
        this.spans = spans;
        this.tree = tree;
    }

    /** A body known only as a tree: {@link #raw()} is false. */
    public static ClientBody ofTree(ObjectNode tree) {
        return new ClientBody(null, new String[0], new int[0], requireNonNull(tree, "tree"));
    }

    /**
     * A body kept as the client's bytes: {@code body} is one UTF-8 JSON object whose top-level field {@code i} is
     * named {@code names[i]} (no name twice) and spans bytes {@code spans[2i]} (its name's opening quote) to
     * {@code spans[2i+1]} (exclusive, the end of its value).
     */
    public static ClientBody ofBytes(Body body, String[] names, int[] spans) {
        if (spans.length != names.length * 2) {
            throw new IllegalArgumentException("spans: " + spans.length + " (expected: two per name)");
        }
        return new ClientBody(body.asByteBuffer(), names, spans, null);
    }

    /** Whether the client's bytes are kept, so fields can be copied as they are ({@link #copyField}). */
    public boolean raw() {
        return bytes != null;
    }

    /** The body as a tree (parsed from the bytes on first use); callers must not modify it. */
    public ObjectNode tree() {
        ObjectNode t = tree;
        if (t == null) {
            // The scan read the whole body as one valid JSON object, so this parse succeeds.
            t = (ObjectNode) Json.MAPPER.readTree(new ByteBufferInput(bytes.duplicate()));
            tree = t;
        }
        return t;
    }

    /** How many top-level fields the bytes hold (0 for a tree-only body). */
    int fields() {
        return names.length;
    }

    String name(int field) {
        return names[field];
    }

    /** Appends field {@code field} ({@code "name":value}) exactly as the client sent it. */
    void copyField(int field, ReusedOutput out) {
        out.write(bytes, spans[2 * field], spans[2 * field + 1] - spans[2 * field]);
    }

    /** Reads a buffer without copying it first (the plugin API's body hands out a read-only view, not its array). */
    private static final class ByteBufferInput extends java.io.InputStream {
        private final ByteBuffer buffer;

        ByteBufferInput(ByteBuffer buffer) {
            this.buffer = buffer;
        }

        @Override
        public int read() {
            return buffer.hasRemaining() ? buffer.get() & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (!buffer.hasRemaining()) {
                return -1;
            }
            int n = Math.min(len, buffer.remaining());
            buffer.get(b, off, n);
            return n;
        }
    }
}
