package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.a6suite.protocol.message.A6Message;

/**
 * Message equality for tests: the records hold byte arrays, whose {@code equals} is identity. Walks records,
 * optionals and lists by hand (AssertJ's recursive comparison is far too slow on 1 MiB arrays).
 */
final class Messages {
    private Messages() {}

    static void assertSameMessage(A6Message actual, A6Message expected) {
        assertThat(difference("message", actual, expected))
                .as("%s vs %s", actual, expected)
                .isNull();
    }

    /** A path to the first difference, or {@code null} when equal. */
    private static String difference(String path, Object a, Object b) {
        if (a == b) {
            return null;
        }
        // Lists compare by elements whatever their class: decoded calls hold lazy WireTextEntries.
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return path + ": size " + x.size() + " != " + y.size();
            }
            for (int i = 0; i < x.size(); i++) {
                String d = difference(path + "[" + i + "]", x.get(i), y.get(i));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return path + ": " + a + " != " + b;
        }
        if (a instanceof byte[] x) {
            return Arrays.equals(x, (byte[]) b)
                    ? null
                    : path + ": byte arrays differ (lengths " + x.length + ", " + ((byte[]) b).length + ")";
        }
        if (a instanceof Optional<?> x) {
            Optional<?> y = (Optional<?>) b;
            if (x.isPresent() != y.isPresent()) {
                return path + ": " + x + " != " + y;
            }
            return x.isPresent() ? difference(path + ".get()", x.get(), y.get()) : null;
        }
        if (a instanceof Record) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                try {
                    String d = difference(
                            path + "." + c.getName(),
                            c.getAccessor().invoke(a),
                            c.getAccessor().invoke(b));
                    if (d != null) {
                        return d;
                    }
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return null;
        }
        return a.equals(b) ? null : path + ": " + a + " != " + b;
    }
}
