package org.a6suite.ai.internal.provider;

import java.util.ArrayList;
import java.util.List;
import org.a6suite.ai.internal.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** OpenAI embeddings input ({@code input}: a string or an array of strings) and output ({@code object: list}). */
public final class EmbeddingInputs {

    private EmbeddingInputs() {}

    /** The texts to embed; token-id arrays are rejected earlier, by request validation. */
    public static List<String> of(ObjectNode request) {
        JsonNode input = request.path("input");
        List<String> texts = new ArrayList<>();
        if (input.isString()) {
            texts.add(input.asString());
        } else {
            input.forEach(i -> texts.add(i.asString("")));
        }
        return texts;
    }

    /** An OpenAI embeddings response from bare vectors (usage is added by the gateway). */
    public static ObjectNode list(String model, ArrayNode vectors) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode item = data.addObject();
            item.put("object", "embedding");
            item.put("index", i);
            item.set("embedding", vectors.get(i));
        }
        out.put("model", model);
        return out;
    }
}
