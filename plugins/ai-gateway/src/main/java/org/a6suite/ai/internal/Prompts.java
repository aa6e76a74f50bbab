package org.a6suite.ai.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.networknt.schema.Schema;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import org.a6suite.ai.AiGatewayConfig.PromptTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Prompts as REST endpoints: checks the caller's variables against the input schema, renders the template into an
 * OpenAI chat request, and reads the model's answer back (as JSON checked against the output schema, when one is
 * configured).
 */
public final class Prompts {

    /** Compiled schemas by their JSON; bounded because schemas come from route configuration. */
    private static final Cache<JsonNode, Schema> SCHEMAS =
            Caffeine.newBuilder().maximumSize(1_000).build();

    private Prompts() {}

    static Schema schema(JsonNode node) {
        return SCHEMAS.get(node, Schemas::compile);
    }

    /** Builds the chat request for {@code variables}, or fails with a 400 naming what is wrong. */
    public static ObjectNode render(PromptTemplate prompt, JsonNode variables) {
        if (!variables.isObject()) {
            throw ApiError.invalid(
                            "the request body must be a JSON object of the prompt's variables",
                            null,
                            "invalid_variables")
                    .failure();
        }
        if (prompt.inputSchema().isPresent()) {
            List<Schemas.Problem> errors =
                    Schemas.errors(schema(prompt.inputSchema().get()), variables, 5);
            if (!errors.isEmpty()) {
                // Named like every argument error: "text: 5 (expected: a string)"; param is the first field.
                throw ApiError.invalid(
                                "input does not match the prompt's input_schema: "
                                        + String.join(
                                                "; ",
                                                errors.stream()
                                                        .map(Schemas.Problem::toString)
                                                        .toList()),
                                errors.get(0).field().orElse(null),
                                "invalid_variables")
                        .failure();
            }
        }
        for (String name : prompt.variables()) {
            if (!variables.has(name) || variables.get(name).isNull()) {
                throw ApiError.invalid("missing variable '" + name + "'", name, "missing_variable")
                        .failure();
            }
        }
        Matcher m = ConfigParser.VARIABLE.matcher(prompt.template());
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            JsonNode value = variables.get(m.group(1));
            m.appendReplacement(text, Matcher.quoteReplacement(value.isString() ? value.asString() : value.toString()));
        }
        m.appendTail(text);

        ObjectNode request = Json.MAPPER.createObjectNode();
        prompt.model().ifPresent(model -> request.put("model", model));
        var messages = request.putArray("messages");
        prompt.system()
                .ifPresent(system -> messages.addObject().put("role", "system").put("content", system));
        messages.addObject().put("role", "user").put("content", text.toString());
        prompt.temperature().ifPresent(t -> request.put("temperature", t));
        prompt.maxTokens().ifPresent(t -> request.put("max_tokens", t));
        if (prompt.outputSchema().isPresent()) {
            ObjectNode format = request.putObject("response_format");
            format.put("type", "json_schema");
            ObjectNode schema = format.putObject("json_schema");
            schema.put("name", "output");
            schema.set("schema", prompt.outputSchema().get());
        }
        return request;
    }

    /**
     * The endpoint's answer from the model's text: with an output schema, the parsed JSON (code fences tolerated),
     * checked; otherwise {@code {"output": text}}. Empty when the output is not valid JSON for the schema.
     */
    public static Optional<JsonNode> output(PromptTemplate prompt, String text, List<String> problems) {
        if (prompt.outputSchema().isEmpty()) {
            return Optional.of(Json.MAPPER.createObjectNode().put("output", text));
        }
        String json = text.strip();
        if (json.startsWith("```")) {
            int firstLine = json.indexOf('\n');
            int fence = json.lastIndexOf("```");
            json = firstLine > 0 && fence > firstLine
                    ? json.substring(firstLine + 1, fence).strip()
                    : json;
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(json);
        } catch (JacksonException e) {
            problems.add("model output is not JSON");
            return Optional.empty();
        }
        List<Schemas.Problem> errors =
                Schemas.errors(schema(prompt.outputSchema().get()), parsed, 5);
        if (!errors.isEmpty()) {
            errors.forEach(e -> problems.add(e.toString()));
            return Optional.empty();
        }
        return Optional.of(parsed);
    }
}
