package org.a6suite.testing.ai;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * TEST FIXTURE. Writes one stream in a provider's format: head and opening events, content events (dripping or as
 * fast as the socket takes them), closing events; scripted faults cut in before the first or after the n-th content
 * event, or hold each content event until the test's {@link TokenGate} lets it through.
 */
final class StreamEmitter {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final ChannelHandlerContext ctx;
    private final ProviderFlavor flavor;
    private final String model;
    private final Fault fault;
    private final boolean usage;
    private final Script.Drip shape;
    private final List<String> textPieces;
    private final int tokens;
    private int sent;

    StreamEmitter(ChannelHandlerContext ctx, ProviderFlavor flavor, JsonNode request, Fault fault, Script script) {
        this.shape = script.drip();
        this.ctx = ctx;
        this.flavor = flavor;
        this.model = request.path("model").asString(flavor == ProviderFlavor.GEMINI ? "gemini-test" : "deployment");
        this.fault = fault;
        this.usage = !script.omitUsage()
                && (flavor != ProviderFlavor.OPENAI && flavor != ProviderFlavor.AZURE
                        || request.path("stream_options").path("include_usage").asBoolean(false));
        this.textPieces = shape.tokens() > 0 ? List.of() : pieces(script.replyText());
        this.tokens = shape.tokens() > 0 ? shape.tokens() : textPieces.size();
    }

    void start() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(
                        HttpHeaderNames.CONTENT_TYPE,
                        flavor == ProviderFlavor.OLLAMA ? "application/x-ndjson" : "text/event-stream");
        head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        ctx.write(head);
        for (String e : prologue()) {
            ctx.write(content(e));
        }
        ctx.flush();
        if (fault instanceof Fault.StallBeforeFirstToken) {
            return;
        }
        long first = shape.firstToken().toMillis();
        if (first > 0) {
            ctx.executor().schedule(this::step, first, TimeUnit.MILLISECONDS);
        } else {
            step();
        }
    }

    private void step() {
        if (!ctx.channel().isActive()) {
            return;
        }
        int batch = shape.gap().isZero() ? 256 : 1;
        for (int i = 0; i < batch && sent < tokens; i++) {
            if (faultDue()) {
                return;
            }
            if (fault instanceof Fault.Gated g
                    && !g.gate().mayPass(sent, () -> ctx.executor().execute(this::step))) {
                ctx.flush(); // what went before the held event reaches the client now
                return;
            }
            ctx.write(content(token(sent)));
            sent++;
        }
        if (faultDue()) {
            ctx.flush();
            return;
        }
        if (sent >= tokens) {
            if (!(fault instanceof Fault.Truncated)) {
                for (String e : epilogue()) {
                    ctx.write(content(e));
                }
            }
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        if (shape.gap().isZero()) {
            // Wait until the batch reached the socket: the client's reading paces the server.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (f.isSuccess()) {
                    step();
                }
            });
        } else {
            ctx.flush();
            ctx.executor().schedule(this::step, shape.gap().toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Applies a mid-stream fault once its token count is reached; true when the stream stops here. */
    private boolean faultDue() {
        switch (fault) {
            case Fault.StallAfter f
            when sent >= f.tokens() -> {
                ctx.flush();
                return true;
            }
            case Fault.ResetAfter f
            when sent >= f.tokens() -> {
                ctx.flush();
                ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                ctx.close();
                return true;
            }
            case Fault.ErrorAfter f
            when sent >= f.tokens() -> {
                ctx.write(content(errorEvent()));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    private String piece(int i) {
        return shape.tokens() > 0 ? "tok" + i + " " : textPieces.get(i);
    }

    private List<String> prologue() {
        return switch (flavor) {
            case ANTHROPIC ->
                List.of(
                        event(
                                "message_start",
                                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_test\","
                                        + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"" + model
                                        + "\",\"content\":[],\"stop_reason\":null,\"usage\":{\"input_tokens\":"
                                        + AiProviderServer.PROMPT_TOKENS + ",\"output_tokens\":1}}}"),
                        event(
                                "content_block_start",
                                "{\"type\":\"content_block_start\",\"index\":0,"
                                        + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
                        event("ping", "{\"type\":\"ping\"}"));
            case OPENAI, AZURE ->
                List.of(data(openAiHead() + "\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}"));
            case GEMINI, OLLAMA -> List.of();
        };
    }

    private String token(int i) {
        String text = quote(piece(i));
        return switch (flavor) {
            case ANTHROPIC ->
                event(
                        "content_block_delta",
                        "{\"type\":\"content_block_delta\",\"index\":0,"
                                + "\"delta\":{\"type\":\"text_delta\",\"text\":" + text + "}}");
            case OPENAI, AZURE ->
                data(openAiHead() + "\"choices\":[{\"index\":0,\"delta\":{\"content\":" + text
                        + "},\"finish_reason\":null}]}");
            case GEMINI ->
                data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[{\"text\":"
                        + text + "}]},\"index\":0}],\"modelVersion\":\"gemini-test\","
                        + "\"responseId\":\"resp-test\"}");
            case OLLAMA ->
                "{\"model\":\"" + model + "\",\"created_at\":\"2026-01-01T00:00:00Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":" + text + "},\"done\":false}\n";
        };
    }

    private List<String> epilogue() {
        return switch (flavor) {
            case ANTHROPIC ->
                List.of(
                        event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
                        event(
                                "message_delta",
                                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
                                        + "\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":"
                                        + (usage ? AiProviderServer.COMPLETION_TOKENS : 0) + "}}"),
                        event("message_stop", "{\"type\":\"message_stop\"}"));
            case OPENAI, AZURE -> {
                List<String> out = new ArrayList<>();
                out.add(data(
                        openAiHead() + "\"choices\":[{\"index\":0,\"delta\":{}," + "\"finish_reason\":\"stop\"}]}"));
                if (usage) {
                    out.add(data(openAiHead() + "\"choices\":[],\"usage\":{\"prompt_tokens\":"
                            + AiProviderServer.PROMPT_TOKENS
                            + ",\"completion_tokens\":" + AiProviderServer.COMPLETION_TOKENS + ",\"total_tokens\":"
                            + (AiProviderServer.PROMPT_TOKENS + AiProviderServer.COMPLETION_TOKENS) + "}}"));
                }
                out.add(data("[DONE]"));
                yield out;
            }
            case GEMINI ->
                List.of(data("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":"
                        + "[{\"text\":\"\"}]},\"finishReason\":\"STOP\",\"index\":0}]"
                        + (usage
                                ? ",\"usageMetadata\":{\"promptTokenCount\":" + AiProviderServer.PROMPT_TOKENS
                                        + ",\"candidatesTokenCount\":" + AiProviderServer.COMPLETION_TOKENS
                                        + ",\"totalTokenCount\":"
                                        + (AiProviderServer.PROMPT_TOKENS + AiProviderServer.COMPLETION_TOKENS) + "}"
                                : "")
                        + ",\"modelVersion\":\"gemini-test\",\"responseId\":\"resp-test\"}"));
            case OLLAMA ->
                List.of("{\"model\":\"" + model + "\",\"created_at\":\"2026-01-01T00:00:01Z\","
                        + "\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
                        + "\"done_reason\":\"stop\""
                        + (usage
                                ? ",\"prompt_eval_count\":" + AiProviderServer.PROMPT_TOKENS + ",\"eval_count\":"
                                        + AiProviderServer.COMPLETION_TOKENS
                                : "")
                        + "}\n");
        };
    }

    private String errorEvent() {
        return switch (flavor) {
            case ANTHROPIC ->
                event(
                        "error",
                        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                                + "\"message\":\"Overloaded\"}}");
            case OPENAI, AZURE ->
                data("{\"error\":{\"message\":\"scripted mid-stream failure\","
                        + "\"type\":\"server_error\",\"param\":null,\"code\":null}}");
            case GEMINI ->
                data("{\"error\":{\"code\":500,\"message\":\"scripted mid-stream failure\","
                        + "\"status\":\"INTERNAL\"}}");
            case OLLAMA -> "{\"error\":\"scripted mid-stream failure\"}\n";
        };
    }

    private String openAiHead() {
        return "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion.chunk\",\"created\":1700000000," + "\"model\":\""
                + model + "\",";
    }

    private DefaultHttpContent content(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    private static List<String> pieces(String text) {
        List<String> pieces = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 5) {
            pieces.add(text.substring(i, Math.min(text.length(), i + 5)));
        }
        return pieces;
    }

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    private static String data(String data) {
        return "data: " + data + "\n\n";
    }

    private static String quote(String s) {
        return JSON.writeValueAsString(s);
    }
}
