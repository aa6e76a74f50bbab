package org.a6suite.protocol.codec;

import com.google.flatbuffers.FlatBufferBuilder;
import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.a6suite.protocol.fbs.TextEntry;
import org.a6suite.protocol.fbs.err.Resp;
import org.a6suite.protocol.fbs.extrainfo.Info;
import org.a6suite.protocol.fbs.extrainfo.ReqBody;
import org.a6suite.protocol.fbs.extrainfo.RespBody;
import org.a6suite.protocol.fbs.extrainfo.Var;
import org.a6suite.protocol.fbs.httpreqcall.Action;
import org.a6suite.protocol.fbs.httpreqcall.Rewrite;
import org.a6suite.protocol.fbs.httpreqcall.Stop;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;

/**
 * Builds the FlatBuffer payload of a message with the generated builders, in a {@link FlatBufferBuilder} kept per
 * thread (encoding happens on a few event-loop threads, so per-thread beats per-channel for memory).
 *
 * <p>Strings and vectors are created in the order the official Java runner creates them (path, then headers with
 * name before value, then args ...), and tables through the generated {@code createX} helpers, so the simple
 * replies come out byte-for-byte equal to the recorded ones. Default scalars (id 0, status 0, GET) and empty lists
 * are omitted, as APISIX does.
 */
final class MessageWriter {
    /** Start size of a thread's builder: every recorded reply but bodies fits in 1 KiB. */
    static final int INITIAL_CAPACITY = 1024;
    /** A builder that grew above this for a large body is dropped after use instead of pinning the memory. */
    static final int RETAINED_CAPACITY = 64 * 1024;

    /** Estimates are upper bounds (strings count 3 bytes per char); above this the payload cannot fit. */
    private static final long MAX_ESTIMATE = 4L * Frames.MAX_PAYLOAD;

    private static final FastThreadLocal<Pooled> BUILDER = new FastThreadLocal<>() {
        @Override
        protected Pooled initialValue() {
            return new Pooled();
        }
    };

    /** A thread's builder and its buffer size (the builder only reveals its buffer once finished). */
    private static final class Pooled {
        FlatBufferBuilder builder = new FlatBufferBuilder(INITIAL_CAPACITY);
        int capacity = INITIAL_CAPACITY;

        void recycle(boolean finished) {
            if (finished) {
                capacity = builder.dataBuffer().capacity();
            }
            if (!finished || capacity > RETAINED_CAPACITY) {
                builder = new FlatBufferBuilder(INITIAL_CAPACITY);
                capacity = INITIAL_CAPACITY;
            } else {
                builder.clear();
            }
        }
    }

    private MessageWriter() {}

    /**
     * Something that consumes the finished payload before the builder is reused. The {@code context} parameter lets
     * callers pass what they write into without a capturing lambda (an allocation per message).
     */
    @FunctionalInterface
    interface PayloadSink<C, T> {
        T accept(A6Message message, ByteBuffer payload, C context);
    }

    /**
     * Builds {@code message} and hands the finished payload (position..limit) to {@code sink}. The buffer is only
     * valid inside the call.
     *
     * @throws IllegalArgumentException if the payload would exceed {@link Frames#MAX_PAYLOAD}
     */
    static <C, T> T write(A6Message message, C context, PayloadSink<C, T> sink) {
        long estimate = estimate(message);
        if (estimate > MAX_ESTIMATE) {
            // Bodies alone are over the limit: refuse before copying them into a builder.
            throw new IllegalArgumentException(
                    "payload: about " + estimate + " bytes (expected: 1.." + Frames.MAX_PAYLOAD + ")");
        }
        Pooled pooled = BUILDER.get();
        // A large body gets a builder sized for it up front: growing by doubling would copy it several times.
        boolean usePooled = estimate <= pooled.capacity;
        FlatBufferBuilder b = usePooled ? pooled.builder : new FlatBufferBuilder((int) estimate);
        boolean finished = false;
        try {
            b.finish(build(b, message));
            finished = true;
            ByteBuffer payload = b.dataBuffer();
            int length = payload.remaining();
            if (length > Frames.MAX_PAYLOAD) {
                throw new IllegalArgumentException(
                        "payload: " + length + " bytes (expected: 1.." + Frames.MAX_PAYLOAD + ")");
            }
            return sink.accept(message, payload, context);
        } finally {
            if (usePooled) {
                pooled.recycle(finished);
            }
        }
    }

    private static int build(FlatBufferBuilder b, A6Message message) {
        return switch (message) {
            case PrepareConfRequest m -> {
                int conf = entries(b, m.conf());
                int key = m.key().isPresent() ? b.createString(m.key().get()) : 0;
                yield org.a6suite.protocol.fbs.prepareconf.Req.createReq(b, conf, key);
            }
            case PrepareConfResponse m -> org.a6suite.protocol.fbs.prepareconf.Resp.createResp(b, m.confToken());
            case HttpReqCallRequest m -> {
                int srcIp = m.srcIp().length == 0 ? 0 : b.createByteVector(m.srcIp());
                int path = b.createString(m.path());
                int args = entries(b, m.args());
                int headers = entries(b, m.headers());
                yield org.a6suite.protocol.fbs.httpreqcall.Req.createReq(
                        b, m.id(), srcIp, m.method().ordinal(), path, args, headers, m.confToken());
            }
            case HttpReqCallResponse m -> {
                int action = switch (m.action()) {
                    case HttpReqCallResponse.None none -> 0;
                    case HttpReqCallResponse.Stop s -> stop(b, s);
                    case HttpReqCallResponse.Rewrite rw -> rewrite(b, rw);
                };
                byte actionType = switch (m.action()) {
                    case HttpReqCallResponse.None none -> Action.NONE;
                    case HttpReqCallResponse.Stop s -> Action.Stop;
                    case HttpReqCallResponse.Rewrite rw -> Action.Rewrite;
                };
                // This field order is the official runner's (byte-identical replies).
                org.a6suite.protocol.fbs.httpreqcall.Resp.startResp(b);
                org.a6suite.protocol.fbs.httpreqcall.Resp.addAction(b, action);
                org.a6suite.protocol.fbs.httpreqcall.Resp.addActionType(b, actionType);
                org.a6suite.protocol.fbs.httpreqcall.Resp.addId(b, m.id());
                yield org.a6suite.protocol.fbs.httpreqcall.Resp.endResp(b);
            }
            case HttpRespCallRequest m -> {
                int headers = entries(b, m.headers());
                yield org.a6suite.protocol.fbs.httprespcall.Req.createReq(
                        b, m.id(), m.status(), headers, m.confToken());
            }
            case HttpRespCallResponse m -> {
                // Body before headers, and this field order, as the official runner does (byte-identical replies).
                int body = bytes(b, m.body());
                int headers = entries(b, m.headers());
                org.a6suite.protocol.fbs.httprespcall.Resp.startResp(b);
                org.a6suite.protocol.fbs.httprespcall.Resp.addId(b, m.id());
                org.a6suite.protocol.fbs.httprespcall.Resp.addBody(b, body);
                org.a6suite.protocol.fbs.httprespcall.Resp.addHeaders(b, headers);
                org.a6suite.protocol.fbs.httprespcall.Resp.addStatus(b, m.status());
                yield org.a6suite.protocol.fbs.httprespcall.Resp.endResp(b);
            }
            case ExtraInfoRequest m -> {
                int info = switch (m.info()) {
                    case ExtraInfoRequest.Var v -> Var.createVar(b, b.createString(v.name()));
                    case ExtraInfoRequest.ReqBody r -> {
                        ReqBody.startReqBody(b);
                        yield ReqBody.endReqBody(b);
                    }
                    case ExtraInfoRequest.RespBody r -> {
                        RespBody.startRespBody(b);
                        yield RespBody.endRespBody(b);
                    }
                };
                byte infoType = switch (m.info()) {
                    case ExtraInfoRequest.Var v -> Info.Var;
                    case ExtraInfoRequest.ReqBody r -> Info.ReqBody;
                    case ExtraInfoRequest.RespBody r -> Info.RespBody;
                };
                // Type before value, unlike flatc's createReq (largest field first): the official runner adds them
                // in this order, and matching it keeps our requests byte-identical to the recorded ones.
                org.a6suite.protocol.fbs.extrainfo.Req.startReq(b);
                org.a6suite.protocol.fbs.extrainfo.Req.addInfoType(b, infoType);
                org.a6suite.protocol.fbs.extrainfo.Req.addInfo(b, info);
                yield org.a6suite.protocol.fbs.extrainfo.Req.endReq(b);
            }
            case ExtraInfoResponse m -> {
                int result = bytes(b, m.result());
                yield org.a6suite.protocol.fbs.extrainfo.Resp.createResp(b, result);
            }
            case ErrorResponse m -> Resp.createResp(b, m.code().ordinal());
        };
    }

    private static int stop(FlatBufferBuilder b, HttpReqCallResponse.Stop s) {
        int headers = entries(b, s.headers());
        int body = bytes(b, s.body());
        // Fields in slot order, as the official runner adds them (byte-identical replies).
        Stop.startStop(b);
        Stop.addStatus(b, s.status());
        Stop.addHeaders(b, headers);
        Stop.addBody(b, body);
        return Stop.endStop(b);
    }

    private static int rewrite(FlatBufferBuilder b, HttpReqCallResponse.Rewrite rw) {
        int path = rw.path().isPresent() ? b.createString(rw.path().get()) : 0;
        int headers = entries(b, rw.headers());
        int args = entries(b, rw.args());
        int respHeaders = entries(b, rw.respHeaders());
        int body = bytes(b, rw.body());
        // Fields in slot order, as the official runner adds them (byte-identical replies).
        Rewrite.startRewrite(b);
        Rewrite.addPath(b, path);
        Rewrite.addHeaders(b, headers);
        Rewrite.addArgs(b, args);
        Rewrite.addRespHeaders(b, respHeaders);
        Rewrite.addBody(b, body);
        return Rewrite.endRewrite(b);
    }

    /** A present body is written even when empty (an empty vector), an absent one is omitted. */
    private static int bytes(FlatBufferBuilder b, Optional<byte[]> value) {
        return value.isPresent() ? b.createByteVector(value.get()) : 0;
    }

    /** A {@code [TextEntry]} vector, or 0 (slot omitted) for an empty list. */
    private static int entries(FlatBufferBuilder b, List<org.a6suite.protocol.message.TextEntry> list) {
        int size = list.size();
        if (size == 0) {
            return 0;
        }
        int[] offsets = new int[size];
        for (int i = 0; i < size; i++) {
            org.a6suite.protocol.message.TextEntry e = list.get(i);
            int name = b.createString(e.name());
            int value = e.value().isPresent() ? b.createString(e.value().get()) : 0;
            offsets[i] = TextEntry.createTextEntry(b, name, value);
        }
        return vector(b, offsets);
    }

    private static int vector(FlatBufferBuilder b, int[] offsets) {
        b.startVector(4, offsets.length, 4);
        for (int i = offsets.length - 1; i >= 0; i--) {
            b.addOffset(offsets[i]);
        }
        return b.endVector();
    }

    /** An upper bound of the payload size, to size a builder for large bodies at once. */
    private static long estimate(A6Message message) {
        return switch (message) {
            case HttpReqCallResponse m ->
                switch (m.action()) {
                    case HttpReqCallResponse.Stop s -> 256 + length(s.body()) + size(s.headers());
                    case HttpReqCallResponse.Rewrite rw ->
                        256
                                + length(rw.body())
                                + chars(rw.path())
                                + size(rw.headers())
                                + size(rw.args())
                                + size(rw.respHeaders());
                    case HttpReqCallResponse.None none -> 64;
                };
            case HttpRespCallResponse m -> 256 + length(m.body()) + size(m.headers());
            case ExtraInfoResponse m -> 64 + length(m.result());
            case PrepareConfRequest m -> 256 + size(m.conf()) + chars(m.key());
            case HttpReqCallRequest m ->
                256L + m.srcIp().length + 3L * m.path().length() + size(m.args()) + size(m.headers());
            case HttpRespCallRequest m -> 256 + size(m.headers());
            case ExtraInfoRequest m ->
                128L
                        + (m.info() instanceof ExtraInfoRequest.Var v
                                ? 3L * v.name().length()
                                : 0);
            case PrepareConfResponse m -> 64;
            case ErrorResponse m -> 64;
        };
    }

    private static long size(List<org.a6suite.protocol.message.TextEntry> entries) {
        long total = 0;
        for (org.a6suite.protocol.message.TextEntry e : entries) {
            // UTF-8 takes at most 3 bytes per UTF-16 char; 32 covers the entry table, vtable, lengths and padding.
            total += 32 + 3L * e.name().length() + chars(e.value());
        }
        return total;
    }

    // Plain conditionals rather than Optional.map: these run per message, and map boxes its long result.

    private static long length(Optional<byte[]> bytes) {
        return bytes.isPresent() ? bytes.get().length : 0;
    }

    /** An upper bound of a string's UTF-8 length: at most 3 bytes per UTF-16 char. */
    private static long chars(Optional<String> text) {
        return text.isPresent() ? 3L * text.get().length() : 0;
    }
}
