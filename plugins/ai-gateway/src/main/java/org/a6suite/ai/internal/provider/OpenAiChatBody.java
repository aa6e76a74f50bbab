package org.a6suite.ai.internal.provider;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.a6suite.ai.AiGatewayConfig.ProviderType;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The chat request body an OpenAI-shaped provider gets: the client's body with the target's model, the stream fields
 * and the provider's small differences applied ({@link #mapBody}, a tree, also used by pass-through mode), or the same
 * written straight to bytes without copying the client's tree ({@code chatBody}), which is what
 * {@link OpenAiAdapter} sends.
 */
public final class OpenAiChatBody {

    /** Each target's {@code "model":"<its model>"} as JSON bytes, for provider bodies copied from the client's. */
    private static final LoadingCache<Target, byte[]> MODEL_FIELDS = Caffeine.newBuilder()
            .weakKeys()
            .executor(Runnable::run)
            .build(target -> {
                byte[] object = Json.MAPPER.writeValueAsBytes(Map.of("model", target.model()));
                return java.util.Arrays.copyOfRange(object, 1, object.length - 1);
            });

    private static final byte[] STREAM_TRUE = "\"stream\":true".getBytes(StandardCharsets.UTF_8);
    private static final byte[] STREAM_OPTIONS =
            "\"stream_options\":{\"include_usage\":true}".getBytes(StandardCharsets.UTF_8);

    private OpenAiChatBody() {}

    /** The client's body with the target's model and this provider's small differences applied. */
    public static ObjectNode mapBody(Target target, ObjectNode request, boolean stream) {
        ObjectNode body = request.deepCopy();
        body.put("model", target.model());
        ProviderType type = target.type();
        if (type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            // Neither documents max_completion_tokens; both take max_tokens.
            JsonNode max = body.remove("max_completion_tokens");
            if (max != null && !body.has("max_tokens")) {
                body.set("max_tokens", max);
            }
        }
        if (type == ProviderType.MISTRAL) {
            JsonNode seed = body.remove("seed");
            if (seed != null) {
                body.set("random_seed", seed);
            }
        }
        if (stream) {
            body.put("stream", true);
            if (type != ProviderType.MISTRAL) {
                body.putObject("stream_options").put("include_usage", true);
            } else {
                // Mistral sends usage in its last chunk unasked and rejects unknown parameters, the client's too.
                body.remove("stream_options");
            }
        } else {
            body.remove("stream");
            body.remove("stream_options");
        }
        return body;
    }

    /**
     * {@link #mapBody} written straight to bytes, without copying the client's tree, where the provider needs only
     * the model and the stream fields changed (Mistral and DeepSeek rename fields: they take {@link #mapBody}). The
     * fields come out in the order {@code mapBody}'s copy has them: the client's order, {@code model},
     * {@code stream} and {@code stream_options} in place when the client sent them, appended in that order when not.
     */
    static byte[] chatBody(Target target, ObjectNode request, boolean stream) {
        ProviderType type = target.type();
        if (type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            return Wire.bytes(mapBody(target, request, stream));
        }
        ReusedOutput out = ReusedOutput.acquire();
        try (JsonGenerator g = Json.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            boolean model = false;
            boolean streamSet = false;
            boolean options = false;
            for (Map.Entry<String, JsonNode> field : request.properties()) {
                switch (field.getKey()) {
                    case "model" -> {
                        g.writeStringProperty("model", target.model());
                        model = true;
                    }
                    case "stream" -> {
                        if (stream) {
                            g.writeBooleanProperty("stream", true);
                            streamSet = true;
                        }
                    }
                    case "stream_options" -> {
                        if (stream) {
                            writeStreamOptions(g);
                            options = true;
                        }
                    }
                    default -> {
                        g.writeName(field.getKey());
                        g.writeTree(field.getValue());
                    }
                }
            }
            if (!model) {
                g.writeStringProperty("model", target.model());
            }
            if (stream && !streamSet) {
                g.writeBooleanProperty("stream", true);
            }
            if (stream && !options) {
                writeStreamOptions(g);
            }
            g.writeEndObject();
            g.close();
            return out.toByteArray();
        } finally {
            out.release();
        }
    }

    /**
     * {@link #chatBody(Target, ObjectNode, boolean)} from the client's bytes: every field the provider gets unchanged
     * is copied as the client sent it (no tree, no re-encoding); {@code model}, {@code stream} and
     * {@code stream_options} are replaced or dropped as there, in the same places and order. Bodies kept only as a
     * tree, and Mistral and DeepSeek, go the tree path.
     */
    static byte[] chatBody(Target target, ClientBody request, boolean stream) {
        ProviderType type = target.type();
        if (!request.raw() || type == ProviderType.MISTRAL || type == ProviderType.DEEPSEEK) {
            return chatBody(target, request.tree(), stream);
        }
        ReusedOutput out = ReusedOutput.acquire();
        try {
            out.write('{');
            boolean model = false;
            boolean streamSet = false;
            boolean options = false;
            for (int i = 0; i < request.fields(); i++) {
                switch (request.name(i)) {
                    case "model" -> {
                        separate(out);
                        out.writeBytes(MODEL_FIELDS.get(target));
                        model = true;
                    }
                    case "stream" -> {
                        if (stream) {
                            separate(out);
                            out.writeBytes(STREAM_TRUE);
                            streamSet = true;
                        }
                    }
                    case "stream_options" -> {
                        if (stream) {
                            separate(out);
                            out.writeBytes(STREAM_OPTIONS);
                            options = true;
                        }
                    }
                    default -> {
                        separate(out);
                        request.copyField(i, out);
                    }
                }
            }
            if (!model) {
                separate(out);
                out.writeBytes(MODEL_FIELDS.get(target));
            }
            if (stream && !streamSet) {
                separate(out);
                out.writeBytes(STREAM_TRUE);
            }
            if (stream && !options) {
                separate(out);
                out.writeBytes(STREAM_OPTIONS);
            }
            out.write('}');
            return out.toByteArray();
        } finally {
            out.release();
        }
    }

    /** A comma unless the object was just opened. */
    private static void separate(ReusedOutput out) {
        if (out.size() > 1) {
            out.write(',');
        }
    }

    private static void writeStreamOptions(JsonGenerator g) {
        g.writeName("stream_options");
        g.writeStartObject();
        g.writeBooleanProperty("include_usage", true);
        g.writeEndObject();
    }
}
