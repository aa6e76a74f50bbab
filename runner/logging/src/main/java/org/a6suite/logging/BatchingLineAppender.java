package org.a6suite.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.util.Duration;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.logging.internal.BatchWriter;
import org.a6suite.logging.internal.EventQueue;
import org.a6suite.logging.internal.LineTarget;

/**
 * A logback appender that takes events on the caller's thread without a lock, a system call or any encoding, and
 * writes them in batches from one daemon thread of its own ({@code a6-log-writer}).
 *
 * <p>Why it exists: the call logs of the ai-gateway and mcp-gateway are written on the Netty event loop that runs the
 * plugin. With logback's {@code ConsoleAppender} or {@code FileAppender} every line costs the appender's lock and one
 * {@code write(2)} on that loop (measured 25-40 us of CPU per AI call), and a slow disk or a full stderr pipe stalls
 * every connection of the loop. Logback's {@code AsyncAppender} moves the work to a thread but still flushes per
 * event (and {@code System.err} is an autoflush stream), so each line is still a write of its own: no logback appender
 * writes what accumulated in one system call. This one does.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>Order: the lines of one producing thread are written in the order it logged them.
 *   <li>Whole lines: an event's encoded bytes are never split between two writes; to {@code System.err}/{@code
 *       System.out} each write is at most 4096 bytes (PIPE_BUF, atomic on a pipe, so other writers' lines on the same
 *       stderr never land inside ours); an event larger than that is written alone.
 *   <li>Latency: an event is written within {@code maxDelay} (default 200 ms) of the first event of its batch, sooner
 *       when the queue gets half full.
 *   <li>Loss: only when {@code queueSize} events are waiting (the caller never blocks); the writer then writes one WARN
 *       line, through the same encoder, with the number dropped. {@link #stop()} (logback's {@code <shutdownHook/>}
 *       on SIGTERM) writes everything queued, waiting at most {@code maxFlushTime}.
 * </ul>
 *
 * <p>Caller data ({@code %caller}, {@code %line}, {@code %method}) is not captured: it would cost a stack walk on the
 * event loop.
 *
 * <p>Configuration (Joran): {@code encoder} (required), exactly one of {@code target} ({@code System.err} or {@code
 * System.out}) and {@code file} (a path, appended to, parent directories created; neither is an error), {@code queueSize} (default 65536),
 * {@code maxDelay} (default 200 milliseconds), {@code maxFlushTime} (default 1 second). A bad setting is reported as a
 * logback status error and the appender does not start.
 */
public final class BatchingLineAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    public static final int DEFAULT_QUEUE_SIZE = 65_536;
    public static final Duration DEFAULT_MAX_DELAY = Duration.buildByMilliseconds(200);
    public static final Duration DEFAULT_MAX_FLUSH_TIME = Duration.buildBySeconds(1);

    private Encoder<ILoggingEvent> encoder;
    private String target;
    private String file;
    private int queueSize = DEFAULT_QUEUE_SIZE;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private Duration maxFlushTime = DEFAULT_MAX_FLUSH_TIME;

    private EventQueue<ILoggingEvent> queue;
    private BatchWriter writer;
    private java.time.Duration flushBudget;

    @Override
    public void start() {
        if (isStarted()) {
            return;
        }
        List<String> errors = new ArrayList<>();
        LineTarget lineTarget = lineTarget(errors);
        if (encoder == null) {
            errors.add("encoder: missing (expected: an <encoder>, e.g. with a <pattern>)");
        }
        if (queueSize < 1) {
            errors.add("queueSize: " + queueSize + " (expected: >= 1)");
        }
        if (maxDelay == null || maxDelay.getMilliseconds() < 0) {
            errors.add("maxDelay: " + maxDelay + " (expected: a duration >= 0, e.g. 200 milliseconds)");
        }
        if (maxFlushTime == null || maxFlushTime.getMilliseconds() < 1) {
            errors.add("maxFlushTime: " + maxFlushTime + " (expected: a duration >= 1 millisecond, e.g. 1 second)");
        }
        if (!errors.isEmpty()) {
            errors.forEach(error -> addError(describe() + ": " + error));
            return;
        }
        EventQueue<ILoggingEvent> events = new EventQueue<>(queueSize);
        try {
            writer = new BatchWriter(
                    events,
                    encoder,
                    lineTarget,
                    java.time.Duration.ofMillis(maxDelay.getMilliseconds()),
                    this::droppedNotice,
                    this);
        } catch (IOException | RuntimeException e) {
            addError(describe() + ": cannot open " + lineTarget, e);
            return;
        }
        queue = events;
        flushBudget = java.time.Duration.ofMillis(maxFlushTime.getMilliseconds());
        writer.start();
        super.start();
    }

    /**
     * Exactly one of {@code target} and {@code file}: a config that names neither is more likely a mistake (a file
     * path lost in an edit) than a wish for stderr, so it is refused rather than defaulted.
     */
    private LineTarget lineTarget(List<String> errors) {
        if (target != null && file != null) {
            errors.add("target: " + target + " and file: " + file + " (expected: exactly one of them)");
            return null;
        }
        if (target == null && file == null) {
            errors.add("target/file: both missing (expected: <target>System.err</target>, <target>System.out</target>"
                    + " or <file>path</file>)");
            return null;
        }
        if (file != null) {
            try {
                return new LineTarget.AppendFile(Path.of(file));
            } catch (InvalidPathException e) {
                errors.add("file: " + file + " (expected: a file path; " + e.getMessage() + ")");
                return null;
            }
        }
        return switch (target) {
            case "System.err" -> new LineTarget.Console(false);
            case "System.out" -> new LineTarget.Console(true);
            default -> {
                errors.add("target: " + target + " (expected: System.err or System.out)");
                yield null;
            }
        };
    }

    /** The caller's whole cost: capture what the event needs later, queue it, wake the writer at most once a batch. */
    @Override
    protected void append(ILoggingEvent event) {
        event.prepareForDeferredProcessing();
        if (queue.offer(event) == EventQueue.Offer.WAKE) {
            writer.wake();
        }
    }

    /** Stops taking events, lets the writer write everything queued and waits for it at most {@code maxFlushTime}. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        try {
            if (!writer.stop(flushBudget)) {
                addWarn(describe() + ": the writer did not finish within maxFlushTime " + maxFlushTime
                        + "; lines still queued are lost");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            addWarn(describe() + ": interrupted while waiting for the writer; lines still queued may be lost");
        }
    }

    private ILoggingEvent droppedNotice(long dropped) {
        LoggerContext loggers = (LoggerContext) getContext();
        LoggingEvent notice = new LoggingEvent(
                BatchingLineAppender.class.getName(),
                loggers.getLogger(BatchingLineAppender.class),
                Level.WARN,
                "dropped " + dropped + " log lines: the queue of appender " + getName() + " was full (queueSize="
                        + queueSize + ")",
                null,
                null);
        notice.prepareForDeferredProcessing();
        return notice;
    }

    private String describe() {
        return "BatchingLineAppender[" + getName() + "]";
    }

    public Encoder<ILoggingEvent> getEncoder() {
        return encoder;
    }

    /** The operator's encoder (pattern); used by the writer thread only. */
    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    public String getTarget() {
        return target;
    }

    /** {@code System.err} or {@code System.out}; excludes {@code file}. */
    public void setTarget(String target) {
        this.target = target;
    }

    public String getFile() {
        return file;
    }

    /** A file path, opened in append mode, parent directories created; excludes {@code target}. */
    public void setFile(String file) {
        this.file = file;
    }

    public int getQueueSize() {
        return queueSize;
    }

    /** Events waiting at most; when full the event is dropped and counted. Default 65536. */
    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public Duration getMaxDelay() {
        return maxDelay;
    }

    /** How long the writer lets a batch accumulate after its first event. Default 200 milliseconds. */
    public void setMaxDelay(Duration maxDelay) {
        this.maxDelay = maxDelay;
    }

    public Duration getMaxFlushTime() {
        return maxFlushTime;
    }

    /** How long {@link #stop()} waits for the queued lines to be written. Default 1 second. */
    public void setMaxFlushTime(Duration maxFlushTime) {
        this.maxFlushTime = maxFlushTime;
    }
}
