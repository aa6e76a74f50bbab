package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Frames;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.runner.config.ConnectionLimits;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

/** Memory, connections and time one peer may cost the runner. */
class PeerLimitsTest extends RunnerFixture {

    /** A frame header announcing the largest payload A6 allows, 16 MiB - 1. */
    private static final byte[] HUGE_HEADER = {2, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    private static final long HUGE_FRAME = Frames.MAX_FRAME;

    @Test
    void shouldKeepSixtySlowSixteenMebibyteFramesWithinTheBufferBudgetAndServeEveryoneElse() {
        ConnectionLimits limits = ConnectionLimits.DEFAULT.withFrameTimeout(Duration.ofSeconds(2));
        RunnerServer server = start(
                RunnerConfig.builder(socket()).limits(limits).build(),
                RunnerOptions.defaults(),
                TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        A6TestClient pooled = connect();
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);

        List<A6TestClient> slow = new ArrayList<>();
        byte[] slice = new byte[256 * 1024];
        for (int i = 0; i < 60; i++) {
            A6TestClient client = connect();
            client.sendRaw(HUGE_HEADER);
            client.sendRawQuietly(slice);
            slow.add(client);
            assertThat(server.runnerMetrics().bufferedBytes()).isLessThanOrEqualTo(limits.maxBufferedBytes());
        }
        long admitted = limits.maxBufferedBytes() / HUGE_FRAME; // 3 with the 64 MiB default
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.runnerMetrics().refusedFrames() == 60 - admitted);
        assertThat(server.runnerMetrics().bufferedBytes())
                .isEqualTo(admitted * HUGE_FRAME)
                .isLessThanOrEqualTo(limits.maxBufferedBytes());
        // Refused connections are answered Err SERVICE_UNAVAILABLE and closed. A client still writing its body may
        // see the close (EPIPE) before it reads the answer, so only the closes are counted exactly.
        // Which three are admitted depends on which event loop reads first.
        await().atMost(Duration.ofSeconds(5))
                .until(() -> slow.stream().filter(A6TestClient::isOpen).count() == admitted);
        assertThat(slow.stream().map(c -> c.poll(Duration.ofMillis(10))))
                .contains(new DecodeResult.Decoded(new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE)));

        // Ordinary calls, on a new connection and on the pooled one, are served while the budget is full.
        assertThat(connect().call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);

        // The admitted slow frames run out of time; the idle pooled connection does not.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.runnerMetrics().frameTimeouts() == admitted);
        assertThat(slow).allMatch(c -> c.awaitClosed(Duration.ofSeconds(5)));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.runnerMetrics().bufferedBytes() == 0);
        assertThat(pooled.isOpen()).isTrue();
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
    }

    @Test
    void shouldCloseASlowSenderInsideAFrameButKeepAnIdlePooledConnection() {
        ConnectionLimits limits = ConnectionLimits.DEFAULT.withFrameTimeout(Duration.ofMillis(500));
        RunnerServer server = start(
                RunnerConfig.builder(socket()).limits(limits).build(),
                RunnerOptions.defaults(),
                TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        A6TestClient pooled = connect();
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);

        // One byte every 100 ms never looks idle, but the frame takes longer than the frame timeout.
        A6TestClient trickle = connect();
        trickle.sendRaw(new byte[] {2, 0, 0, 100});
        long started = System.nanoTime();
        while (trickle.isOpen()
                && System.nanoTime() - started < Duration.ofSeconds(5).toNanos()) {
            trickle.sendRawQuietly(new byte[] {1});
            sleep(100);
        }
        assertThat(trickle.isOpen()).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(server.runnerMetrics().frameTimeouts()).isEqualTo(1);

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(pooled::isOpen);
        assertThat(pooled.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        assertThat(server.runnerMetrics().bufferedBytes()).isZero();
    }

    @Test
    void shouldAdmitALargeFrameWhileTheGlobalBudgetAllows() {
        ConnectionLimits limits = ConnectionLimits.DEFAULT.withConnectionBufferBytes(4096);
        RunnerServer server = start(
                RunnerConfig.builder(socket()).limits(limits).build(),
                RunnerOptions.defaults(),
                TestPlugin.named("noop").build());
        // A PrepareConf far above the per-connection allowance still goes through the global budget.
        long token = prepare("noop", "x".repeat(100_000));
        assertThat(connect().call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        assertThat(server.runnerMetrics().refusedFrames()).isZero();
        assertThat(server.runnerMetrics().bufferedBytes()).isZero();
    }

    @Test
    void shouldCloseConnectionsBeyondTheLimitAndAcceptAgainWhenOneCloses() {
        ConnectionLimits limits = ConnectionLimits.DEFAULT.withMaxConnections(3);
        RunnerServer server = start(
                RunnerConfig.builder(socket()).limits(limits).build(),
                RunnerOptions.defaults(),
                TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.runnerMetrics().openConnections() == 0);
        List<A6TestClient> held = List.of(connect(), connect(), connect());
        for (A6TestClient client : held) {
            assertThat(client.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        }
        A6TestClient fourth = connect();
        assertThat(fourth.awaitClosed(Duration.ofSeconds(5))).isTrue();
        assertThat(server.runnerMetrics().refusedConnections()).isEqualTo(1);

        held.get(0).close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.runnerMetrics().openConnections() == 2);
        assertThat(connect().call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
