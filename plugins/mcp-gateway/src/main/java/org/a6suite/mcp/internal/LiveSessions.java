package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcId;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.Body;

/**
 * The only node-local state of client sessions, which are otherwise sealed and stateless: per session on this node,
 * its SSE streams and their event log (for {@code Last-Event-ID} resumption), its GET stream, the upstream GET
 * streams relayed onto it, the requests in flight (for cancellation) and the server-to-client requests waiting for
 * the client's answer.
 *
 * <p>Bounded everywhere: at most {@code maxSessions} sessions (least recently used evicted, its streams closed), per
 * session at most {@code replayEvents} logged events and {@link #MAX_LOG_BYTES} bytes of them (oldest dropped), at
 * most {@link #MAX_PENDING} waiting server-to-client requests. Another node knows none of it: a stream is resumed
 * only on the node that served it (see the docs).
 *
 * <pre>
 *   event id  "&lt;stream&gt;-&lt;seq&gt;"   stream: the session's SSE stream number on this node (POST answers and GET
 *                               streams alike); seq: 1, 2, ... within it; 0 is the priming event
 * </pre>
 */
public final class LiveSessions implements AutoCloseable {

    /** The most bytes of events one session keeps for replay. */
    static final int MAX_LOG_BYTES = 1 << 20;
    /** The most server-to-client requests one session may have waiting for the client. */
    static final int MAX_PENDING = 256;
    /** Events queued on one connection before a client that does not read is cut off. */
    static final int MAX_QUEUED = 1024;

    /** A relayed server-to-client request: where the client's answer goes. */
    public record Pending(McpGatewayConfig.Upstream upstream, UpstreamClient.Session session, JsonRpcId upstreamId) {}

    /** Events kept per session until its route's {@code stream.replay_events} is applied. */
    static final int DEFAULT_REPLAY_EVENTS = 256;

    private final JsonRpcCodec codec;
    private final AtomicLong pendingIds = new AtomicLong();
    private final Map<String, Live> sessions;

    public LiveSessions(JsonRpcCodec codec, int maxSessions) {
        this.codec = requireNonNull(codec, "codec");
        this.sessions = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Live> eldest) {
                if (size() > maxSessions) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };
    }

    /** The session's live state on this node, created on first use. */
    public synchronized Live live(String sessionId) {
        return sessions.computeIfAbsent(sessionId, Live::new);
    }

    public synchronized Optional<Live> find(String sessionId) {
        return Optional.ofNullable(sessions.get(sessionId));
    }

    /** The session ended (DELETE): its streams close, its calls in flight are cancelled. */
    public void end(String sessionId) {
        Live live;
        synchronized (this) {
            live = sessions.remove(sessionId);
        }
        if (live != null) {
            live.close();
        }
    }

    /** How many sessions this node holds live state for. */
    public synchronized int size() {
        return sessions.size();
    }

    @Override
    public void close() {
        List<Live> all;
        synchronized (this) {
            all = new ArrayList<>(sessions.values());
            sessions.clear();
        }
        all.forEach(Live::close);
    }

    private record Logged(int stream, long seq, Body bytes) {}

    /** One session's live state; every method is thread-safe. */
    public final class Live {
        private final String sessionId;
        private final ArrayDeque<Logged> log = new ArrayDeque<>();
        private long logBytes;
        private int replayEvents = DEFAULT_REPLAY_EVENTS;
        private final Map<Integer, EventStream> streams = new HashMap<>();
        private int nextStream = 1;
        private EventStream getStream;
        private final Map<String, CallControl> inFlight = new HashMap<>();
        private final Map<String, Pending> pending = new LinkedHashMap<>();
        private final List<UpstreamStreams.Stream> upstreamStreams = new ArrayList<>();
        private boolean listening;
        private boolean closed;

        private Live(String sessionId) {
            this.sessionId = sessionId;
        }

        public String sessionId() {
            return sessionId;
        }

        /** Applies the route's {@code stream.replay_events}. */
        public synchronized void replayEvents(int limit) {
            replayEvents = limit;
        }

        /** A new SSE stream of this session, with its first connection; primed when {@code prime}. */
        public synchronized EventStream open(SsePublisher connection, boolean prime) {
            EventStream stream = new EventStream(nextStream++);
            streams.put(stream.number, stream);
            stream.connection = connection;
            if (prime) {
                connection.push(Body.of("id: " + stream.number + "-0\ndata:\n\n"));
            }
            return stream;
        }

        /** Opens the session's GET stream; one at a time, so a new one ends the previous connection. */
        public synchronized EventStream openGet(SsePublisher connection, boolean prime) {
            if (getStream != null) {
                getStream.finish();
            }
            getStream = open(connection, prime);
            return getStream;
        }

        /**
         * Resumes the stream {@code lastEventId} names on {@code connection}: replays its logged events after that
         * id, then goes on with the stream (or ends when it already finished). Empty when this node does not know
         * the id (another node's, evicted, or malformed).
         */
        public synchronized Optional<EventStream> resume(String lastEventId, SsePublisher connection) {
            int dash = lastEventId.indexOf('-');
            int number;
            long seq;
            try {
                number = Integer.parseInt(lastEventId.substring(0, Math.max(dash, 0)));
                seq = Long.parseLong(lastEventId.substring(dash + 1));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            EventStream stream = streams.get(number);
            if (stream == null) {
                return Optional.empty();
            }
            if (stream.connection != null && stream.connection != connection) {
                stream.connection.complete();
            }
            for (Logged event : log) {
                if (event.stream == number && event.seq > seq) {
                    connection.push(event.bytes);
                }
            }
            if (stream.finished) {
                connection.complete();
                stream.connection = null;
            } else {
                stream.connection = connection;
            }
            return Optional.of(stream);
        }

        /** Sends to the session's GET stream; false when none is open on this node. */
        public boolean toGetStream(JsonRpcMessage message) {
            EventStream stream;
            synchronized (this) {
                stream = getStream;
            }
            return stream != null && stream.emit(message);
        }

        /** True for the first caller only: that caller opens the upstream GET streams of this session. */
        public synchronized boolean startListening() {
            if (listening || closed) {
                return false;
            }
            listening = true;
            return true;
        }

        /** Keeps an upstream GET stream to close with the session. */
        public void addUpstreamStream(UpstreamStreams.Stream stream) {
            boolean close;
            synchronized (this) {
                close = closed;
                if (!close) {
                    upstreamStreams.add(stream);
                }
            }
            if (close) {
                stream.close();
            }
        }

        /** An upstream GET stream ended: the next client GET stream opens them again. */
        public synchronized void upstreamStreamEnded(UpstreamStreams.Stream stream) {
            upstreamStreams.remove(stream);
            if (upstreamStreams.isEmpty()) {
                listening = false;
            }
        }

        /** Tracks a request in flight under its JSON-RPC id; the returned action stops tracking. */
        public Runnable track(JsonRpcId id, CallControl control) {
            String key = key(id.node());
            synchronized (this) {
                inFlight.put(key, control);
            }
            return () -> {
                synchronized (this) {
                    inFlight.remove(key, control);
                }
            };
        }

        /**
         * The in-flight key of a JSON-RPC id: a string and a number of the same text stay apart. Not the node's JSON
         * text: serialising it through Jackson on every request cost more than the rest of the tracking.
         */
        private static String key(tools.jackson.databind.JsonNode id) {
            return id.isString() ? "s" + id.stringValue() : "n" + id.asString();
        }

        /** Cancels the request in flight with {@code requestId}; false when none is (it finished, or elsewhere). */
        public boolean cancel(tools.jackson.databind.JsonNode requestId) {
            CallControl control;
            synchronized (this) {
                control = inFlight.remove(key(requestId));
            }
            if (control == null) {
                return false;
            }
            control.cancel();
            return true;
        }

        /** Remembers a relayed server-to-client request; returns the id the client sees. */
        public synchronized JsonRpcId addPending(Pending request) {
            if (pending.size() >= MAX_PENDING) {
                pending.remove(pending.keySet().iterator().next());
            }
            String id = "a6-" + pendingIds.incrementAndGet();
            pending.put(id, request);
            return JsonRpcId.of(id);
        }

        /** The relayed request the client's answer {@code id} belongs to, removed. */
        public synchronized Optional<Pending> takePending(JsonRpcId id) {
            return id.node().isString()
                    ? Optional.ofNullable(pending.remove(id.node().stringValue()))
                    : Optional.empty();
        }

        private synchronized void append(Logged event) {
            log.addLast(event);
            logBytes += event.bytes.size();
            while (log.size() > replayEvents || logBytes > MAX_LOG_BYTES) {
                logBytes -= log.removeFirst().bytes.size();
            }
        }

        void close() {
            List<Runnable> undo = new ArrayList<>();
            synchronized (this) {
                closed = true;
                streams.values().forEach(s -> undo.add(s::finish));
                inFlight.values().forEach(c -> undo.add(c::cancel));
                upstreamStreams.forEach(s -> undo.add(s::close));
                inFlight.clear();
                upstreamStreams.clear();
                pending.clear();
                getStream = null;
            }
            undo.forEach(Runnable::run);
        }

        /** One SSE stream of the session: a POST's answer or a GET stream, outliving any one connection. */
        public final class EventStream {
            private final int number;
            private long seq;
            private SsePublisher connection;
            private boolean finished;

            private EventStream(int number) {
                this.number = number;
            }

            /** Logs {@code message} as the stream's next event and sends it on the current connection, if any. */
            public boolean emit(JsonRpcMessage message) {
                synchronized (Live.this) {
                    if (finished) {
                        return false;
                    }
                    long id = ++seq;
                    Body event = Body.of("id: " + number + "-" + id + "\ndata: "
                            + new String(codec.encode(message), StandardCharsets.UTF_8) + "\n\n");
                    append(new Logged(number, id, event));
                    if (connection != null && !connection.push(event)) {
                        connection = null;
                    }
                    return true;
                }
            }

            /** Ends the stream: its connection completes after what is queued; it can still be replayed. */
            public void finish() {
                synchronized (Live.this) {
                    finished = true;
                    if (connection != null) {
                        connection.complete();
                        connection = null;
                    }
                }
            }

            /** The connection went away: events are still logged for a resumption. */
            public void detach(SsePublisher gone) {
                synchronized (Live.this) {
                    if (connection == gone) {
                        connection = null;
                    }
                }
            }
        }
    }
}
