package org.a6suite.protocol.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked reader of one finished FlatBuffer, written instead of the generated accessors because those trust
 * every offset: a garbage payload must turn into a {@link MalformedFlatBufferException} with a reason, never an
 * out-of-range read far away or a huge allocation.
 *
 * <p>Every offset handed out is an absolute index into the payload (0 = first payload byte). Tables are checked on
 * entry (soffset, vtable and table extent inside the payload); vectors are checked before anything is allocated for
 * them. A byte budget of twice the payload length caps what decoding may materialise, so a payload whose vector
 * entries all point at the same large string (legal offsets, no real builder writes that) cannot blow up the heap.
 *
 * <p>Strings are decoded as UTF-8 with malformed sequences replaced by U+FFFD, because APISIX passes raw request
 * bytes (transcript s10) and the official runner's strict decoding turned them into a 503.
 */
final class FlatReader {
    private static final int BUDGET_FACTOR = 2;
    private static final int BUDGET_SLACK = 1024;

    private final ByteBuffer bb;
    private final int limit;
    private long budget;
    /** The payload copied once for lazily read entries ({@link #payloadCopy()}); null until asked for. */
    private byte[] copy;

    /** Reads {@code payload} from its position to its limit; the caller's buffer is not modified. */
    FlatReader(ByteBuffer payload) {
        this.bb = payload.slice().order(ByteOrder.LITTLE_ENDIAN);
        this.limit = bb.limit();
        this.budget = (long) limit * BUDGET_FACTOR + BUDGET_SLACK;
    }

    /** The root table: the payload starts with its unsigned offset. */
    int root(String what) {
        if (limit < 4) {
            throw new MalformedFlatBufferException(
                    what + ": " + limit + " bytes (expected: at least 4 for the root offset)");
        }
        return table(what, uoffset(0, what));
    }

    /** The table referenced by the offset field in {@code slot} of {@code table}, or -1 when the slot is absent. */
    int tableField(int table, int slot, String what) {
        int at = field(table, slot);
        return at == 0 ? -1 : table(what, uoffset(at, what));
    }

    /** An unsigned byte field, {@code def} when absent. */
    int u8(int table, int slot, int def) {
        int at = field(table, slot);
        if (at == 0) {
            return def;
        }
        require(at, 1, "u8 field", "");
        return bb.get(at) & 0xFF;
    }

    /** An unsigned 16-bit field, {@code def} when absent. */
    int u16(int table, int slot, int def) {
        int at = field(table, slot);
        if (at == 0) {
            return def;
        }
        require(at, 2, "u16 field", "");
        return bb.getShort(at) & 0xFFFF;
    }

    /** An unsigned 32-bit field, {@code def} when absent. */
    long u32(int table, int slot, long def) {
        int at = field(table, slot);
        if (at == 0) {
            return def;
        }
        require(at, 4, "u32 field", "");
        return bb.getInt(at) & 0xFFFF_FFFFL;
    }

    /** A string field decoded leniently as UTF-8, or {@code null} when absent. */
    String string(int table, int slot, String what) {
        int at = field(table, slot);
        if (at == 0) {
            return null;
        }
        int start = uoffset(at, what);
        int length = vectorLength(start, 1, what);
        charge(length, what);
        int from = start + 4;
        if (bb.hasArray()) {
            return new String(bb.array(), bb.arrayOffset() + from, length, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[length];
        bb.get(from, copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    /**
     * Where the string field's bytes are, as {@code start << 32 | length} (start is an absolute payload index), or -1
     * when absent. Checked and charged to the budget like {@link #string}, but nothing is decoded.
     */
    long stringSpan(int table, int slot, String what) {
        int at = field(table, slot);
        if (at == 0) {
            return -1;
        }
        int start = uoffset(at, what);
        int length = vectorLength(start, 1, what);
        charge(length, what);
        return (long) (start + 4) << 32 | length;
    }

    /**
     * The whole payload copied into a new array, once per reader: lazily read entries keep it, since the frame's own
     * buffer is released (and reused) as soon as decoding returns. Indexes into it are absolute payload indexes.
     */
    byte[] payloadCopy() {
        if (copy == null) {
            copy = new byte[limit];
            bb.get(0, copy);
        }
        return copy;
    }

    /** A {@code [ubyte]} field copied out, or {@code null} when absent. */
    byte[] bytes(int table, int slot, String what) {
        int at = field(table, slot);
        if (at == 0) {
            return null;
        }
        int start = uoffset(at, what);
        int length = vectorLength(start, 1, what);
        charge(length, what);
        byte[] copy = new byte[length];
        bb.get(start + 4, copy);
        return copy;
    }

    /**
     * The element count of a vector-of-tables field (0 when absent). Elements are read with {@link #vectorTable}
     * and {@link #vectorStart}.
     */
    int tableVectorLength(int table, int slot, String what) {
        int start = vectorStart(table, slot, what);
        if (start < 0) {
            return 0;
        }
        int length = vectorLength(start, 4, what);
        charge(4L * length, what);
        return length;
    }

    /** Where the vector in {@code slot} starts (its length word), or -1 when absent. */
    int vectorStart(int table, int slot, String what) {
        int at = field(table, slot);
        return at == 0 ? -1 : uoffset(at, what);
    }

    /** Element {@code index} of a vector of tables whose length word is at {@code vectorStart}. */
    int vectorTable(int vectorStart, int index, String what) {
        return table(what, uoffset(vectorStart + 4 + 4 * index, what));
    }

    // ---- low level ------------------------------------------------------------------------------------------

    /** The absolute position of the field in {@code slot}, or 0 when the vtable does not have it. */
    private int field(int table, int slot) {
        int vtable = table - bb.getInt(table);
        int vtableSize = bb.getShort(vtable) & 0xFFFF;
        int entry = 4 + 2 * slot;
        if (entry >= vtableSize) {
            return 0;
        }
        int offset = bb.getShort(vtable + entry) & 0xFFFF;
        return offset == 0 ? 0 : table + offset;
    }

    /** Validates a table at {@code pos}: soffset, vtable and the table's own extent all inside the payload. */
    private int table(String what, int pos) {
        require(pos, 4, what, " table");
        long vtable = (long) pos - bb.getInt(pos);
        if (vtable < 0 || vtable > limit - 4) {
            throw new MalformedFlatBufferException(
                    what + ": vtable at " + vtable + " (expected: 0.." + (limit - 4) + ")");
        }
        int vt = (int) vtable;
        int vtableSize = bb.getShort(vt) & 0xFFFF;
        int tableSize = bb.getShort(vt + 2) & 0xFFFF;
        if (vtableSize < 4 || (vtableSize & 1) != 0 || vt + vtableSize > limit) {
            throw new MalformedFlatBufferException(what + ": vtable size " + vtableSize + " at " + vt
                    + " (expected: even, >= 4, inside the " + limit + "-byte payload)");
        }
        if (tableSize < 4 || pos + tableSize > limit) {
            throw new MalformedFlatBufferException(
                    what + ": table size " + tableSize + " at " + pos + " (expected: 4.." + (limit - pos) + ")");
        }
        for (int entry = 4; entry < vtableSize; entry += 2) {
            int offset = bb.getShort(vt + entry) & 0xFFFF;
            if (offset != 0 && offset >= tableSize) {
                throw new MalformedFlatBufferException(
                        what + ": field offset " + offset + " (expected: below table size " + tableSize + ")");
            }
        }
        return pos;
    }

    /** Follows the unsigned offset stored at {@code at}. */
    private int uoffset(int at, String what) {
        require(at, 4, what, " offset");
        long target = at + (bb.getInt(at) & 0xFFFF_FFFFL);
        if (target > limit - 4) {
            throw new MalformedFlatBufferException(
                    what + ": offset to " + target + " (expected: 0.." + (limit - 4) + ")");
        }
        return (int) target;
    }

    private int vectorLength(int start, int elementSize, String what) {
        long length = bb.getInt(start) & 0xFFFF_FFFFL;
        long room = (limit - start - 4L) / elementSize;
        if (length > room) {
            throw new MalformedFlatBufferException(
                    what + ": length " + length + " (expected: 0.." + room + " to fit the payload)");
        }
        return (int) length;
    }

    /** {@code what + suffix} names the field; joined only on failure, since this runs for every offset read. */
    private void require(int at, int size, String what, String suffix) {
        if (at < 0 || at > limit - size) {
            throw new MalformedFlatBufferException(
                    what + suffix + ": position " + at + " (expected: 0.." + (limit - size) + ")");
        }
    }

    private void charge(long bytes, String what) {
        budget -= bytes;
        if (budget < 0) {
            throw new MalformedFlatBufferException(what + ": decoded data exceeds " + BUDGET_FACTOR
                    + "x the payload (expected: no shared or overlapping data)");
        }
    }

    /** A payload that is not a readable FlatBuffer of the expected table; cheap, as it carries no stack trace. */
    static final class MalformedFlatBufferException extends RuntimeException {
        MalformedFlatBufferException(String reason) {
            super(reason, null, false, false);
        }
    }
}
