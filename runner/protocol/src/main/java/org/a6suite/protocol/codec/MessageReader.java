package org.a6suite.protocol.codec;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.a6suite.protocol.codec.FlatReader.MalformedFlatBufferException;
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
import org.a6suite.protocol.message.WireTextEntries;

/**
 * Reads each A6 table into its message record. Slot numbers are those of {@code src/main/fbs/a6.fbs}; the encoder
 * writes through the generated classes, so the round-trip tests hold the two together.
 */
final class MessageReader {
    private static final Method[] METHODS = Method.values();
    private static final ErrorResponse.Code[] CODES = ErrorResponse.Code.values();

    // Action union type values (httpreqcall.Action) and Info union type values (extrainfo.Info).
    private static final int ACTION_NONE = 0;
    private static final int ACTION_STOP = 1;
    private static final int ACTION_REWRITE = 2;
    private static final int INFO_VAR = 1;
    private static final int INFO_REQ_BODY = 2;
    private static final int INFO_RESP_BODY = 3;

    private MessageReader() {}

    /** Decodes; throws {@link MalformedFlatBufferException} (or a buffer exception) on unreadable input. */
    static A6Message read(int frameType, ByteBuffer payload, Side side) {
        FlatReader r = new FlatReader(payload);
        return switch (side) {
            case RUNNER ->
                switch (frameType) {
                    case 1 -> prepareConfRequest(r);
                    case 2 -> httpReqCallRequest(r);
                    case 3 -> extraInfoResponse(r);
                    case 4 -> httpRespCallRequest(r);
                    case 0 ->
                        throw new MalformedFlatBufferException(
                                "frame type: 0 (expected: 1..4 from APISIX; ERROR is only sent by a runner)");
                    default -> throw unknownType(frameType);
                };
            case APISIX ->
                switch (frameType) {
                    case 0 -> errorResponse(r);
                    case 1 -> new PrepareConfResponse(r.u32(r.root("PrepareConf.Resp"), 0, 0));
                    case 2 -> httpReqCallResponse(r);
                    case 3 -> extraInfoRequest(r);
                    case 4 -> httpRespCallResponse(r);
                    default -> throw unknownType(frameType);
                };
        };
    }

    static MalformedFlatBufferException unknownType(int frameType) {
        return new MalformedFlatBufferException("frame type: " + frameType + " (expected: 0..4)");
    }

    private static PrepareConfRequest prepareConfRequest(FlatReader r) {
        int t = r.root("PrepareConf.Req");
        List<TextEntry> conf = entries(r, t, 0, "PrepareConf.Req.conf");
        return new PrepareConfRequest(conf, Optional.ofNullable(r.string(t, 1, "PrepareConf.Req.key")));
    }

    private static HttpReqCallRequest httpReqCallRequest(FlatReader r) {
        int t = r.root("HTTPReqCall.Req");
        long id = r.u32(t, 0, 0);
        byte[] srcIp = r.bytes(t, 1, "HTTPReqCall.Req.src_ip");
        int method = r.u8(t, 2, 0);
        if (method >= METHODS.length) {
            throw new MalformedFlatBufferException(
                    "HTTPReqCall.Req.method: " + method + " (expected: 0.." + (METHODS.length - 1) + ")");
        }
        String path = r.string(t, 3, "HTTPReqCall.Req.path");
        List<TextEntry> args = wireEntries(r, t, 4, "HTTPReqCall.Req.args");
        List<TextEntry> headers = wireEntries(r, t, 5, "HTTPReqCall.Req.headers");
        long confToken = r.u32(t, 6, 0);
        // APISIX always sends path and src_ip; absent ones read as empty rather than failing the call.
        return new HttpReqCallRequest(
                id,
                srcIp == null ? new byte[0] : srcIp,
                METHODS[method],
                path == null ? "" : path,
                args,
                headers,
                confToken);
    }

    private static ExtraInfoResponse extraInfoResponse(FlatReader r) {
        int t = r.root("ExtraInfo.Resp");
        return new ExtraInfoResponse(Optional.ofNullable(r.bytes(t, 0, "ExtraInfo.Resp.result")));
    }

    private static HttpRespCallRequest httpRespCallRequest(FlatReader r) {
        int t = r.root("HTTPRespCall.Req");
        return new HttpRespCallRequest(
                r.u32(t, 0, 0), r.u16(t, 1, 0), wireEntries(r, t, 2, "HTTPRespCall.Req.headers"), r.u32(t, 3, 0));
    }

    private static ErrorResponse errorResponse(FlatReader r) {
        int code = r.u8(r.root("Err.Resp"), 0, 0);
        if (code >= CODES.length) {
            throw new MalformedFlatBufferException(
                    "Err.Resp.code: " + code + " (expected: 0.." + (CODES.length - 1) + ")");
        }
        return new ErrorResponse(CODES[code]);
    }

    private static HttpReqCallResponse httpReqCallResponse(FlatReader r) {
        int t = r.root("HTTPReqCall.Resp");
        long id = r.u32(t, 0, 0);
        int actionType = r.u8(t, 1, ACTION_NONE);
        HttpReqCallResponse.Action action = switch (actionType) {
            case ACTION_NONE -> HttpReqCallResponse.None.INSTANCE;
            case ACTION_STOP -> stop(r, requiredUnion(r, t, 2, "HTTPReqCall.Resp.action (Stop)"));
            case ACTION_REWRITE -> rewrite(r, requiredUnion(r, t, 2, "HTTPReqCall.Resp.action (Rewrite)"));
            default ->
                throw new MalformedFlatBufferException(
                        "HTTPReqCall.Resp.action_type: " + actionType + " (expected: 0 NONE, 1 Stop, 2 Rewrite)");
        };
        return new HttpReqCallResponse(id, action);
    }

    private static HttpReqCallResponse.Stop stop(FlatReader r, int t) {
        return new HttpReqCallResponse.Stop(
                r.u16(t, 0, 0), entries(r, t, 1, "Stop.headers"), Optional.ofNullable(r.bytes(t, 2, "Stop.body")));
    }

    private static HttpReqCallResponse.Rewrite rewrite(FlatReader r, int t) {
        return new HttpReqCallResponse.Rewrite(
                Optional.ofNullable(r.string(t, 0, "Rewrite.path")),
                entries(r, t, 1, "Rewrite.headers"),
                entries(r, t, 2, "Rewrite.args"),
                entries(r, t, 3, "Rewrite.resp_headers"),
                Optional.ofNullable(r.bytes(t, 4, "Rewrite.body")));
    }

    private static ExtraInfoRequest extraInfoRequest(FlatReader r) {
        int t = r.root("ExtraInfo.Req");
        int infoType = r.u8(t, 0, 0);
        ExtraInfoRequest.Info info = switch (infoType) {
            case INFO_VAR -> {
                int var = requiredUnion(r, t, 1, "ExtraInfo.Req.info (Var)");
                String name = r.string(var, 0, "Var.name");
                if (name == null) {
                    throw new MalformedFlatBufferException("Var.name: absent (expected: a variable name)");
                }
                yield new ExtraInfoRequest.Var(name);
            }
            // APISIX only looks at the type for the bodies; the (empty) table is not required.
            case INFO_REQ_BODY -> ExtraInfoRequest.ReqBody.INSTANCE;
            case INFO_RESP_BODY -> ExtraInfoRequest.RespBody.INSTANCE;
            default ->
                throw new MalformedFlatBufferException(
                        "ExtraInfo.Req.info_type: " + infoType + " (expected: 1 Var, 2 ReqBody, 3 RespBody)");
        };
        return new ExtraInfoRequest(info);
    }

    private static HttpRespCallResponse httpRespCallResponse(FlatReader r) {
        int t = r.root("HTTPRespCall.Resp");
        return new HttpRespCallResponse(
                r.u32(t, 0, 0),
                r.u16(t, 1, 0),
                entries(r, t, 2, "HTTPRespCall.Resp.headers"),
                Optional.ofNullable(r.bytes(t, 3, "HTTPRespCall.Resp.body")));
    }

    private static int requiredUnion(FlatReader r, int table, int slot, String what) {
        int value = r.tableField(table, slot, what);
        if (value < 0) {
            throw new MalformedFlatBufferException(what + ": absent (expected: a table for the union type)");
        }
        return value;
    }

    /**
     * A {@code [TextEntry]} field of a per-request call, checked whole now (a bad offset is a malformed frame, never a
     * failure in a plugin later) but decoded lazily: a {@link WireTextEntries} over a copy of the payload.
     */
    private static List<TextEntry> wireEntries(FlatReader r, int table, int slot, String what) {
        int count = r.tableVectorLength(table, slot, what);
        if (count == 0) {
            return List.of();
        }
        int start = r.vectorStart(table, slot, what);
        int[] spans = new int[4 * count];
        for (int i = 0; i < count; i++) {
            int entry = r.vectorTable(start, i, what);
            long name = r.stringSpan(entry, 0, what);
            if (name < 0) {
                throw new MalformedFlatBufferException(what + "[" + i + "].name: absent (expected: a string)");
            }
            long value = r.stringSpan(entry, 1, what);
            spans[4 * i] = (int) (name >>> 32);
            spans[4 * i + 1] = (int) name;
            spans[4 * i + 2] = value < 0 ? 0 : (int) (value >>> 32);
            spans[4 * i + 3] = value < 0 ? -1 : (int) value;
        }
        return new WireTextEntries(r.payloadCopy(), spans);
    }

    /** A {@code [TextEntry]} field in order; empty when absent. */
    private static List<TextEntry> entries(FlatReader r, int table, int slot, String what) {
        int count = r.tableVectorLength(table, slot, what);
        if (count == 0) {
            return List.of();
        }
        int start = r.vectorStart(table, slot, what);
        List<TextEntry> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int entry = r.vectorTable(start, i, what);
            String name = r.string(entry, 0, what);
            if (name == null) {
                throw new MalformedFlatBufferException(what + "[" + i + "].name: absent (expected: a string)");
            }
            out.add(new TextEntry(name, Optional.ofNullable(r.string(entry, 1, what))));
        }
        return out;
    }
}
