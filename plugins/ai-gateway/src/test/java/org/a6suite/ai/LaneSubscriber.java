package org.a6suite.ai;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.a6suite.plugin.Body;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads a streamed lane answer as the lane does: one chunk requested at a time, arrival times recorded. */
final class LaneSubscriber implements Flow.Subscriber<Body> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<String> bodies = new ArrayList<>();
    private final List<Long> arrivals = new ArrayList<>();
    private final boolean keepBodies;
    private volatile Flow.Subscription subscription;
    private volatile boolean complete;
    private volatile Throwable error;
    private volatile long count;
    private volatile boolean paused;

    LaneSubscriber() {
        this(true);
    }

    LaneSubscriber(boolean keepBodies) {
        this.keepBodies = keepBodies;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public synchronized void onNext(Body item) {
        count++;
        if (keepBodies) {
            bodies.add(item.asString(StandardCharsets.UTF_8));
            arrivals.add(System.nanoTime());
        }
        if (!paused) {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        error = throwable;
    }

    @Override
    public void onComplete() {
        complete = true;
    }

    void pause() {
        paused = true;
    }

    void cancel() {
        subscription.cancel();
    }

    boolean complete() {
        return complete;
    }

    Throwable error() {
        return error;
    }

    long count() {
        return count;
    }

    synchronized String text() {
        return String.join("", bodies);
    }

    synchronized List<Long> arrivals() {
        return List.copyOf(arrivals);
    }

    /** The SSE data payloads, in order. */
    synchronized List<String> events() {
        List<String> events = new ArrayList<>();
        for (String block : text().split("\n\n")) {
            if (block.startsWith("data: ")) {
                events.add(block.substring(6));
            }
        }
        return events;
    }

    /** The streamed content, reassembled from the chunks' deltas. */
    String content() {
        StringBuilder sb = new StringBuilder();
        for (String e : events()) {
            if (!e.equals("[DONE]")) {
                JsonNode chunk = JSON.readTree(e);
                sb.append(chunk.path("choices")
                        .path(0)
                        .path("delta")
                        .path("content")
                        .asString(""));
            }
        }
        return sb.toString();
    }

    /** The first event that parses as JSON with a field {@code name}. */
    JsonNode find(String name) {
        for (String e : events()) {
            if (!e.equals("[DONE]")) {
                JsonNode node = JSON.readTree(e);
                if (node.has(name)) {
                    return node;
                }
            }
        }
        return null;
    }
}
