package org.a6suite.mcp.jsonrpc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class JsonRpcCodecTest {

    private final JsonRpcCodec codec = new JsonRpcCodec(JsonMapper.builder().build());

    private JsonRpcCodec.Decoded decode(String json) {
        return codec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReportParseErrorForNonJson() {
        assertThat(decode("{not json")).isInstanceOfSatisfying(JsonRpcCodec.Decoded.Invalid.class, i -> {
            assertThat(i.error().code()).isEqualTo(JsonRpcError.PARSE_ERROR);
            assertThat(i.id()).isEmpty();
        });
    }

    @Test
    void shouldRefuseBatchesAsInvalidRequest() {
        assertThat(decode("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"))
                .isInstanceOfSatisfying(JsonRpcCodec.Decoded.Invalid.class, i -> {
                    assertThat(i.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
                    assertThat(i.error().message()).contains("batches");
                });
    }

    @Test
    void shouldRefuseWrongVersionKeepingTheId() {
        assertThat(decode("{\"jsonrpc\":\"1.0\",\"id\":7,\"method\":\"ping\"}"))
                .isInstanceOfSatisfying(JsonRpcCodec.Decoded.Invalid.class, i -> {
                    assertThat(i.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST);
                    assertThat(i.id()).contains(JsonRpcId.of(7));
                });
    }

    @Test
    void shouldRefuseNullAndFractionalIds() {
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}"))
                .isInstanceOf(JsonRpcCodec.Decoded.Invalid.class);
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}"))
                .isInstanceOf(JsonRpcCodec.Decoded.Invalid.class);
    }

    @Test
    void shouldRefuseScalarParams() {
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\",\"params\":3}"))
                .isInstanceOfSatisfying(
                        JsonRpcCodec.Decoded.Invalid.class,
                        i -> assertThat(i.error().code()).isEqualTo(JsonRpcError.INVALID_REQUEST));
    }

    @Test
    void shouldDecodeRequestsNotificationsAndResponses() {
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\",\"params\":{}}"))
                .isEqualTo(new JsonRpcCodec.Decoded.Valid(new JsonRpcMessage.Request(
                        JsonRpcId.of("a"),
                        "tools/list",
                        Optional.of(JsonMapper.builder().build().createObjectNode()))));
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"))
                .isEqualTo(new JsonRpcCodec.Decoded.Valid(
                        new JsonRpcMessage.Notification("notifications/initialized", Optional.empty())));
        assertThat(decode("{\"jsonrpc\":\"2.0\",\"id\":3,\"error\":{\"code\":-32601,\"message\":\"nope\"}}"))
                .isInstanceOfSatisfying(
                        JsonRpcCodec.Decoded.Valid.class,
                        v -> assertThat(v.message()).isInstanceOfSatisfying(JsonRpcMessage.Response.class, r -> {
                            assertThat(r.isError()).isTrue();
                            assertThat(r.error().orElseThrow().code()).isEqualTo(-32601);
                        }));
    }

    @Test
    void shouldEchoIdTypeWhenEncoding() {
        var response = JsonRpcMessage.Response.success(
                JsonRpcId.of("1"), JsonMapper.builder().build().createObjectNode());
        assertThat(new String(codec.encode(response), StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"result\":{}}");
        var error = JsonRpcMessage.Response.failure(Optional.empty(), JsonRpcError.parseError("bad"));
        assertThat(new String(codec.encode(error), StandardCharsets.UTF_8))
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"bad\"}}");
    }
}
