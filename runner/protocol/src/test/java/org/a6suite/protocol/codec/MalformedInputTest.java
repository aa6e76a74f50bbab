package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.flatbuffers.FlatBufferBuilder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.a6suite.protocol.fbs.TextEntry;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input becomes {@link DecodeResult.Malformed} (or a wait for more bytes), never an exception or a leak. */
@ExtendWith(LeakCheckExtension.class)
class MalformedInputTest {
    private static final A6Message TOKEN = new PrepareConfResponse(42);

    @Test
    void shouldWaitWithoutOutputForATruncatedFrame() {
        byte[] frame = frame(TOKEN);
        EmbeddedChannel channel = apisixChannel();
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 3))).isFalse();
        assertThat(channel.writeInbound(Unpooled.wrappedBuffer(frame, 3, frame.length - 4)))
                .isFalse();
        assertThat((Object) channel.readInbound()).isNull();
        // Closing with a partial frame buffered must release it (the leak check would fail otherwise).
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldWaitUntilALengthLargerThanWhatWasSentHasArrived() {
        byte[] frame = frame(TOKEN);
        EmbeddedChannel channel = apisixChannel();
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 0, 6));
        assertThat((Object) channel.readInbound()).isNull();
        channel.writeInbound(Unpooled.wrappedBuffer(frame, 6, frame.length - 6));
        assertDecoded(channel.readInbound(), TOKEN);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 6, 127, 255})
    void shouldReportAnUnknownFrameTypeAndKeepTheStreamInStep(int type) {
        EmbeddedChannel channel = apisixChannel();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) type, 0, 0, 3, 1, 2, 3}, frame(TOKEN)));
        DecodeResult.Malformed malformed = (DecodeResult.Malformed) channel.readInbound();
        assertThat(malformed)
                .isEqualTo(new DecodeResult.Malformed(type, 3, "frame type: " + type + " (expected: 0..4)"));
        assertDecoded(channel.readInbound(), TOKEN);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void shouldReportAZeroLengthFrame(int type) {
        EmbeddedChannel channel = apisixChannel();
        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) type, 0, 0, 0}, frame(TOKEN)));
        DecodeResult.Malformed malformed = (DecodeResult.Malformed) channel.readInbound();
        assertThat(malformed.frameType()).isEqualTo(type);
        assertThat(malformed.length()).isZero();
        assertThat(malformed.reason()).isEqualTo("length: 0 (expected: 1..16777215)");
        assertDecoded(channel.readInbound(), TOKEN);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldRejectAnErrorFrameSentToTheRunner() {
        DecodeResult result = A6MessageCodec.decode(
                0,
                ByteBuffer.wrap(new byte[] {12, 0, 0, 0, 0, 0, 6, 0, 8, 0, 7, 0, 6, 0, 0, 0, 0, 0, 0, 2}),
                Side.RUNNER);
        assertThat(((DecodeResult.Malformed) result).reason()).startsWith("frame type: 0");
    }

    @Test
    void shouldReportARootOffsetOutsideThePayload() {
        for (int root : new int[] {-1, 0x7fff_ffff, 16, 13, -4}) {
            ByteBuffer payload = ByteBuffer.allocate(16)
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(0, root);
            for (Side side : Side.values()) {
                for (int type = 0; type <= 4; type++) {
                    assertThat(A6MessageCodec.decode(type, payload.duplicate(), side))
                            .isInstanceOf(DecodeResult.Malformed.class);
                }
            }
        }
        DecodeResult result = A6MessageCodec.decode(
                1, ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0}), Side.APISIX);
        assertThat(((DecodeResult.Malformed) result).reason())
                .isEqualTo("PrepareConf.Resp: offset to 65535 (expected: 0..4)");
    }

    @Test
    void shouldReportAPayloadTooShortForARootOffset() {
        DecodeResult result = A6MessageCodec.decode(2, ByteBuffer.wrap(new byte[] {1, 2}), Side.RUNNER);
        assertThat(result)
                .isEqualTo(new DecodeResult.Malformed(
                        2, 2, "HTTPReqCall.Req: 2 bytes (expected: at least 4 for the root offset)"));
    }

    @Test
    void shouldReportAMethodOutsideTheEnum() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int path = b.createString("/");
        b.finish(org.a6suite.protocol.fbs.httpreqcall.Req.createReq(b, 1, 0, 15, path, 0, 0, 1));
        assertMalformed(2, b, Side.RUNNER, "HTTPReqCall.Req.method: 15 (expected: 0..14)");
    }

    @Test
    void shouldReportAnErrorCodeOutsideTheEnum() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        b.finish(org.a6suite.protocol.fbs.err.Resp.createResp(b, 3));
        assertMalformed(0, b, Side.APISIX, "Err.Resp.code: 3 (expected: 0..2)");
    }

    @Test
    void shouldReportAnUnknownActionOrInfoType() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        b.finish(org.a6suite.protocol.fbs.httpreqcall.Resp.createResp(b, 1, (byte) 3, 0));
        assertMalformed(2, b, Side.APISIX, "HTTPReqCall.Resp.action_type: 3 (expected: 0 NONE, 1 Stop, 2 Rewrite)");

        b = new FlatBufferBuilder();
        b.finish(org.a6suite.protocol.fbs.extrainfo.Req.createReq(b, (byte) 0, 0));
        assertMalformed(3, b, Side.APISIX, "ExtraInfo.Req.info_type: 0 (expected: 1 Var, 2 ReqBody, 3 RespBody)");
    }

    @Test
    void shouldReportAUnionTypeWithoutItsTable() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        b.finish(org.a6suite.protocol.fbs.httpreqcall.Resp.createResp(b, 1, (byte) 1, 0));
        assertMalformed(
                2, b, Side.APISIX, "HTTPReqCall.Resp.action (Stop): absent (expected: a table for the union type)");
    }

    @Test
    void shouldReportATextEntryWithoutAName() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int value = b.createString("v");
        int entry = TextEntry.createTextEntry(b, 0, value);
        int conf = org.a6suite.protocol.fbs.prepareconf.Req.createConfVector(b, new int[] {entry});
        b.finish(org.a6suite.protocol.fbs.prepareconf.Req.createReq(b, conf, 0));
        assertMalformed(1, b, Side.RUNNER, "PrepareConf.Req.conf[0].name: absent (expected: a string)");
    }

    @Test
    void shouldReportAVectorLongerThanThePayloadWithoutAllocatingIt() {
        byte[] payload = A6MessageCodec.encode(
                new PrepareConfRequest(List.of(org.a6suite.protocol.message.TextEntry.of("a", "b")), Optional.empty()));
        ByteBuffer bb = ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int vector = findLengthWord(bb, 1);
        bb.putInt(vector, 0x7fff_fff0);
        DecodeResult result = A6MessageCodec.decode(1, bb, Side.RUNNER);
        assertThat(((DecodeResult.Malformed) result).reason()).startsWith("PrepareConf.Req.conf: length 2147483632");
    }

    @Test
    void shouldReportEntriesThatAllShareOneLargeStringInsteadOfExpandingThem() {
        // 2 000 vector slots pointing at one entry with a 64 KiB value: legal offsets, 128 MiB if expanded.
        FlatBufferBuilder b = new FlatBufferBuilder();
        int name = b.createString("n");
        int value = b.createString("v".repeat(64 * 1024));
        int entry = TextEntry.createTextEntry(b, name, value);
        int[] same = new int[2000];
        java.util.Arrays.fill(same, entry);
        int conf = org.a6suite.protocol.fbs.prepareconf.Req.createConfVector(b, same);
        b.finish(org.a6suite.protocol.fbs.prepareconf.Req.createReq(b, conf, 0));
        DecodeResult result = A6MessageCodec.decode(1, b.dataBuffer(), Side.RUNNER);
        assertThat(((DecodeResult.Malformed) result).reason()).contains("decoded data exceeds 2x the payload");
    }

    @Test
    void shouldNeverThrowOnRandomPayloads() {
        Random random = new Random(20261121L);
        int malformed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = new byte[1 + random.nextInt(i % 10 == 0 ? 4096 : 64)];
            random.nextBytes(payload);
            if (random.nextBoolean()) {
                // A small root offset makes the reader go further than the first check.
                payload[0] = (byte) random.nextInt(Math.min(payload.length, 64));
                if (payload.length > 3) {
                    payload[1] = payload[2] = payload[3] = 0;
                }
            }
            for (Side side : Side.values()) {
                int type = random.nextInt(6);
                DecodeResult result = A6MessageCodec.decode(type, ByteBuffer.wrap(payload), side);
                assertThat(result).isNotNull();
                if (result instanceof DecodeResult.Malformed m) {
                    malformed++;
                    assertThat(m.reason()).isNotBlank();
                    assertThat(m.length()).isEqualTo(payload.length);
                }
            }
        }
        assertThat(malformed).isGreaterThan(30_000);
    }

    @Test
    void shouldNeverThrowOnRecordedFramesWithRandomBytesFlipped() {
        Random random = new Random(7L);
        List<Transcripts.Frame> frames = Transcripts.all();
        for (int i = 0; i < 20_000; i++) {
            Transcripts.Frame f = frames.get(random.nextInt(frames.size()));
            byte[] payload = java.util.Arrays.copyOfRange(f.bytes(), Frames.HEADER_LENGTH, f.bytes().length);
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                payload[random.nextInt(payload.length)] = (byte) random.nextInt(256);
            }
            DecodeResult result = A6MessageCodec.decode(f.type(), ByteBuffer.wrap(payload), f.side());
            assertThat(result).isNotNull();
        }
    }

    @Test
    void shouldDecodeAFrameDeliveredOneByteAtATime() {
        byte[] frame = frame(new HttpReqCallResponse(
                7,
                new HttpReqCallResponse.Rewrite(
                        Optional.of("/x"),
                        List.of(org.a6suite.protocol.message.TextEntry.of("h", "v")),
                        List.of(),
                        List.of(),
                        Optional.of(new byte[] {1, 2, 3}))));
        EmbeddedChannel channel = apisixChannel();
        for (int i = 0; i < frame.length; i++) {
            channel.writeInbound(Unpooled.wrappedBuffer(frame, i, 1));
            if (i < frame.length - 1) {
                assertThat((Object) channel.readInbound()).isNull();
            }
        }
        assertThat((Object) channel.readInbound()).isInstanceOf(DecodeResult.Decoded.class);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldDecodeManyFramesArrivingInOneRead() {
        ByteBuf all = Unpooled.buffer();
        List<A6Message> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            A6Message m = i % 3 == 0
                    ? new PrepareConfResponse(i)
                    : new HttpReqCallResponse(
                            i,
                            i % 3 == 1
                                    ? HttpReqCallResponse.None.INSTANCE
                                    : new HttpReqCallResponse.Stop(200 + i % 100, List.of(), Optional.of(new byte[i])));
            sent.add(m);
            all.writeBytes(frame(m));
        }
        EmbeddedChannel channel = apisixChannel();
        channel.writeInbound(all);
        for (A6Message m : sent) {
            assertDecoded(channel.readInbound(), m);
        }
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shouldReportAFrameWhoseHeaderDisagreesWithItsSize() {
        ByteBuf frame = Unpooled.wrappedBuffer(new byte[] {1, 0, 0, 9, 1, 2});
        try {
            assertThat(A6MessageDecoder.decode(frame, Side.APISIX))
                    .isEqualTo(new DecodeResult.Malformed(1, 9, "length: 9 (expected: 2, the bytes after the header)"));
        } finally {
            frame.release();
        }
    }

    private static void assertMalformed(int type, FlatBufferBuilder b, Side side, String reason) {
        DecodeResult result = A6MessageCodec.decode(type, b.dataBuffer(), side);
        assertThat(result).isInstanceOf(DecodeResult.Malformed.class);
        assertThat(((DecodeResult.Malformed) result).reason()).isEqualTo(reason);
    }

    private static void assertDecoded(Object result, A6Message expected) {
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        Messages.assertSameMessage(((DecodeResult.Decoded) result).message(), expected);
    }

    /** The position of the first u32 equal to {@code value} after the root table: the conf vector's length word. */
    private static int findLengthWord(ByteBuffer bb, int value) {
        for (int i = 8; i + 4 <= bb.limit(); i += 4) {
            if (bb.getInt(i) == value) {
                return i;
            }
        }
        throw new AssertionError("no length word " + value);
    }

    private static EmbeddedChannel apisixChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        A6Codecs.install(channel.pipeline(), Side.APISIX);
        return channel;
    }

    private static byte[] frame(A6Message message) {
        ByteBuf out = Unpooled.buffer();
        try {
            A6MessageEncoder.encode(message, out);
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
        }
    }
}
