package org.a6suite.ai.internal.provider;

import java.util.ArrayList;
import java.util.List;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads an OpenAI-shaped whole chat answer and writes the client's answer in one pass, token by token (Jackson's
 * streaming parser into its generator): no tree of the answer is built and nothing is serialised twice. The result
 * is what the tree path ({@link OpenAiAdapter#parseChat}, then the gateway's usage and model rules, then
 * serialisation) writes: the provider's fields in its order, {@code usage} rewritten in place to
 * {@code prompt_tokens}, {@code completion_tokens} and {@code total_tokens}, {@code model} appended when the provider
 * named none.
 *
 * <p>Only the common case is taken here; anything else returns {@code null} and the caller takes the tree path,
 * which decides as before (including which malformed answers fail): a body that is not one JSON object, no
 * {@code choices} array, no {@code usage} with integral {@code prompt_tokens} (the tree path estimates), a
 * {@code model} that is not a string, a top-level name given twice (the tree keeps the last). Nested objects are
 * copied as the provider wrote them.
 *
 * <p>The answer is written into this thread's {@link ReusedOutput} and copied out once, at its exact size.
 */
public final class OpenAiAnswer {

    private OpenAiAnswer() {}

    /** The client's answer for {@code body}, or {@code null} when the tree path must decide (see above). */
    public static EncodedChat encode(Target target, byte[] body) {
        ReusedOutput out = ReusedOutput.acquire();
        // The mapper's stream factory, not the mapper: only tokens are copied here, and the mapper would build a
        // (de)serialisation context per parser and generator that nothing here uses. Same constraints and features.
        try (JsonParser p = Json.MAPPER.tokenStreamFactory().createParser(body);
                JsonGenerator g = Json.MAPPER.tokenStreamFactory().createGenerator(out)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            g.writeStartObject();
            List<String> names = new ArrayList<>(8);
            String model = null;
            Usage usage = null;
            boolean choices = false;
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                if (names.contains(name)) {
                    return null;
                }
                names.add(name);
                JsonToken value = p.nextToken();
                switch (name) {
                    case "usage" -> {
                        usage = usage(p, value);
                        if (usage == null) {
                            return null;
                        }
                        g.writeName("usage");
                        writeUsage(g, usage);
                    }
                    case "model" -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        model = p.getString();
                        g.writeStringProperty("model", model);
                    }
                    case "choices" -> {
                        if (value != JsonToken.START_ARRAY) {
                            return null;
                        }
                        choices = true;
                        g.writeName("choices");
                        g.copyCurrentStructure(p);
                    }
                    default -> {
                        g.writeName(name);
                        g.copyCurrentStructure(p);
                    }
                }
            }
            if (!choices || usage == null || p.nextToken() != null) {
                return null;
            }
            if (model == null) {
                model = target.model();
                g.writeStringProperty("model", model);
            }
            g.writeEndObject();
            g.close();
            return new EncodedChat(out.toByteArray(), model, usage);
        } catch (JacksonException e) {
            return null;
        } finally {
            out.release();
        }
    }

    /** The provider's usage when it has integral prompt and completion counts (completion may be absent: 0). */
    private static Usage usage(JsonParser p, JsonToken value) {
        if (value != JsonToken.START_OBJECT) {
            return null;
        }
        long prompt = -1;
        long completion = 0;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken token = p.nextToken();
            if (name.equals("prompt_tokens") || name.equals("completion_tokens")) {
                if (token != JsonToken.VALUE_NUMBER_INT
                        || p.getNumberType() != JsonParser.NumberType.INT
                                && p.getNumberType() != JsonParser.NumberType.LONG) {
                    return null;
                }
                if (name.equals("prompt_tokens")) {
                    prompt = p.getLongValue();
                } else {
                    completion = p.getLongValue();
                }
            } else {
                p.skipChildren();
            }
        }
        return prompt < 0 ? null : new Usage(prompt, completion, false);
    }

    private static void writeUsage(JsonGenerator g, Usage usage) {
        g.writeStartObject();
        g.writeNumberProperty("prompt_tokens", usage.input());
        g.writeNumberProperty("completion_tokens", usage.output());
        g.writeNumberProperty("total_tokens", usage.total());
        g.writeEndObject();
    }
}
