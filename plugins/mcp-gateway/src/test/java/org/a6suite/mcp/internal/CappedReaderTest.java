package org.a6suite.mcp.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.a6suite.http.OutboundException;
import org.a6suite.http.OutboundHeaders;
import org.a6suite.http.OutboundResponse;
import org.junit.jupiter.api.Test;

/**
 * The body reader that copies each chunk once into a presized array: the same body, the same cap decisions and the
 * same chunks shown to a listener as the stream-and-copy reader it replaced, whatever the declared length says.
 */
class CappedReaderTest {

    @Test
    void shouldReadTheWholeBodyWhenTheDeclaredLengthIsExact() {
        Outbound.Reply reply = read("14", 1 << 20, CappedReader.NO_LISTENER, "{\"id\":", "\"o-42\"}");
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"o-42\"}");
        assertThat(reply.status()).isEqualTo(200);
    }

    @Test
    void shouldReadTheWholeBodyWithoutOrWithAWrongDeclaredLength() {
        String big = "x".repeat(20_000);
        for (String declared : new String[] {null, "3", "0", "not-a-number", "-4", "70000"}) {
            Outbound.Reply reply = read(declared, 1 << 20, CappedReader.NO_LISTENER, "ab", big, "cd");
            assertThat(new String(reply.body(), StandardCharsets.UTF_8))
                    .as("content-length %s", declared)
                    .isEqualTo("ab" + big + "cd");
        }
        assertThat(read(null, 100, CappedReader.NO_LISTENER).body()).isEmpty();
    }

    @Test
    void shouldRefuseABodyOverTheCapWhetherDeclaredOrCounted() {
        CompletableFuture<Outbound.Reply> declared = start("101", 100, CappedReader.NO_LISTENER, "x");
        assertThat(declared).isCompletedExceptionally();
        assertThat(declared.exceptionNow())
                .isInstanceOf(OutboundException.class)
                .hasMessage("response body of 101 bytes exceeds the limit of 100");

        CompletableFuture<Outbound.Reply> counted =
                start(null, 100, CappedReader.NO_LISTENER, "x".repeat(60), "y".repeat(41));
        assertThat(counted.exceptionNow())
                .isInstanceOf(OutboundException.class)
                .hasMessage("response body exceeds the limit of 100 bytes");

        Outbound.Reply exactlyCap = read(null, 100, CappedReader.NO_LISTENER, "x".repeat(60), "y".repeat(40));
        assertThat(exactlyCap.body()).hasSize(100);
    }

    @Test
    void shouldShowEachChunkToTheListenerUnchangedAfterLaterChunksArrive() {
        List<ByteBuffer> seen = new ArrayList<>();
        String second = "b".repeat(10_000);
        read(null, 1 << 20, seen::add, "event: a\n\n", second, "event: c\n\n");

        assertThat(seen).hasSize(3);
        assertThat(seen).allSatisfy(b -> assertThat(b.isReadOnly()).isTrue());
        assertThat(text(seen.get(0))).isEqualTo("event: a\n\n");
        assertThat(text(seen.get(1))).isEqualTo(second);
        assertThat(text(seen.get(2))).isEqualTo("event: c\n\n");
    }

    @Test
    void shouldFinishTheBodyWhenTheListenerThrows() {
        Outbound.Reply reply = read(
                "4",
                100,
                chunk -> {
                    throw new IllegalStateException("listener bug");
                },
                "ab",
                "cd");
        assertThat(new String(reply.body(), StandardCharsets.UTF_8)).isEqualTo("abcd");
    }

    private static String text(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Outbound.Reply read(
            String contentLength, int max, java.util.function.Consumer<ByteBuffer> listener, String... chunks) {
        return start(contentLength, max, listener, chunks).join();
    }

    /** Feeds the chunks one per request(1), as the client's publisher does, then completes. */
    private static CompletableFuture<Outbound.Reply> start(
            String contentLength, int max, java.util.function.Consumer<ByteBuffer> listener, String... chunks) {
        OutboundHeaders headers =
                contentLength == null ? OutboundHeaders.EMPTY : OutboundHeaders.of("content-length", contentLength);
        CompletableFuture<Outbound.Reply> reply = new CompletableFuture<>();
        FakeResponse response = new FakeResponse(headers);
        CappedReader reader = new CappedReader(response, max, listener, reply);
        FakeSubscription subscription = new FakeSubscription();
        reader.onSubscribe(subscription);
        for (String chunk : chunks) {
            if (subscription.cancelled || subscription.requested == 0) {
                break;
            }
            subscription.requested--;
            reader.onNext(ByteBuffer.wrap(chunk.getBytes(StandardCharsets.UTF_8)));
        }
        if (!subscription.cancelled) {
            reader.onComplete();
        }
        return reply;
    }

    private static final class FakeSubscription implements Flow.Subscription {
        long requested;
        boolean cancelled;

        @Override
        public void request(long n) {
            requested += n;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private record FakeResponse(OutboundHeaders headers) implements OutboundResponse {
        @Override
        public int status() {
            return 200;
        }

        @Override
        public Flow.Publisher<ByteBuffer> body() {
            throw new UnsupportedOperationException("fed directly");
        }

        @Override
        public CompletableFuture<byte[]> aggregate(int maxBytes) {
            throw new UnsupportedOperationException("fed directly");
        }

        @Override
        public void abort() {}
    }
}
