package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigAndRequestTest {

    private static final URI URI_ = URI.create("http://127.0.0.1:8080/x");

    @Test
    void shouldDefaultToTenSecondConnectAndFourSecondPoolIdle() {
        OutboundClientConfig config = OutboundClientConfig.DEFAULT;

        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.poolIdleTimeout()).isEqualTo(Duration.ofSeconds(4)).isLessThan(Duration.ofSeconds(5));
        assertThat(config.maxConnectionsPerOrigin()).isEqualTo(64);
        assertThat(config.maxResponseHeadBytes()).isEqualTo(65_536);
        assertThat(config.eventLoopThreads()).isEqualTo(1);
        assertThat(config.trustManager()).isEmpty();
    }

    @Test
    void shouldRejectOutOfRangeSettingsNamingTheFieldAndTheExpectation() {
        assertThatThrownBy(() -> OutboundClientConfig.builder().connectTimeout(Duration.ZERO))
                .hasMessage("connectTimeout: PT0S (expected: 1 ms to 24 days)");
        assertThatThrownBy(() -> OutboundClientConfig.builder().poolIdleTimeout(Duration.ofSeconds(-1)))
                .hasMessage("poolIdleTimeout: PT-1S (expected: >= 0)");
        assertThatThrownBy(() -> OutboundClientConfig.builder().maxConnectionsPerOrigin(0))
                .hasMessage("maxConnectionsPerOrigin: 0 (expected: 1 to 10000)");
        assertThatThrownBy(() -> OutboundClientConfig.builder().maxResponseHeadBytes(10))
                .hasMessage("maxResponseHeadBytes: 10 (expected: 1024 to 1048576)");
        assertThatThrownBy(() -> OutboundClientConfig.builder().eventLoopThreads(0))
                .hasMessage("eventLoopThreads: 0 (expected: 1 to 64)");
    }

    @Test
    void shouldDeriveIdempotencyFromTheMethodUnlessSet() {
        assertThat(OutboundRequest.builder("GET", URI_).build().idempotent()).isTrue();
        assertThat(OutboundRequest.builder("put", URI_).build().idempotent()).isTrue();
        assertThat(OutboundRequest.builder("DELETE", URI_).build().idempotent()).isTrue();
        assertThat(OutboundRequest.builder("POST", URI_).build().idempotent()).isFalse();
        assertThat(OutboundRequest.builder("PATCH", URI_).build().idempotent()).isFalse();
        assertThat(OutboundRequest.builder("POST", URI_)
                        .idempotent(true)
                        .build()
                        .idempotent())
                .isTrue();
    }

    @Test
    void shouldRejectHopByHopHeadersSoNoUpgradeIsEverSent() {
        assertThatThrownBy(() -> OutboundRequest.builder("POST", URI_).header("Upgrade", "h2c"))
                .hasMessage("headers: Upgrade (expected: no hop-by-hop header; the client manages connection and"
                        + " framing headers)");
        assertThatThrownBy(() -> OutboundRequest.builder("POST", URI_)
                        .headers(OutboundHeaders.of("connection", "Upgrade, HTTP2-Settings")))
                .hasMessageStartingWith("headers: connection ");
    }

    @Test
    void shouldRejectBadUrisAndMethods() {
        assertThatThrownBy(() -> OutboundRequest.builder("GET", URI.create("ftp://h/x")))
                .hasMessage("uri: scheme ftp (expected: http or https)");
        assertThatThrownBy(() -> OutboundRequest.builder("GET", URI.create("http://user:secret@h/x")))
                .hasMessage("uri: contains user info (expected: credentials in a header)");
        assertThatThrownBy(() -> OutboundRequest.builder("CONNECT", URI_)).hasMessageStartingWith("method: CONNECT");
        assertThatThrownBy(() -> OutboundRequest.builder("GET", URI_).responseHeadTimeout(Duration.ZERO))
                .hasMessage("responseHeadTimeout: PT0S (expected: > 0)");
    }

    @Test
    void shouldNeverShowHeaderValuesAndRejectLineBreaksInThem() {
        OutboundHeaders headers = OutboundHeaders.of("Authorization", "Bearer sk-secret", "X-A", "1", "x-a", "2");

        assertThat(headers.toString())
                .isEqualTo("OutboundHeaders[authorization, x-a]")
                .doesNotContain("sk-secret");
        assertThat(headers.allValues("X-a")).containsExactly("1", "2");
        assertThat(headers.firstValue("AUTHORIZATION")).contains("Bearer sk-secret");
        assertThatThrownBy(() -> OutboundHeaders.of("x-key", "sk-secret\r\nX-Injected: 1"))
                .hasMessage("value of x-key: contains CR, LF or NUL (expected: a single-line header value)")
                .message()
                .doesNotContain("sk-secret");
    }

    @Test
    void shouldCopyEverythingIntoANewBuilder() {
        OutboundRequest original = OutboundRequest.builder("POST", URI_)
                .header("x-a", "1")
                .body(new byte[] {1, 2})
                .responseHeadTimeout(Duration.ofSeconds(3))
                .idempotent(true)
                .build();

        OutboundRequest copy =
                original.toBuilder().readIdleTimeout(Duration.ofSeconds(7)).build();

        assertThat(copy.method()).isEqualTo("POST");
        assertThat(copy.uri()).isEqualTo(URI_);
        assertThat(copy.headers()).isEqualTo(original.headers());
        assertThat(copy.body()).isEqualTo(original.body());
        assertThat(copy.responseHeadTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(copy.readIdleTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(copy.idempotent()).isTrue();
    }

    @Test
    void shouldDescribeRequestWithoutItsQueryString() {
        OutboundRequest request = OutboundRequest.builder("GET", URI.create("https://api.example/v1/x?key=secret"))
                .build();

        assertThat(request).hasToString("GET https://api.example/v1/x");
    }

    @Test
    void shouldKeepPrebuiltHeadersWholeAndMergeHeadersAddedAfterThem() {
        OutboundHeaders prebuilt = OutboundHeaders.of("content-type", "application/json", "x-a", "1");

        OutboundRequest whole =
                OutboundRequest.builder("POST", URI_).headers(prebuilt).build();
        OutboundRequest merged = OutboundRequest.builder("POST", URI_)
                .headers(prebuilt)
                .header("x-a", "2")
                .headers(OutboundHeaders.of("x-b", "3"))
                .build();
        OutboundRequest before = OutboundRequest.builder("POST", URI_)
                .header("x-z", "0")
                .headers(prebuilt)
                .build();

        assertThat(whole.headers()).isSameAs(prebuilt);
        assertThat(merged.headers().allValues("x-a")).containsExactly("1", "2");
        assertThat(merged.headers().names()).containsExactly("content-type", "x-a", "x-b");
        assertThat(before.headers().names()).containsExactly("x-z", "content-type", "x-a");
        assertThatThrownBy(() -> OutboundRequest.builder("POST", URI_).headers(OutboundHeaders.of("upgrade", "h2c")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("upgrade");
    }

    @Test
    void shouldTakeAByteBufferBodyWithoutCopyingItsRemainingBytes() {
        byte[] bytes = {9, 1, 2, 3};
        java.nio.ByteBuffer given = java.nio.ByteBuffer.wrap(bytes);
        given.position(1);

        OutboundRequest request =
                OutboundRequest.builder("POST", URI_).body(given).build();

        assertThat(request.body().remaining()).isEqualTo(3);
        assertThat(request.body().get(0)).isEqualTo((byte) 1);
        assertThat(request.body().isReadOnly()).isTrue();
        assertThat(given.position()).isEqualTo(1);
        bytes[1] = 7; // handed over, not copied: the caller's promise not to change it is what saves the copy
        assertThat(request.body().get(0)).isEqualTo((byte) 7);
    }
}
