package org.a6suite.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.TextEntry;

/** The pre-encoded frames of each workload, shaped like what APISIX sends for a typical API request. */
final class Frames {
    private Frames() {}

    static byte[] encode(A6Message message) {
        return FrameIo.frame(message.frameType().code(), A6MessageCodec.encode(message));
    }

    static byte[] prepareConf(String pluginName) {
        return encode(new PrepareConfRequest(
                List.of(TextEntry.of(pluginName, "{}")), Optional.of("route#1#ext-plugin-pre-req#1")));
    }

    static byte[] call(Workload workload, long token) {
        if (workload.response()) {
            return encode(new HttpRespCallRequest(
                    4194305,
                    200,
                    List.of(
                            TextEntry.of("content-type", "application/json"), TextEntry.of("content-length", "512"),
                            TextEntry.of("server", "bench-upstream"), TextEntry.of("cache-control", "no-store")),
                    token));
        }
        List<TextEntry> headers = new ArrayList<>();
        headers.add(TextEntry.of("host", "api.example.com"));
        headers.add(TextEntry.of("user-agent", "a6-bench/1"));
        headers.add(TextEntry.of("accept", "application/json"));
        headers.add(TextEntry.of("x-request-id", "0f4c2b1e-9d7a-4e11-8c3b-6a5d2e7f9b10"));
        headers.add(TextEntry.of("x-forwarded-proto", "http"));
        headers.add(TextEntry.of("x-forwarded-host", "api.example.com"));
        headers.add(TextEntry.of("x-forwarded-port", "9080"));
        headers.add(TextEntry.of("authorization", "Bearer bench-token"));
        Method method = Method.GET;
        if (workload.body()) {
            method = Method.POST;
            headers.add(TextEntry.of("content-type", "application/json"));
            headers.add(TextEntry.of("content-length", Integer.toString(Workload.BODY_SIZE)));
        }
        var request = new HttpReqCallRequest(
                4194305,
                new byte[] {127, 0, 0, 1},
                method,
                "/api/v1/orders/42",
                List.of(TextEntry.of("page", "2"), TextEntry.of("sort", "desc")),
                headers,
                token);
        return encode(request);
    }

    /** The answer APISIX would give to one ExtraInfo request. */
    static byte[] answer(ExtraInfoRequest.Info info) {
        return switch (info) {
            case ExtraInfoRequest.Var v ->
                encode(new ExtraInfoResponse(Optional.of(
                        switch (v.name()) {
                            case "remote_addr" -> bytes("127.0.0.1");
                            case "server_port" -> bytes("9080");
                            case "route_id" -> bytes("1");
                            default -> bytes("x");
                        })));
            case ExtraInfoRequest.ReqBody b -> encode(new ExtraInfoResponse(Optional.of(body())));
            case ExtraInfoRequest.RespBody b -> encode(new ExtraInfoResponse(Optional.empty()));
        };
    }

    static byte[] body() {
        byte[] body = new byte[Workload.BODY_SIZE];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) ('a' + i % 26);
        }
        return body;
    }

    /** What the echo floor sends back: the same shapes a real runner sends for the workload. */
    static List<byte[]> echoExtraInfoRequests(Workload workload) {
        List<byte[]> out = new ArrayList<>();
        for (String var : workload.vars()) {
            out.add(encode(new ExtraInfoRequest(new ExtraInfoRequest.Var(var))));
        }
        if (workload.body()) {
            out.add(encode(new ExtraInfoRequest(ExtraInfoRequest.ReqBody.INSTANCE)));
        }
        return out;
    }

    static byte[] echoReply(Workload workload) {
        if (workload.response()) {
            return encode(new HttpRespCallResponse(
                    4194305, 0, List.of(TextEntry.of("x-bench-status", "200")), Optional.empty()));
        }
        HttpReqCallResponse.Action action = switch (workload) {
            case NOOP -> HttpReqCallResponse.None.INSTANCE;
            case VARS ->
                new HttpReqCallResponse.Rewrite(
                        Optional.of("/bench/1"),
                        List.of(TextEntry.of("x-bench-client", "127.0.0.1:9080")),
                        List.of(),
                        List.of(),
                        Optional.empty());
            case BODY, POSTRESP ->
                new HttpReqCallResponse.Rewrite(
                        Optional.empty(),
                        List.of(TextEntry.of("x-body-length", Integer.toString(Workload.BODY_SIZE))),
                        List.of(),
                        List.of(),
                        Optional.empty());
        };
        return encode(new HttpReqCallResponse(4194305, action));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
