package org.a6suite.http;

import static org.a6suite.http.OutboundClientTest.failure;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.a6suite.http.OutboundException.Kind;
import org.a6suite.http.support.LoopbackHttpServer;
import org.a6suite.http.support.TestCertificates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {

    @TempDir
    static Path dir;

    private static TestCertificates certificates;
    private static LoopbackHttpServer server;

    /** The client under test; {@code IoUringLoopsTest} runs these tests again on io_uring event loops. */
    OutboundClient newClient(OutboundClientConfig config) {
        return OutboundClient.of(config);
    }

    @BeforeAll
    static void startServer() throws Exception {
        certificates = TestCertificates.generate(dir, "dns:localhost,ip:127.0.0.1");
        server = LoopbackHttpServer.start(
                certificates.serverContext().getServerSocketFactory(),
                Duration.ofSeconds(5),
                (req, conn) -> conn.respond(200, "secure " + req.headers().get("host")));
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void shouldCallHttpsOriginTrustedByTheSuppliedTrustManagerAndReuseTheConnection() throws Exception {
        try (OutboundClient client = newClient(OutboundClientConfig.builder()
                .trustManager(certificates.trustManager())
                .build())) {
            for (int i = 0; i < 3; i++) {
                OutboundResponse response = client.send(
                                OutboundRequest.builder("POST", server.httpsUri("localhost", "/v1"))
                                        .body("{}".getBytes(StandardCharsets.UTF_8))
                                        .build())
                        .get(10, TimeUnit.SECONDS);
                assertThat(response.aggregate(100).get(5, TimeUnit.SECONDS))
                        .asString()
                        .isEqualTo("secure localhost:" + server.port());
            }
            assertThat(client.metrics().connectionsOpened()).isEqualTo(1);
            assertThat(client.metrics().connectionsReused()).isEqualTo(2);
        }
    }

    @Test
    void shouldRejectSelfSignedCertificateWithTheDefaultTrustStore() {
        try (OutboundClient client = newClient(OutboundClientConfig.DEFAULT)) {
            OutboundException error = failure(client.send(OutboundRequest.get(server.httpsUri("localhost", "/"))));

            assertThat(error.kind()).isEqualTo(Kind.TLS_FAILED);
            assertThat(error).hasMessageStartingWith("TLS handshake with localhost:" + server.port() + " failed: ");
        }
    }

    @Test
    void shouldVerifyTheHostName() throws Exception {
        TestCertificates otherName = TestCertificates.generate(dir, "dns:provider.example");
        try (LoopbackHttpServer wrongName = LoopbackHttpServer.start(
                        otherName.serverContext().getServerSocketFactory(),
                        Duration.ofSeconds(5),
                        (req, conn) -> conn.respond(200, "should not get here"));
                OutboundClient client = newClient(OutboundClientConfig.builder()
                        .trustManager(otherName.trustManager())
                        .build())) {

            OutboundException error = failure(client.send(OutboundRequest.get(wrongName.httpsUri("localhost", "/"))));

            assertThat(error.kind()).isEqualTo(Kind.TLS_FAILED);
            assertThat(error.getMessage()).contains("localhost");
            assertThat(wrongName.requests()).isEmpty();
        }
    }
}
