package org.a6suite.ai.internal.provider;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.a6suite.ai.internal.Json;
import org.a6suite.http.codec.LineDecoder;
import org.a6suite.http.codec.SseDecoder;
import org.a6suite.http.codec.SseEvent;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Translates one provider stream, as it arrives, into OpenAI {@code chat.completion.chunk} objects. Stateful and
 * per call; only translates (no I/O, no time). Fed by one reader at a time.
 *
 * <p>Usage chunks are not emitted: the usage the provider reported is kept in {@link #usage()} and the gateway sends
 * its own final usage chunk (with cost) once the stream is complete.
 */
public abstract sealed class StreamTranslator permits StreamTranslator.Sse, StreamTranslator.Ndjson {

    /** Longest line of a provider stream; a tool call's arguments may arrive whole in one Gemini or Ollama line. */
    public static final int MAX_LINE_BYTES = 4 * 1024 * 1024;

    private final long created = System.currentTimeMillis() / 1000;
    protected String id = "chatcmpl-" + UUID.randomUUID();
    protected String model;
    protected Optional<Usage> usage = Optional.empty();
    protected boolean done;
    private Optional<ProviderException> failure = Optional.empty();
    private List<ObjectNode> out = new ArrayList<>();

    protected StreamTranslator(String model) {
        this.model = model;
    }

    /**
     * Translates the next bytes.
     *
     * @return the chunks they complete, possibly none; when the bytes also held an error the provider reported in
     *     the stream, or were unreadable ({@link ProviderException.Kind#MALFORMED}), the chunks before it, and
     *     {@link #failure()} tells the error (nothing more is translated)
     */
    public final List<ObjectNode> feed(ByteBuffer bytes) {
        out = new ArrayList<>(4);
        if (failure.isPresent()) {
            return out;
        }
        try {
            decode(bytes);
        } catch (ProviderException e) {
            failure = Optional.of(e);
        }
        return out;
    }

    /** The failure the stream reported or that reading it met, once {@link #feed} met one. */
    public final Optional<ProviderException> failure() {
        return failure;
    }

    /**
     * The provider's stream ended (at the HTTP level).
     *
     * @throws ProviderException {@link ProviderException.Kind#TRUNCATED_STREAM} if its final event never came
     */
    public final void finish() {
        if (!done) {
            throw ProviderException.of(ProviderException.Kind.TRUNCATED_STREAM, "");
        }
    }

    /** Whether the provider's final event has been seen; bytes after it are ignored. */
    public final boolean done() {
        return done;
    }

    /** The usage the provider reported, if it did. */
    public final Optional<Usage> usage() {
        return usage;
    }

    public final String id() {
        return id;
    }

    public final String model() {
        return model;
    }

    public final long created() {
        return created;
    }

    protected abstract void decode(ByteBuffer bytes);

    protected final void emit(ObjectNode chunk) {
        out.add(chunk);
    }

    /** A chunk with one choice whose delta is returned for filling. */
    protected final ObjectNode delta(ObjectNode[] chunkOut) {
        ObjectNode chunk = chunk();
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        choice.putNull("finish_reason");
        chunkOut[0] = chunk;
        return delta;
    }

    protected final void emitRole() {
        ObjectNode[] c = new ObjectNode[1];
        delta(c).put("role", "assistant").put("content", "");
        emit(c[0]);
    }

    protected final void emitText(String text) {
        if (text == null || text.isEmpty()) {
            return;
        }
        ObjectNode[] c = new ObjectNode[1];
        delta(c).put("content", text);
        emit(c[0]);
    }

    /** A tool-call delta: {@code id} and {@code name} on the call's first delta, arguments in pieces. */
    protected final void emitTool(int index, String callId, String name, String arguments) {
        ObjectNode[] c = new ObjectNode[1];
        ArrayNode calls = delta(c).putArray("tool_calls");
        ObjectNode call = calls.addObject();
        call.put("index", index);
        if (callId != null) {
            call.put("id", callId);
            call.put("type", "function");
        }
        ObjectNode fn = call.putObject("function");
        if (name != null) {
            fn.put("name", name);
        }
        fn.put("arguments", arguments == null ? "" : arguments);
        emit(c[0]);
    }

    protected final void emitFinish(String finishReason) {
        ObjectNode[] c = new ObjectNode[1];
        delta(c);
        ((ObjectNode) c[0].path("choices").path(0)).put("finish_reason", finishReason);
        emit(c[0]);
    }

    /** An empty chunk of this stream: id, object, created, model. */
    public final ObjectNode chunk() {
        ObjectNode chunk = Json.MAPPER.createObjectNode();
        chunk.put("id", id);
        chunk.put("object", "chat.completion.chunk");
        chunk.put("created", created);
        chunk.put("model", model);
        return chunk;
    }

    protected static JsonNode json(String data) {
        try {
            JsonNode node = Json.MAPPER.readTree(data);
            if (node == null || !node.isObject()) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
            return node;
        } catch (JacksonException e) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
    }

    /** A failure the provider reported inside a stream that had already started. */
    protected static ProviderException streamError(String kindHint, String data) {
        ProviderException.Kind kind = switch (kindHint) {
            case "rate_limit_error", "rate_limit_exceeded", "RESOURCE_EXHAUSTED" -> ProviderException.Kind.RATE_LIMITED;
            case "invalid_request_error", "INVALID_ARGUMENT" -> ProviderException.Kind.CLIENT_ERROR;
            default -> ProviderException.Kind.SERVER_ERROR;
        };
        return new ProviderException(
                kind,
                java.util.Optional.empty(),
                java.util.Optional.empty(),
                Wire.providerMessage(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Whether an OpenAI chunk carries content: text, a tool-call delta or a finish reason. */
    public static boolean isContent(JsonNode chunk) {
        for (JsonNode choice : chunk.path("choices")) {
            JsonNode delta = choice.path("delta");
            if (delta.path("content").isString()
                            && !delta.path("content").asString().isEmpty()
                    || delta.path("tool_calls").isArray()
                            && !delta.path("tool_calls").isEmpty()
                    || delta.path("refusal").isString()
                            && !delta.path("refusal").asString().isEmpty()
                    || choice.path("finish_reason").isString()) {
                return true;
            }
        }
        return false;
    }

    /** Base of the SSE-framed translators. */
    abstract static sealed class Sse extends StreamTranslator
            permits OpenAiStreamTranslator, AnthropicStreamTranslator, GeminiStreamTranslator {
        private final SseDecoder decoder = new SseDecoder(MAX_LINE_BYTES);

        Sse(String model) {
            super(model);
        }

        @Override
        protected final void decode(ByteBuffer bytes) {
            if (done) {
                return;
            }
            decoder.feed(bytes, event -> {
                if (!done) {
                    onEvent(event);
                }
            });
            if (decoder.failed()) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
        }

        abstract void onEvent(SseEvent event);
    }

    /** Base of the newline-delimited-JSON translators. */
    abstract static sealed class Ndjson extends StreamTranslator permits OllamaStreamTranslator {
        private final LineDecoder decoder = new LineDecoder(MAX_LINE_BYTES);

        Ndjson(String model) {
            super(model);
        }

        @Override
        protected final void decode(ByteBuffer bytes) {
            if (done) {
                return;
            }
            decoder.feed(bytes, line -> {
                if (!done && !line.isBlank()) {
                    onLine(json(line));
                }
            });
            if (decoder.state() == LineDecoder.State.FAILED) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
        }

        abstract void onLine(JsonNode line);
    }
}
