package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every frame recorded between real APISIX 3.18.0 and the official runner decodes to what was recorded. */
@ExtendWith(LeakCheckExtension.class)
class TranscriptConformanceTest {
    private static final List<Transcripts.Frame> FRAMES = Transcripts.all();

    @TestFactory
    Stream<DynamicTest> shouldDecodeEveryRecordedFrameToTheRecordedFields() {
        return FRAMES.stream()
                .map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
                    assertThat(f.bytes()).hasSize(Frames.HEADER_LENGTH + f.len());
                    ByteBuf frame = Unpooled.wrappedBuffer(f.bytes());
                    try {
                        DecodeResult viaFrame = A6MessageDecoder.decode(frame, f.side());
                        assertThat(viaFrame).isInstanceOf(DecodeResult.Decoded.class);
                        A6Message message = ((DecodeResult.Decoded) viaFrame).message();
                        assertThat(message.frameType().code()).isEqualTo(f.type());
                        TranscriptExpectations.assertMatches(f.decoded(), message);
                    } finally {
                        frame.release();
                    }
                    DecodeResult direct = A6MessageCodec.decode(
                            f.type(), ByteBuffer.wrap(f.bytes(), Frames.HEADER_LENGTH, f.len()), f.side());
                    TranscriptExpectations.assertMatches(f.decoded(), ((DecodeResult.Decoded) direct).message());
                }));
    }

    @TestFactory
    Stream<DynamicTest> shouldReencodeEveryRecordedMessageToAnEqualMessage() {
        return FRAMES.stream()
                .map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
                    A6Message decoded = decode(f.bytes(), f.side());
                    byte[] again = frameOf(decoded);
                    A6Message redecoded = decode(again, f.side());
                    Messages.assertSameMessage(redecoded, decoded);
                    TranscriptExpectations.assertMatches(f.decoded(), redecoded);
                }));
    }

    /**
     * The fixed-layout replies (Err, PrepareConf.Resp, ExtraInfo.Req) have one field or one small union, so any
     * FlatBuffers builder that adds fields in flatc's order lays them out identically; these must match the
     * official runner byte for byte. The larger replies depend on the order strings and vectors are created in, which
     * is not part of the protocol, so they are compared as messages above (see
     * {@link #shouldReencodeRunnerRepliesByteForByteWhereTheOfficialRunnerDid()} for how close we get).
     */
    @TestFactory
    Stream<DynamicTest> shouldReencodeFixedLayoutRepliesByteForByte() {
        return FRAMES.stream()
                .filter(f -> f.side() == Side.APISIX)
                .filter(f -> {
                    A6Message m = decode(f.bytes(), f.side());
                    return m instanceof ErrorResponse
                            || m instanceof PrepareConfResponse
                            || m instanceof ExtraInfoRequest;
                })
                .map(f -> DynamicTest.dynamicTest(
                        f.toString(),
                        () -> assertThat(HexFormat.of().formatHex(frameOf(decode(f.bytes(), f.side()))))
                                .isEqualTo(HexFormat.of().formatHex(f.bytes()))));
    }

    @Test
    void shouldReencodeRunnerRepliesByteForByteWhereTheOfficialRunnerDid() {
        Map<String, int[]> sameByKind = new LinkedHashMap<>();
        List<String> differing = new ArrayList<>();
        for (Transcripts.Frame f : FRAMES) {
            if (f.side() != Side.APISIX) {
                continue;
            }
            boolean same = java.util.Arrays.equals(frameOf(decode(f.bytes(), f.side())), f.bytes());
            int[] counts = sameByKind.computeIfAbsent(f.msg(), k -> new int[2]);
            counts[same ? 0 : 1]++;
            if (!same) {
                differing.add(f.toString());
            }
        }
        // Every runner reply recorded, of every kind, is reproduced exactly (see the class comment above for why
        // this is checked separately): our encoder creates strings and vectors in the official runner's order.
        assertThat(differing)
                .as(
                        "replies not byte-identical; per kind [same, different]: %s",
                        sameByKind.entrySet().stream()
                                .map(e -> e.getKey() + "=" + java.util.Arrays.toString(e.getValue()))
                                .toList())
                .isEmpty();
    }

    @TestFactory
    Stream<DynamicTest> shouldDecodeEachRecordedConnectionStreamWholeAndByteByByte() {
        Map<String, List<Transcripts.Frame>> streams = new LinkedHashMap<>();
        for (Transcripts.Frame f : FRAMES) {
            streams.computeIfAbsent(f.scenario() + " conn " + f.conn() + " " + f.dir(), k -> new ArrayList<>())
                    .add(f);
        }
        return streams.entrySet().stream()
                .map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
                    List<Transcripts.Frame> frames = e.getValue();
                    ByteArrayOutputStream all = new ByteArrayOutputStream();
                    frames.forEach(f -> all.writeBytes(f.bytes()));
                    byte[] bytes = all.toByteArray();
                    Side side = frames.getFirst().side();

                    assertStream(frames, side, List.of(bytes));
                    List<byte[]> single = new ArrayList<>(bytes.length);
                    for (byte b : bytes) {
                        single.add(new byte[] {b});
                    }
                    assertStream(frames, side, single);
                }));
    }

    private static void assertStream(List<Transcripts.Frame> frames, Side side, List<byte[]> chunks) {
        EmbeddedChannel channel = new EmbeddedChannel();
        A6Codecs.install(channel.pipeline(), side);
        for (byte[] chunk : chunks) {
            channel.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        for (Transcripts.Frame f : frames) {
            DecodeResult result = channel.readInbound();
            assertThat(result).as(f.toString()).isInstanceOf(DecodeResult.Decoded.class);
            TranscriptExpectations.assertMatches(f.decoded(), ((DecodeResult.Decoded) result).message());
        }
        assertThat((Object) channel.readInbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    static A6Message decode(byte[] frame, Side side) {
        DecodeResult result = A6MessageCodec.decode(
                frame[0] & 0xFF,
                ByteBuffer.wrap(frame, Frames.HEADER_LENGTH, frame.length - Frames.HEADER_LENGTH),
                side);
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded) result).message();
    }

    /** The whole frame the Netty encoder writes for {@code message}. */
    static byte[] frameOf(A6Message message) {
        EmbeddedChannel channel = new EmbeddedChannel(new A6MessageEncoder());
        assertThat(channel.writeOutbound(message)).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            byte[] bytes = new byte[out.readableBytes()];
            out.readBytes(bytes);
            return bytes;
        } finally {
            out.release();
            channel.finishAndReleaseAll();
        }
    }
}
