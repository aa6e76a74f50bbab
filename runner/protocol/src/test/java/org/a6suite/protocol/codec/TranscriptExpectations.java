package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
import tools.jackson.databind.JsonNode;

/**
 * Compares a decoded message with the transcript's independent decoding ({@code decoded}). Every key of
 * {@code decoded} must be one this class checks, so a new recorded field cannot be silently ignored.
 */
final class TranscriptExpectations {

    private TranscriptExpectations() {}

    static void assertMatches(JsonNode d, A6Message message) {
        Set<Integer> slots = slots(d);
        switch (d.get("msg").asString()) {
            case "PrepareConf.Req" -> {
                known(d, "conf", "key");
                PrepareConfRequest m = (PrepareConfRequest) message;
                assertEntries(d.get("conf"), m.conf(), "conf");
                assertThat(slots.contains(0)).as("conf slot present").isEqualTo(d.has("conf"));
                assertThat(m.key()).isEqualTo(optionalText(d.get("key")));
            }
            case "PrepareConf.Resp" -> {
                known(d, "conf_token");
                assertThat(((PrepareConfResponse) message).confToken())
                        .isEqualTo(d.get("conf_token").asLong());
            }
            case "HTTPReqCall.Req" -> {
                known(
                        d,
                        "id",
                        "id_worker",
                        "id_counter",
                        "src_ip_hex",
                        "src_ip",
                        "method",
                        "path",
                        "path_hex",
                        "args",
                        "headers",
                        "conf_token");
                HttpReqCallRequest m = (HttpReqCallRequest) message;
                assertThat(m.id()).isEqualTo(d.get("id").asLong());
                assertThat(slots.contains(0)).as("id slot (absent iff 0)").isEqualTo(m.id() != 0);
                if (d.has("id_worker")) {
                    assertThat(m.id() >> 22).isEqualTo(d.get("id_worker").asLong());
                    assertThat(m.id() & ((1 << 22) - 1))
                            .isEqualTo(d.get("id_counter").asLong());
                }
                assertThat(HexFormat.of().formatHex(m.srcIp()))
                        .isEqualTo(d.get("src_ip_hex").asString());
                String method = d.get("method").asString();
                if (method.equals("GET(default, absent)")) {
                    assertThat(m.method()).isEqualTo(Method.GET);
                    assertThat(slots).doesNotContain(2);
                } else {
                    assertThat(m.method()).isEqualTo(Method.valueOf(method));
                }
                assertThat(m.path()).isEqualTo(text(d.get("path")));
                if (d.get("path").isObject()) {
                    // s10: raw bytes that are not UTF-8 come through with U+FFFD instead of failing the call.
                    assertThat(m.path()).contains("\uFFFD");
                }
                assertThat(HexFormat.of().formatHex(bytesOf(d.get("path"))))
                        .isEqualTo(d.get("path_hex").asString());
                assertEntries(d.get("args"), m.args(), "args");
                assertEntries(d.get("headers"), m.headers(), "headers");
                assertThat(m.confToken()).isEqualTo(d.get("conf_token").asLong());
            }
            case "HTTPReqCall.Resp" -> {
                known(d, "id", "action_type", "action");
                HttpReqCallResponse m = (HttpReqCallResponse) message;
                assertThat(m.id()).isEqualTo(d.has("id") ? d.get("id").asLong() : 0L);
                assertThat(slots.contains(0)).isEqualTo(d.has("id"));
                switch (d.get("action_type").asString()) {
                    case "NONE" -> assertThat(m.action()).isEqualTo(HttpReqCallResponse.None.INSTANCE);
                    case "Stop" -> assertStop(d.get("action"), (HttpReqCallResponse.Stop) m.action());
                    case "Rewrite" -> assertRewrite(d.get("action"), (HttpReqCallResponse.Rewrite) m.action());
                    default -> throw new AssertionError("action_type " + d.get("action_type"));
                }
            }
            case "HTTPRespCall.Req" -> {
                known(d, "id", "id_worker", "id_counter", "status", "headers", "conf_token");
                HttpRespCallRequest m = (HttpRespCallRequest) message;
                assertThat(m.id()).isEqualTo(d.has("id") ? d.get("id").asLong() : 0L);
                assertThat(m.status())
                        .isEqualTo(d.has("status") ? d.get("status").asInt() : 0);
                assertEntries(d.get("headers"), m.headers(), "headers");
                assertThat(m.confToken()).isEqualTo(d.get("conf_token").asLong());
            }
            case "HTTPRespCall.Resp" -> {
                known(d, "id", "status", "headers", "body");
                HttpRespCallResponse m = (HttpRespCallResponse) message;
                assertThat(m.id()).isEqualTo(d.has("id") ? d.get("id").asLong() : 0L);
                assertThat(m.status())
                        .isEqualTo(d.has("status") ? d.get("status").asInt() : 0);
                assertEntries(d.get("headers"), m.headers(), "headers");
                assertBody(d.get("body"), m.body(), slots.contains(3));
            }
            case "ExtraInfo.Req" -> {
                known(d, "info_type", "info");
                ExtraInfoRequest m = (ExtraInfoRequest) message;
                switch (d.get("info_type").asString()) {
                    case "Var" ->
                        assertThat(m.info())
                                .isEqualTo(new ExtraInfoRequest.Var(
                                        text(d.get("info").get("name"))));
                    case "ReqBody" -> assertThat(m.info()).isEqualTo(ExtraInfoRequest.ReqBody.INSTANCE);
                    case "RespBody" -> assertThat(m.info()).isEqualTo(ExtraInfoRequest.RespBody.INSTANCE);
                    default -> throw new AssertionError("info_type " + d.get("info_type"));
                }
            }
            case "ExtraInfo.Resp" -> {
                known(d, "result", "result_len", "result_absent");
                ExtraInfoResponse m = (ExtraInfoResponse) message;
                if (d.path("result_absent").asBoolean(false)) {
                    assertThat(m.result()).isEmpty();
                    assertThat(slots).doesNotContain(0);
                } else {
                    assertThat(m.result()).isPresent();
                    assertThat(m.result().get())
                            .hasSize(d.get("result_len").asInt())
                            .isEqualTo(bytesOf(d.get("result")));
                }
            }
            case "Err.Resp" -> {
                known(d, "code", "code_name");
                ErrorResponse m = (ErrorResponse) message;
                assertThat(m.code().ordinal()).isEqualTo(d.get("code").asInt());
                assertThat(m.code().name()).isEqualTo(d.get("code_name").asString());
            }
            default -> throw new AssertionError("unknown msg " + d.get("msg"));
        }
    }

    private static void assertStop(JsonNode a, HttpReqCallResponse.Stop stop) {
        known(a, "status", "headers", "body");
        Set<Integer> slots = slots(a);
        assertThat(stop.status()).isEqualTo(a.has("status") ? a.get("status").asInt() : 0);
        assertEntries(a.get("headers"), stop.headers(), "headers");
        assertBody(a.get("body"), stop.body(), slots.contains(2));
    }

    private static void assertRewrite(JsonNode a, HttpReqCallResponse.Rewrite rewrite) {
        known(a, "path", "headers", "args", "resp_headers", "body");
        Set<Integer> slots = slots(a);
        assertThat(rewrite.path()).isEqualTo(optionalText(a.get("path")));
        assertEntries(a.get("headers"), rewrite.headers(), "headers");
        assertEntries(a.get("args"), rewrite.args(), "args");
        assertEntries(a.get("resp_headers"), rewrite.respHeaders(), "resp_headers");
        assertBody(a.get("body"), rewrite.body(), slots.contains(4));
    }

    private static void assertBody(JsonNode expected, Optional<byte[]> body, boolean slotPresent) {
        assertThat(body.isPresent()).as("body present").isEqualTo(slotPresent);
        if (expected != null) {
            assertThat(body).isPresent();
            assertThat(body.get()).isEqualTo(bytesOf(expected));
        }
    }

    private static void assertEntries(JsonNode expected, List<TextEntry> actual, String what) {
        List<TextEntry> want = new ArrayList<>();
        if (expected != null) {
            for (JsonNode e : expected.values()) {
                known(e, "name", "value", "value_absent");
                Optional<String> value =
                        e.path("value_absent").asBoolean(false) ? Optional.empty() : Optional.of(text(e.get("value")));
                want.add(new TextEntry(text(e.get("name")), value));
            }
        }
        assertThat(actual).as(what).containsExactlyElementsOf(want);
    }

    /** A recorded string: plain text, or {@code {non_utf8_hex, latin1}} decoded the lenient way. */
    static String text(JsonNode node) {
        return new String(bytesOf(node), StandardCharsets.UTF_8);
    }

    private static Optional<String> optionalText(JsonNode node) {
        return node == null ? Optional.empty() : Optional.of(text(node));
    }

    static byte[] bytesOf(JsonNode node) {
        if (node.isObject()) {
            return HexFormat.of().parseHex(node.get("non_utf8_hex").asString());
        }
        return node.asString().getBytes(StandardCharsets.UTF_8);
    }

    private static Set<Integer> slots(JsonNode d) {
        Set<Integer> slots = new java.util.HashSet<>();
        d.get("_slots_present").values().forEach(n -> slots.add(n.asInt()));
        return slots;
    }

    /** Fails on a recorded key this class does not check. */
    private static void known(JsonNode d, String... keys) {
        Set<String> allowed = new java.util.HashSet<>(List.of(keys));
        allowed.add("msg");
        allowed.add("_slots_present");
        assertThat(d.propertyNames()).as("recorded fields").isSubsetOf(allowed);
    }
}
