package org.a6suite.logging.internal;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAware;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * The one thread that encodes and writes what the callers queued.
 *
 * <p>Cycle: park while the queue is empty; once woken, wait up to {@code maxDelay} for a batch to accumulate (less
 * when the queue gets half full or the appender stops); encode the events queued at that moment with the operator's
 * encoder, pack them into chunks ({@link LineChunks}), write, flush; then, if events were dropped because the queue
 * was full, one line saying how many. On stop: drain everything still queued, write it, close a file target.
 */
public final class BatchWriter implements Runnable {

    /** Name of the writer thread (seen in thread dumps and in the {@code %thread} of the dropped-lines warning). */
    public static final String THREAD_NAME = "a6-log-writer";

    private final EventQueue<ILoggingEvent> queue;
    private final Encoder<ILoggingEvent> encoder;
    private final LineTarget target;
    private final long maxDelayNanos;
    private final LongFunction<ILoggingEvent> droppedNotice;
    private final ContextAware status;
    private final OutputStream out;
    private final LineChunks chunks;
    private final Thread thread;
    private volatile boolean stopping;
    private boolean failing;

    /**
     * Opens the target; {@link #start()} then starts the thread.
     *
     * @param droppedNotice the warning event for a number of dropped events
     * @param status        where write failures are reported (logback's status messages)
     * @throws IOException when the target cannot be opened
     */
    public BatchWriter(
            EventQueue<ILoggingEvent> queue,
            Encoder<ILoggingEvent> encoder,
            LineTarget target,
            Duration maxDelay,
            LongFunction<ILoggingEvent> droppedNotice,
            ContextAware status)
            throws IOException {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.encoder = Objects.requireNonNull(encoder, "encoder");
        this.target = Objects.requireNonNull(target, "target");
        this.maxDelayNanos = maxDelay.toNanos();
        this.droppedNotice = Objects.requireNonNull(droppedNotice, "droppedNotice");
        this.status = Objects.requireNonNull(status, "status");
        this.out = target.open();
        this.chunks = new LineChunks(out, target.maxChunk());
        this.thread = new Thread(this, THREAD_NAME);
        thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Wakes the thread (a queue that was empty has an event now, or is half full). */
    public void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Asks the thread to write everything queued and end, and waits at most {@code maxFlushTime} for it.
     *
     * @return false when the thread was still writing after {@code maxFlushTime}
     */
    public boolean stop(Duration maxFlushTime) throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(Math.max(1, maxFlushTime.toMillis()));
        return !thread.isAlive();
    }

    @Override
    public void run() {
        try {
            write(encoder.headerBytes());
            while (!stopping) {
                if (queue.size() == 0) {
                    LockSupport.park(this);
                    continue;
                }
                awaitBatch();
                try {
                    writeBatch(queue.size());
                } catch (RuntimeException e) {
                    // The thread must outlive a bad batch: if it died, the queue would fill and every line be dropped.
                    status.addError("writing a batch of log lines failed; the batch is lost", e);
                }
            }
            // Everything queued until the appender stopped taking events.
            writeBatch(Integer.MAX_VALUE);
            write(encoder.footerBytes());
            flush();
        } finally {
            if (target.closeWhenDone()) {
                try {
                    out.close();
                } catch (IOException e) {
                    status.addError("closing " + target + " failed", e);
                }
            }
        }
    }

    private void awaitBatch() {
        long deadline = System.nanoTime() + maxDelayNanos;
        while (!stopping && !queue.halfFull()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            // Wake-ups of producers while waiting end this park early; the loop waits out the rest.
            LockSupport.parkNanos(this, Math.min(left, TimeUnit.SECONDS.toNanos(1)));
        }
    }

    /** Writes at most {@code limit} events (those queued when the batch began: a busy queue never starves the flush). */
    private void writeBatch(int limit) {
        for (int i = 0; i < limit; i++) {
            ILoggingEvent event = queue.poll();
            if (event == null) {
                break;
            }
            write(encode(event));
        }
        long dropped = queue.takeDropped();
        if (dropped > 0) {
            write(encode(droppedNotice.apply(dropped)));
        }
        flush();
    }

    private byte[] encode(ILoggingEvent event) {
        try {
            return encoder.encode(event);
        } catch (RuntimeException e) {
            status.addError("encoding a log event failed; the line is skipped", e);
            return null;
        }
    }

    private void write(byte[] line) {
        if (line == null) {
            return;
        }
        try {
            chunks.add(line);
            failing = false;
        } catch (IOException e) {
            reportFailure(e);
        }
    }

    private void flush() {
        try {
            chunks.flush();
            failing = false;
        } catch (IOException e) {
            reportFailure(e);
        }
    }

    /** One status error per run of failures (a full disk must not flood logback's status list). */
    private void reportFailure(IOException e) {
        if (!failing) {
            failing = true;
            status.addError("writing log lines to " + target + " failed; lines are lost until writes succeed", e);
        }
    }
}
