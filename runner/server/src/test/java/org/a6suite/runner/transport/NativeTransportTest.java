package org.a6suite.runner.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandle;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.PluginEnvironment;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.IoTransport;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.testing.RawHttpClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.junit.jupiter.api.Test;

class NativeTransportTest extends RunnerFixture {

    private static final Optional<Throwable> AVAILABLE = Optional.empty();
    private static final Optional<Throwable> REFUSED =
            Optional.of(new UnsupportedOperationException("io_uring disabled by sysctl"));

    private final List<String> warnings = new ArrayList<>();

    @Test
    void shouldUseEpollWithoutAWarningWhenEpollIsAskedEvenWhereIoUringIsAvailable() {
        NativeTransport transport = NativeTransport.select(IoTransport.EPOLL, AVAILABLE, warnings::add);

        assertThat(transport.kind()).isEqualTo(IoTransport.EPOLL);
        assertThat(transport.reason()).isEqualTo("A6_TRANSPORT=epoll");
        assertThat(warnings).isEmpty();
    }

    @Test
    void shouldUseIoUringWhenAutoAndTheKernelAllowsIt() {
        NativeTransport transport = NativeTransport.select(IoTransport.AUTO, AVAILABLE, warnings::add);

        assertThat(transport.kind()).isEqualTo(IoTransport.IO_URING);
        assertThat(transport.reason()).isEqualTo("A6_TRANSPORT=auto, the kernel allows io_uring");
        assertThat(warnings).isEmpty();
    }

    @Test
    void shouldFallBackToEpollWithoutAWarningWhenAutoAndIoUringIsRefused() {
        NativeTransport transport = NativeTransport.select(IoTransport.AUTO, REFUSED, warnings::add);

        assertThat(transport.kind()).isEqualTo(IoTransport.EPOLL);
        assertThat(transport.reason())
                .startsWith("A6_TRANSPORT=auto, io_uring is unavailable here (")
                .contains("io_uring disabled by sysctl");
        assertThat(warnings).isEmpty();
    }

    @Test
    void shouldUseIoUringWhenAskedByNameAndAvailable() {
        NativeTransport transport = NativeTransport.select(IoTransport.IO_URING, AVAILABLE, warnings::add);

        assertThat(transport.kind()).isEqualTo(IoTransport.IO_URING);
        assertThat(transport.reason()).isEqualTo("A6_TRANSPORT=io_uring, the kernel allows io_uring");
        assertThat(warnings).isEmpty();
    }

    @Test
    void shouldFallBackToEpollWithOneWarningWhenIoUringIsAskedByNameButUnavailable() {
        NativeTransport transport = NativeTransport.select(IoTransport.IO_URING, REFUSED, warnings::add);

        assertThat(transport.kind()).isEqualTo(IoTransport.EPOLL);
        assertThat(warnings)
                .singleElement()
                .asString()
                .startsWith("A6_TRANSPORT=io_uring: io_uring is unavailable here (")
                .contains("io_uring disabled by sysctl")
                .endsWith("), using epoll");
    }

    @Test
    void shouldServeTheSocketTheLaneAndMetricsOnIoUringLoopsWhenAskedAndAvailable() throws Exception {
        assumeThat(IoUring.isAvailable()).as("io_uring on this kernel").isTrue();
        LoopsProbe probe = new LoopsProbe();
        RunnerServer server = start(
                RunnerConfig.builder(socket())
                        .transport(IoTransport.IO_URING)
                        .laneAddress(new InetSocketAddress("127.0.0.1", 0))
                        .metricsAddress(new InetSocketAddress("127.0.0.1", 0))
                        .build(),
                RunnerOptions.defaults(),
                probe);

        long token = prepare("probe", "");
        assertThat(connect().call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        IoEventLoopGroup loops = probe.loops.get();
        assertThat(loops.isCompatible(IoUringIoHandle.class)).isTrue();
        assertThat(loops.isCompatible(EpollIoHandle.class)).isFalse();
        try (RawHttpClient metrics =
                RawHttpClient.connect(server.metricsAddress().orElseThrow())) {
            metrics.get("/metrics");
            RawHttpClient.Head head = metrics.readHead();
            assertThat(head.status()).isEqualTo(200);
            assertThat(metrics.readBody(head)).contains("a6_runner_calls_total");
        }
        try (RawHttpClient lane = RawHttpClient.connect(server.laneAddress().orElseThrow())) {
            lane.get("/anything"); // no handoff: the lane answers a problem, which proves it reads and writes
            assertThat(lane.readHead().status()).isBetween(400, 499);
        }
    }

    /** Records the event-loop group the runner hands its plugins. */
    private static final class LoopsProbe implements Plugin<String> {
        final AtomicReference<IoEventLoopGroup> loops = new AtomicReference<>();

        @Override
        public String name() {
            return "probe";
        }

        @Override
        public String parseConfig(String value) {
            return value;
        }

        @Override
        public void start(PluginEnvironment environment) {
            loops.set(environment
                    .ioLoops()
                    .flatMap(l -> l.unwrap(IoEventLoopGroup.class))
                    .orElseThrow());
        }
    }
}
