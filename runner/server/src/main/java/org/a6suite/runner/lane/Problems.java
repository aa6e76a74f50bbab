package org.a6suite.runner.lane;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The lane's own error answers: RFC 9457 problem documents,
 * {@code {"type":"about:blank","title":"Forbidden","status":403,"detail":"...","reason":"bad_mac"}}. Details are
 * fixed texts chosen here; nothing from the request (least of all the handoff) and no exception text is echoed.
 */
final class Problems {

    static final String CONTENT_TYPE = "application/problem+json";

    private Problems() {}

    static FullHttpResponse of(HttpResponseStatus status, String reason, String detail, boolean keepAlive) {
        String json = "{\"type\":\"about:blank\",\"title\":\"" + escape(status.reasonPhrase()) + "\",\"status\":"
                + status.code() + ",\"detail\":\"" + escape(detail) + "\",\"reason\":\"" + escape(reason) + "\"}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }

    static FullHttpResponse rejection(HandoffRejection rejection, boolean keepAlive) {
        return of(HttpResponseStatus.FORBIDDEN, rejection.code(), rejection.detail(), keepAlive);
    }

    private static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
