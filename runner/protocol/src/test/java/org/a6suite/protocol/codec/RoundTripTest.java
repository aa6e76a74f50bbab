package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message type survives encode then decode, through the pure codec and through a Netty pipeline. */
@ExtendWith(LeakCheckExtension.class)
class RoundTripTest {
    private static final long MAX_U32 = 0xFFFF_FFFFL;
    private static final String UNICODE = "ü € 日本語 😀 \u0000 end";
    private static final byte[] MIB = mib();

    static Stream<Arguments> messages() {
        List<TextEntry> entries = List.of(
                TextEntry.of("x-one", "1"),
                TextEntry.absent("flag"),
                TextEntry.of("empty", ""),
                TextEntry.of(UNICODE, UNICODE),
                TextEntry.of("x-dup", "a"),
                TextEntry.of("x-dup", "b"));
        return Stream.of(
                // APISIX -> runner
                of(Side.RUNNER, new PrepareConfRequest(entries, Optional.of("route#1#ext-plugin-pre-req#7"))),
                of(Side.RUNNER, new PrepareConfRequest(List.of(), Optional.empty())),
                of(
                        Side.RUNNER,
                        new HttpReqCallRequest(
                                MAX_U32,
                                new byte[] {127, 0, 0, 1},
                                Method.TRACE,
                                "/a b/" + UNICODE,
                                entries,
                                entries,
                                MAX_U32)),
                of(Side.RUNNER, new HttpReqCallRequest(0, new byte[16], Method.GET, "", List.of(), List.of(), 0)),
                of(
                        Side.RUNNER,
                        new HttpReqCallRequest(4194304, new byte[0], Method.PATCH, "/", List.of(), List.of(), 1)),
                of(Side.RUNNER, new HttpRespCallRequest(MAX_U32, 65535, entries, MAX_U32)),
                of(Side.RUNNER, new HttpRespCallRequest(0, 0, List.of(), 0)),
                of(
                        Side.RUNNER,
                        new ExtraInfoResponse(Optional.of(UNICODE.getBytes(java.nio.charset.StandardCharsets.UTF_8)))),
                of(Side.RUNNER, new ExtraInfoResponse(Optional.of(new byte[0]))),
                of(Side.RUNNER, new ExtraInfoResponse(Optional.empty())),
                of(Side.RUNNER, new ExtraInfoResponse(Optional.of(MIB))),
                // runner -> APISIX
                of(Side.APISIX, new PrepareConfResponse(MAX_U32)),
                of(Side.APISIX, new PrepareConfResponse(0)),
                of(Side.APISIX, new HttpReqCallResponse(MAX_U32, HttpReqCallResponse.None.INSTANCE)),
                of(Side.APISIX, new HttpReqCallResponse(0, HttpReqCallResponse.None.INSTANCE)),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(1, new HttpReqCallResponse.Stop(418, entries, Optional.of(MIB)))),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(1, new HttpReqCallResponse.Stop(0, List.of(), Optional.empty()))),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(
                                1, new HttpReqCallResponse.Stop(65535, List.of(), Optional.of(new byte[0])))),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(
                                2,
                                new HttpReqCallResponse.Rewrite(
                                        Optional.of("/" + UNICODE), entries, entries, entries, Optional.of(MIB)))),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(
                                2,
                                new HttpReqCallResponse.Rewrite(
                                        Optional.empty(), List.of(), List.of(), List.of(), Optional.empty()))),
                of(
                        Side.APISIX,
                        new HttpReqCallResponse(
                                2,
                                new HttpReqCallResponse.Rewrite(
                                        Optional.of(""),
                                        List.of(),
                                        List.of(),
                                        List.of(TextEntry.of("x-resp", "1")),
                                        Optional.of(new byte[0])))),
                of(Side.APISIX, new HttpRespCallResponse(MAX_U32, 299, entries, Optional.of(MIB))),
                of(Side.APISIX, new HttpRespCallResponse(0, 0, List.of(), Optional.empty())),
                of(Side.APISIX, new ExtraInfoRequest(new ExtraInfoRequest.Var(UNICODE))),
                of(Side.APISIX, new ExtraInfoRequest(new ExtraInfoRequest.Var(""))),
                of(Side.APISIX, new ExtraInfoRequest(ExtraInfoRequest.ReqBody.INSTANCE)),
                of(Side.APISIX, new ExtraInfoRequest(ExtraInfoRequest.RespBody.INSTANCE)),
                of(Side.APISIX, new ErrorResponse(ErrorResponse.Code.BAD_REQUEST)),
                of(Side.APISIX, new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE)),
                of(Side.APISIX, new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND)));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void shouldDecodeWhatItEncodes(Side side, A6Message message) {
        byte[] payload = A6MessageCodec.encode(message);
        assertThat(payload).isNotEmpty();
        DecodeResult result = A6MessageCodec.decode(message.frameType().code(), ByteBuffer.wrap(payload), side);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        Messages.assertSameMessage(((DecodeResult.Decoded) result).message(), message);
    }

    @ParameterizedTest
    @MethodSource("messages")
    void shouldCarryEveryMessageThroughAPipelineFromEncoderToDecoder(Side side, A6Message message) {
        EmbeddedChannel sender = new EmbeddedChannel();
        A6Codecs.install(sender.pipeline(), side == Side.RUNNER ? Side.APISIX : Side.RUNNER);
        EmbeddedChannel receiver = new EmbeddedChannel();
        A6Codecs.install(receiver.pipeline(), side);

        assertThat(sender.writeOutbound(message)).isTrue();
        ByteBuf frame = sender.readOutbound();
        assertThat(frame.getUnsignedByte(frame.readerIndex()))
                .isEqualTo((short) message.frameType().code());
        assertThat(frame.getUnsignedMedium(frame.readerIndex() + 1))
                .isEqualTo(frame.readableBytes() - Frames.HEADER_LENGTH);
        receiver.writeInbound(frame);

        DecodeResult result = receiver.readInbound();
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        Messages.assertSameMessage(((DecodeResult.Decoded) result).message(), message);
        assertThat(sender.finishAndReleaseAll()).isFalse();
        assertThat(receiver.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldOmitDefaultsOnTheWire() {
        // id 0, status 0 and an absent action leave a table with no fields: 4 root + 4 vtable + 4 soffset bytes.
        assertThat(A6MessageCodec.encode(new HttpReqCallResponse(0, HttpReqCallResponse.None.INSTANCE)))
                .hasSize(12);
        assertThat(A6MessageCodec.encode(new HttpRespCallResponse(0, 0, List.of(), Optional.empty())))
                .hasSize(12);
        byte[] withId = A6MessageCodec.encode(new HttpReqCallResponse(1, HttpReqCallResponse.None.INSTANCE));
        assertThat(withId).hasSize(20);
    }

    @Test
    void shouldKeepManyEntriesInOrder() {
        List<TextEntry> headers = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            headers.add(i % 7 == 0 ? TextEntry.absent("x-h" + i) : TextEntry.of("x-h" + i, "v" + i));
        }
        A6Message message = new HttpRespCallRequest(1, 200, headers, 2);
        DecodeResult result = A6MessageCodec.decode(4, ByteBuffer.wrap(A6MessageCodec.encode(message)), Side.RUNNER);
        Messages.assertSameMessage(((DecodeResult.Decoded) result).message(), message);
    }

    @Test
    void shouldRejectAPayloadAboveTheMaximumWithoutWritingAnything() {
        A6Message tooBig = new HttpReqCallResponse(
                1, new HttpReqCallResponse.Stop(200, List.of(), Optional.of(new byte[Frames.MAX_PAYLOAD])));
        assertThatThrownBy(() -> A6MessageCodec.encode(tooBig))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("payload: ")
                .hasMessageContaining("(expected: 1..16777215)");

        EmbeddedChannel channel = new EmbeddedChannel(new A6MessageEncoder());
        assertThatThrownBy(() -> channel.writeOutbound(tooBig))
                .isInstanceOf(EncoderException.class)
                .hasCauseInstanceOf(IllegalArgumentException.class);
        assertThat((Object) channel.readOutbound()).isNull();
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldEncodeAPayloadOfAlmostTheMaximumSize() {
        // The vector's length word and padding sit around the body; the largest body that fits is within 8 bytes.
        int overhead = A6MessageCodec.encode(new ExtraInfoResponse(Optional.of(new byte[0]))).length;
        A6Message message = null;
        for (int slack = 0; slack <= 8 && message == null; slack++) {
            A6Message candidate = new ExtraInfoResponse(Optional.of(new byte[Frames.MAX_PAYLOAD - overhead - slack]));
            try {
                A6MessageCodec.encode(candidate);
                message = candidate;
            } catch (IllegalArgumentException tooBig) {
                // try a little smaller
            }
        }
        assertThat(message).as("a body within 8 bytes of the maximum").isNotNull();
        ByteBuf out = Unpooled.buffer();
        try {
            A6MessageEncoder.encode(message, out);
            assertThat(out.readableBytes()).isBetween(Frames.MAX_FRAME - 8, Frames.MAX_FRAME);
            DecodeResult result = A6MessageDecoder.decode(out, Side.RUNNER);
            assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        } finally {
            out.release();
        }
    }

    @Test
    void shouldReuseTheBuilderAcrossLargeAndSmallMessages() {
        for (int i = 0; i < 3; i++) {
            A6Message big = new HttpRespCallResponse(i, 200, List.of(), Optional.of(MIB));
            A6Message small = new PrepareConfResponse(i);
            assertThat(A6MessageCodec.encode(big).length).isGreaterThan(MIB.length);
            // After a large message the small one must not carry leftovers (builder cleared or replaced).
            assertThat(A6MessageCodec.encode(small)).hasSize(i == 0 ? 12 : 20);
        }
    }

    private static Arguments of(Side side, A6Message message) {
        return Arguments.of(side, message);
    }

    private static byte[] mib() {
        byte[] bytes = new byte[1 << 20];
        new java.util.Random(42).nextBytes(bytes);
        return bytes;
    }
}
