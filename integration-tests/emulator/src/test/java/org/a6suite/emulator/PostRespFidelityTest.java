package org.a6suite.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.emulator.fixture.FakeRunner;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ext-plugin-post-resp} exactly as APISIX 3.18.0 runs it ({@code apisix/plugins/ext-plugin-post-resp.lua}):
 * lua-resty-http with no timeout set (the cosocket defaults, 60 s), the route's {@code timeout} ignored, a new
 * connection per request closed afterwards, no retry on another node, any failure a 502. Contrasted with the same
 * upstream proxied by nginx, so a test cannot pass on the emulator and fail on APISIX.
 */
class PostRespFidelityTest {

    @TempDir
    Path dir;

    private FakeRunner runner;
    private ApisixEmulator emulator;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void tearDown() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (runner != null) {
            runner.close();
        }
    }

    /** A runner that prepares every route and lets every post-resp response pass unchanged. */
    private static byte[] passingRunner(int conn, A6Message m) {
        return switch (m) {
            case PrepareConfRequest p -> FakeRunner.frame(new PrepareConfResponse(7));
            case HttpRespCallRequest r ->
                FakeRunner.frame(new HttpRespCallResponse(r.id(), 0, List.of(), java.util.Optional.empty()));
            default -> null;
        };
    }

    private void start(List<CountingBackend> nodes, double readTimeoutSeconds, boolean postResp) throws Exception {
        runner = new FakeRunner(dir.resolve("runner.sock"), PostRespFidelityTest::passingRunner);
        EmulatorUpstream upstream = new EmulatorUpstream(
                nodes.stream()
                        .map(b -> new EmulatorUpstream.Node("127.0.0.1", b.port(), 1))
                        .toList(),
                new EmulatorUpstream.Timeout(
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(Math.round(readTimeoutSeconds * 1000))),
                OptionalInt.empty(),
                Duration.ZERO);
        EmulatorRoute.Builder route = EmulatorRoute.builder("1").uri("/r/*").upstream(upstream);
        if (postResp) {
            route.postResp(ExtPluginConf.of(ExtPluginConf.Entry.of("Pass", "")));
        }
        emulator = ApisixEmulator.builder()
                .runnerSocket(dir.resolve("runner.sock"))
                .route(route.build())
                .build()
                .start();
    }

    private HttpResponse<String> get() throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(emulator.baseUri() + "/r/x"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldOpenANewConnectionForEveryPostRespRequest() throws Exception {
        try (CountingBackend backend = CountingBackend.start(CountingBackend.Mode.OK)) {
            start(List.of(backend), 5, true);
            for (int i = 0; i < 3; i++) {
                assertThat(get().statusCode()).isEqualTo(200);
            }
            assertThat(backend.requests()).isEqualTo(3);
            assertThat(backend.connections()).isEqualTo(3);
        }
    }

    @Test
    void shouldKeepConnectionsAliveWhenNginxProxies() throws Exception {
        try (CountingBackend backend = CountingBackend.start(CountingBackend.Mode.OK)) {
            start(List.of(backend), 5, false);
            for (int i = 0; i < 3; i++) {
                assertThat(get().statusCode()).isEqualTo(200);
            }
            assertThat(backend.connections()).isEqualTo(1);
        }
    }

    @Test
    void shouldIgnoreTheRouteReadTimeoutAndWaitForASlowUpstream() throws Exception {
        try (CountingBackend backend = CountingBackend.start(CountingBackend.Mode.SLOW)) {
            start(List.of(backend), 0.2, true);
            long t0 = System.nanoTime();
            HttpResponse<String> r = get();
            // nginx would answer 504 after 0.2 s; post-resp's lua socket waits up to its 60 s default
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(CountingBackend.SLOW);
        }
    }

    @Test
    void shouldNotRetryOnAnotherNodeAndAnswer502() throws Exception {
        try (CountingBackend first = CountingBackend.start(CountingBackend.Mode.RESET);
                CountingBackend second = CountingBackend.start(CountingBackend.Mode.RESET)) {
            start(List.of(first, second), 5, true);
            assertThat(get().statusCode()).isEqualTo(502);
            assertThat(first.requests() + second.requests()).isEqualTo(1);
        }
    }

    /** A loopback backend that counts connections and requests; answers, answers after 1 s, or resets. */
    private static final class CountingBackend implements AutoCloseable {
        enum Mode {
            OK,
            SLOW,
            RESET
        }

        static final Duration SLOW = Duration.ofSeconds(1);

        private final ServerSocket server;
        private final Mode mode;
        private final AtomicInteger connections = new AtomicInteger();
        private final AtomicInteger requests = new AtomicInteger();

        private CountingBackend(Mode mode) throws IOException {
            this.mode = mode;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        static CountingBackend start(Mode mode) throws IOException {
            return new CountingBackend(mode);
        }

        int port() {
            return server.getLocalPort();
        }

        int connections() {
            return connections.get();
        }

        int requests() {
            return requests.get();
        }

        private void serve(Socket s) {
            try (s) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String line = line(in);
                    if (line == null || line.isEmpty()) {
                        return;
                    }
                    int length = 0;
                    for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                        if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            length = Integer.parseInt(h.substring(15).trim());
                        }
                    }
                    in.readNBytes(length);
                    requests.incrementAndGet();
                    if (mode == Mode.RESET) {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    if (mode == Mode.SLOW) {
                        Thread.sleep(SLOW.toMillis());
                    }
                    out.write("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client closed the connection
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (int c = in.read(); c >= 0; c = in.read()) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.US_ASCII);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
            return b.size() == 0 ? null : b.toString(StandardCharsets.US_ASCII);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
