package org.a6suite.ai.internal;

import java.time.Duration;
import java.util.Optional;
import org.a6suite.ai.AiGatewayConfig;
import tools.jackson.databind.JsonNode;

/**
 * What binding a route's value into {@link AiGatewayConfig}'s records adds to Jackson's plain field mapping, called by
 * the records' {@code @JsonCreator} factories and constructors: defaults derived from other fields (which the
 * schema's fixed defaults cannot say), values computed from the given ones, schemas compiled once. The records keep
 * the fields and their invariants; {@link ConfigRules} keeps the checks.
 */
public final class ConfigBinding {

    private ConfigBinding() {}

    /**
     * The {@code timeouts} object: the attempt ceiling (50 s, at most the total) and warmup (30 s, at most the
     * ceiling), and every stream deadline field left out ({@link StreamDeadlines}), default to values derived from
     * the total.
     */
    public static AiGatewayConfig.Timeouts timeouts(
            Duration total,
            double percentile,
            double multiplier,
            Duration floor,
            Duration ceiling,
            Duration warmup,
            int minSamples,
            StreamDeadlines.Given firstToken,
            StreamDeadlines.Given tokenGap) {
        Duration c = ceiling != null ? ceiling : min(Duration.ofSeconds(50), total);
        Duration w = warmup != null ? warmup : min(Duration.ofSeconds(30), c);
        return new AiGatewayConfig.Timeouts(
                total,
                percentile,
                multiplier,
                floor,
                c,
                w,
                minSamples,
                StreamDeadlines.firstToken(firstToken, total, c, w),
                StreamDeadlines.tokenGap(tokenGap, total));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** {@code retry.max_backoff_ms}: as given, or when left out (null) the larger of 2 s and the base backoff. */
    public static Duration maxBackoff(Duration baseBackoff, Duration maxBackoff) {
        if (maxBackoff != null) {
            return maxBackoff;
        }
        return baseBackoff.compareTo(Duration.ofSeconds(2)) > 0 ? baseBackoff : Duration.ofSeconds(2);
    }

    /** The {@code prompt} object: collects the template's variables and compiles both schemas. */
    public static AiGatewayConfig.PromptTemplate prompt(
            Optional<String> system,
            String template,
            Optional<JsonNode> inputSchema,
            Optional<JsonNode> outputSchema,
            Optional<String> model,
            Optional<Double> temperature,
            Optional<Integer> maxTokens) {
        // Jackson reads an absent JsonNode property as a JSON null.
        inputSchema = inputSchema.filter(n -> !n.isNull());
        outputSchema = outputSchema.filter(n -> !n.isNull());
        ConfigRules.compileSchema(inputSchema, "input_schema");
        ConfigRules.compileSchema(outputSchema, "output_schema");
        return new AiGatewayConfig.PromptTemplate(
                system,
                template,
                ConfigRules.variables(template),
                inputSchema,
                outputSchema,
                model,
                temperature,
                maxTokens);
    }
}
