package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.http.OutboundClient;
import org.a6suite.mcp.McpGatewayConfig;
import org.a6suite.mcp.jsonrpc.JsonRpcCodec;
import org.a6suite.mcp.jsonrpc.JsonRpcMessage;
import org.a6suite.mcp.support.DroppingStreamUpstream;
import org.a6suite.mcp.support.DroppingStreamUpstream.Connection;
import org.a6suite.resilience.Scheduler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Upstream GET streams that drop are resumed with {@code Last-Event-ID}, after the upstream's {@code retry}. */
class UpstreamStreamsResumptionTest {

    static final JsonMapper MAPPER = JsonMapper.builder().build();

    final List<Duration> delays = new CopyOnWriteArrayList<>();
    final List<String> received = new CopyOnWriteArrayList<>();
    final AtomicInteger ends = new AtomicInteger();
    DroppingStreamUpstream upstream;
    UpstreamStreams streams;

    @BeforeEach
    void setUp() {
        // A real timer that also records each delay asked for.
        Scheduler recording = (task, delay) -> {
            delays.add(delay);
            return Scheduler.shared().schedule(task, delay);
        };
        Outbound outbound = new Outbound(OutboundClient.ofDefaults(), recording, System::nanoTime, o -> {});
        streams = new UpstreamStreams(
                outbound, new UpstreamClient(outbound, new JsonRpcCodec(MAPPER), MAPPER), recording);
    }

    @AfterEach
    void tearDown() {
        if (upstream != null) {
            upstream.close();
        }
    }

    static String log(String id, String text) {
        return "id: " + id + "\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
                + "\"params\":{\"level\":\"info\",\"data\":\"" + text + "\"}}\n\n";
    }

    Optional<UpstreamStreams.Stream> listen() {
        McpGatewayConfig.Upstream config = new McpGatewayConfig.Upstream(
                "up", upstream.endpoint(), "", "", Duration.ofSeconds(5), Map.of(), Duration.ZERO);
        UpstreamClient.Listener listener = new UpstreamClient.Listener() {
            @Override
            public void message(JsonRpcMessage message) {
                if (message instanceof JsonRpcMessage.Notification n) {
                    received.add(n.params().orElseThrow().path("data").asString());
                }
            }
        };
        return streams.listen(
                        config,
                        new UpstreamClient.Session(Optional.of("s-1"), "2025-11-25", Optional.empty()),
                        65536,
                        listener,
                        ends::incrementAndGet)
                .toCompletableFuture()
                .join();
    }

    @Test
    void shouldResumeADroppedStreamWithLastEventIdAfterTheUpstreamsRetry() {
        upstream = DroppingStreamUpstream.start(n -> n == 0
                ? Connection.drops("retry: 40\n\n" + log("e-1", "one") + log("e-2", "two"))
                : Connection.stays(log("e-3", "three")));

        Optional<UpstreamStreams.Stream> stream = listen();

        assertThat(stream).isPresent();
        await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
        assertThat(received).containsExactly("one", "two", "three");
        assertThat(upstream.lastEventIds()).containsExactly(Optional.empty(), Optional.of("e-2"));
        assertThat(delays).containsExactly(Duration.ofMillis(40));
        assertThat(ends).hasValue(0);

        stream.get().close();
        assertThat(ends).hasValue(1);
    }

    @Test
    void shouldGiveUpAfterBoundedReconnectionsThatBringNothingWithBackoff() {
        upstream = DroppingStreamUpstream.start(n -> Connection.drops("id: p-" + n + "\nretry: 10\ndata:\n\n"));

        assertThat(listen()).isPresent();

        await().atMost(Duration.ofSeconds(10)).until(() -> ends.get() == 1);
        assertThat(upstream.lastEventIds()).hasSize(1 + UpstreamStreams.MAX_RESUMES);
        assertThat(upstream.lastEventIds().get(3)).contains("p-2");
        assertThat(delays)
                .containsExactly(
                        Duration.ofMillis(10),
                        Duration.ofMillis(20),
                        Duration.ofMillis(40),
                        Duration.ofMillis(80),
                        Duration.ofMillis(160));
    }

    @Test
    void shouldEndWhenTheUpstreamRefusesTheResumption() {
        upstream = DroppingStreamUpstream.start(
                n -> n == 0 ? Connection.drops("retry: 10\n\n" + log("e-1", "one")) : Connection.refuses(404));

        assertThat(listen()).isPresent();

        await().atMost(Duration.ofSeconds(10)).until(() -> ends.get() == 1);
        assertThat(received).containsExactly("one");
        assertThat(upstream.lastEventIds()).containsExactly(Optional.empty(), Optional.of("e-1"));
    }

    @Test
    void shouldNotOpenAStreamTheUpstreamDoesNotOffer() {
        upstream = DroppingStreamUpstream.start(n -> Connection.refuses(405));

        assertThat(listen()).isEmpty();
        assertThat(ends).hasValue(0);
    }

    @Test
    void shouldDoubleTheDelayPerReconnectionUpToTheCeiling() {
        assertThat(UpstreamStreams.delay(Duration.ofSeconds(1), 1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(UpstreamStreams.delay(Duration.ofSeconds(1), 3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(UpstreamStreams.delay(Duration.ofSeconds(20), 2)).isEqualTo(UpstreamStreams.MAX_BACKOFF);
    }
}
