package org.a6suite.ai.internal.provider;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A byte buffer each thread reuses for JSON it writes and then hands on as an exact-size array (the plugin API's
 * {@code Body.wrap} and the outbound request take whole arrays): one copy per call instead of a fresh, growing
 * buffer and then the copy. A buffer that grew past {@value #KEPT_CAPACITY} bytes (a large answer) is dropped after
 * use, so no thread keeps a large array alive.
 */
final class ReusedOutput extends ByteArrayOutputStream {

    static final int KEPT_CAPACITY = 64 * 1024;

    private static final ThreadLocal<ReusedOutput> BUFFERS = ThreadLocal.withInitial(ReusedOutput::new);

    private ReusedOutput() {
        super(1024);
    }

    /** This thread's buffer, empty. Call {@link #release()} when done with it. */
    static ReusedOutput acquire() {
        ReusedOutput out = BUFFERS.get();
        out.reset();
        return out;
    }

    /** Ends a use: a buffer that grew large is not kept. */
    void release() {
        if (buf.length > KEPT_CAPACITY) {
            BUFFERS.remove();
        }
    }

    /** Appends {@code length} bytes of {@code source} from absolute index {@code from}, without an interim copy. */
    void write(ByteBuffer source, int from, int length) {
        if (count + length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + length));
        }
        source.get(from, buf, count, length);
        count += length;
    }

    /** Closing a byte buffer does nothing; a generator closing its target must not end a use early. */
    @Override
    public void close() {}
}
