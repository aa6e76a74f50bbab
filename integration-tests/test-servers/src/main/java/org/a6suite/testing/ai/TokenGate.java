package org.a6suite.testing.ai;

/**
 * TEST FIXTURE. Holds back the content events of one stream until the test lets them through (see
 * {@link Fault#gated(TokenGate)}): a test that lets the next token through only after it has received the previous
 * one at the far end of a proxy proves, without a clock, that the proxy streams, since a proxy that buffered any part
 * of the answer would never hand that token over.
 */
public final class TokenGate {

    private int allowed; // guarded by this
    private Runnable waiting; // the stream's continuation while it waits, guarded by this

    /** Lets {@code count} more content events through. */
    public void letThrough(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("count: " + count + " (expected: 1 or more)");
        }
        Runnable resume;
        synchronized (this) {
            allowed += count;
            resume = waiting;
            waiting = null;
        }
        if (resume != null) {
            resume.run();
        }
    }

    /** Whether content event {@code index} (from 0) may go now; if not, {@code resume} runs once it may. */
    synchronized boolean mayPass(int index, Runnable resume) {
        if (index < allowed) {
            return true;
        }
        waiting = resume;
        return false;
    }
}
