package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.plugin.Body;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The node-local stream state: event ids, the bounded replay log, resumption, eviction. */
class LiveSessionsTest {

    private final LiveSessions live =
            new LiveSessions(new JsonRpcCodec(JsonMapper.builder().build()), 2);

    /** Collects what a connection delivers, asking for everything. */
    private static final class Reader implements Flow.Subscriber<Body> {
        final List<String> events = new ArrayList<>();
        boolean complete;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Body item) {
            events.add(item.asString(StandardCharsets.UTF_8));
        }

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {
            complete = true;
        }
    }

    private static Reader read(SsePublisher connection) {
        Reader reader = new Reader();
        connection.subscribe(reader);
        return reader;
    }

    private static JsonRpcMessage note(int n) {
        return new JsonRpcMessage.Notification(
                "notifications/message",
                Optional.of(JsonMapper.builder().build().createObjectNode().put("n", n)));
    }

    @Test
    void shouldNumberEventsPerStreamAfterAPrimingEvent() {
        SsePublisher connection = new SsePublisher(16, () -> {});
        Reader reader = read(connection);
        LiveSessions.Live.EventStream stream = live.live("s1").open(connection, true);

        stream.emit(note(1));
        stream.emit(note(2));
        stream.finish();

        assertThat(reader.events).hasSize(3);
        assertThat(reader.events.get(0)).isEqualTo("id: 1-0\ndata:\n\n");
        assertThat(reader.events.get(1)).startsWith("id: 1-1\ndata: {").contains("\"n\":1");
        assertThat(reader.events.get(2)).startsWith("id: 1-2\n");
        assertThat(reader.complete).isTrue();
    }

    @Test
    void shouldReplayOnlyWhatFollowsTheLastEventIdAndWhatTheBoundKept() {
        LiveSessions.Live session = live.live("s1");
        session.replayEvents(3);
        LiveSessions.Live.EventStream stream = session.open(new SsePublisher(16, () -> {}), false);
        for (int i = 1; i <= 5; i++) {
            stream.emit(note(i));
        }
        stream.finish();

        SsePublisher again = new SsePublisher(16, () -> {});
        Reader reader = read(again);
        assertThat(session.resume("1-1", again)).isPresent();

        assertThat(reader.events).as("events 2 was dropped by the bound of 3").hasSize(3);
        assertThat(reader.events.get(0)).startsWith("id: 1-3\n");
        assertThat(reader.events.get(2)).startsWith("id: 1-5\n");
        assertThat(reader.complete).as("the stream had finished").isTrue();
    }

    @Test
    void shouldNotResumeIdsThisNodeDoesNotKnow() {
        LiveSessions.Live session = live.live("s1");
        session.open(new SsePublisher(16, () -> {}), false);

        assertThat(session.resume("9-1", new SsePublisher(16, () -> {}))).isEmpty();
        assertThat(session.resume("garbage", new SsePublisher(16, () -> {}))).isEmpty();
    }

    @Test
    void shouldEvictTheLeastRecentlyUsedSessionAndCloseItsStreams() {
        SsePublisher connection = new SsePublisher(16, () -> {});
        Reader reader = read(connection);
        live.live("old").openGet(connection, false);
        live.live("b");
        live.live("c");

        assertThat(live.find("old")).isEmpty();
        assertThat(live.size()).isEqualTo(2);
        assertThat(reader.complete).isTrue();
    }

    @Test
    void shouldCutOffAClientThatStopsReading() {
        SsePublisher connection = new SsePublisher(2, () -> {});
        LiveSessions.Live.EventStream stream = live.live("s1").open(connection, false);

        assertThat(stream.emit(note(1))).isTrue();
        stream.emit(note(2));
        stream.emit(note(3));

        assertThat(connection.isOpen()).isFalse();
        assertThat(stream.emit(note(4))).as("still logged for a resumption").isTrue();
    }
}
