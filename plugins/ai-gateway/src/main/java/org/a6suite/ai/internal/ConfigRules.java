package org.a6suite.ai.internal;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import org.a6suite.ai.AiGatewayConfig;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.config.InvalidFieldException;
import tools.jackson.databind.JsonNode;

/**
 * The rules of an ai-gateway value that its JSON Schema cannot say, called by the config records' constructors and
 * factories; each failure is an {@link InvalidFieldException} naming the field.
 */
public final class ConfigRules {

    private ConfigRules() {}

    /**
     * Checks the route as a whole: credentials where the provider needs them, unique target ids, aliases and allowed
     * models naming what exists, the 59 s total outside lane mode, passthrough's OpenAI-shaped targets.
     *
     * @return the aliases, each list without duplicates
     */
    public static Map<String, List<String>> checkRoute(
            AiGatewayConfig.Mode mode,
            List<Target> targets,
            Map<String, List<String>> modelAliases,
            Set<String> allowedModels,
            AiGatewayConfig.Timeouts timeouts,
            Optional<AiGatewayConfig.PromptTemplate> prompt) {
        Set<String> ids = new LinkedHashSet<>();
        for (int i = 0; i < targets.size(); i++) {
            Target t = targets.get(i);
            if (t.credentials().isEmpty() && t.type().requiresCredentials()) {
                throw new InvalidFieldException(
                        "targets[" + i + "].credentials",
                        "absent",
                        "{\"env\": \"NAME\"} or {\"file\": \"/path\"} for provider "
                                + t.type().wireName());
            }
            if (!ids.add(t.id())) {
                throw new InvalidFieldException("targets[" + i + "].id", quote(t.id()), "unique target ids");
            }
        }
        Map<String, List<String>> aliases = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : modelAliases.entrySet()) {
            for (String id : e.getValue()) {
                if (!ids.contains(id)) {
                    throw new InvalidFieldException(
                            "model_aliases." + e.getKey(), quote(id), "a target id, one of " + new TreeSet<>(ids));
                }
            }
            aliases.put(e.getKey(), List.copyOf(new LinkedHashSet<>(e.getValue())));
        }
        Set<String> known = new TreeSet<>(modelAliases.keySet());
        targets.forEach(t -> known.add(t.model()));
        for (String m : allowedModels) {
            if (!known.contains(m)) {
                throw new InvalidFieldException(
                        "allowed_models", quote(m), "a target's model or an alias, one of " + known);
            }
        }
        if (mode != AiGatewayConfig.Mode.LANE && timeouts.total().compareTo(AiGatewayConfig.MAX_TOTAL) > 0) {
            throw new InvalidFieldException(
                    "timeouts.total_ms",
                    timeouts.total().toMillis(),
                    "<= "
                            + AiGatewayConfig.MAX_TOTAL.toMillis()
                            + " outside lane mode (use \"mode\": \"lane\" for longer calls)");
        }
        if (prompt.flatMap(AiGatewayConfig.PromptTemplate::model)
                .filter(m -> !known.contains(m))
                .isPresent()) {
            throw new InvalidFieldException(
                    "prompt.model", quote(prompt.get().model().get()), "a target's model or an alias, one of " + known);
        }
        if (mode == AiGatewayConfig.Mode.PASSTHROUGH) {
            for (int i = 0; i < targets.size(); i++) {
                if (!targets.get(i).type().openAiShaped()) {
                    throw new InvalidFieldException(
                            "targets[" + i + "].type",
                            quote(targets.get(i).type().wireName()),
                            "an OpenAI-shaped provider in passthrough mode (openai, azure-openai,"
                                    + " mistral, deepseek, openai-compatible)");
                }
            }
            if (prompt.isPresent()) {
                throw new InvalidFieldException("prompt", "present", "absent in passthrough mode");
            }
        }
        return Map.copyOf(aliases);
    }

    /** The attempt deadline's bounds: floor <= ceiling <= total, warmup within floor and ceiling. */
    public static void checkAttempt(Duration total, Duration floor, Duration ceiling, Duration warmup) {
        if (ceiling.compareTo(floor) < 0) {
            throw new InvalidFieldException(
                    "attempt_ceiling_ms", ceiling.toMillis(), ">= attempt_floor_ms (" + floor.toMillis() + ")");
        }
        if (ceiling.compareTo(total) > 0) {
            throw new InvalidFieldException(
                    "attempt_ceiling_ms", ceiling.toMillis(), "<= total_ms (" + total.toMillis() + ")");
        }
        if (warmup.compareTo(floor) < 0 || warmup.compareTo(ceiling) > 0) {
            throw new InvalidFieldException(
                    "attempt_warmup_ms",
                    warmup.toMillis(),
                    floor.toMillis() + " <= attempt_warmup_ms <= " + ceiling.toMillis());
        }
    }

    /** A retry's largest backoff is at least its base backoff. */
    public static void checkBackoff(Duration baseBackoff, Duration maxBackoff) {
        if (maxBackoff.compareTo(baseBackoff) < 0) {
            throw new InvalidFieldException(
                    "max_backoff_ms", maxBackoff.toMillis(), ">= base_backoff_ms (" + baseBackoff.toMillis() + ")");
        }
    }

    /** An http(s) URL with a host and neither query nor user info. */
    public static void checkEndpoint(String endpoint) {
        String expected = "an http(s) URL with a host and no query or user info, e.g. https://api.openai.com";
        try {
            URI uri = new URI(endpoint);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")
                    || uri.getHost() == null
                    || uri.getRawQuery() != null
                    || uri.getRawUserInfo() != null) {
                throw new InvalidFieldException("endpoint", quote(endpoint), expected);
            }
        } catch (URISyntaxException e) {
            throw new InvalidFieldException("endpoint", quote(endpoint), "a valid http(s) URL");
        }
    }

    /** A credential file's path ({@code {"file": "/path"}}), which must be absolute. */
    public static Path absolutePath(String file) {
        Path path = Path.of(file);
        if (!path.isAbsolute()) {
            throw new InvalidFieldException("file", quote(file), "an absolute path");
        }
        return path;
    }

    /** The {@code {{name}}} variables of a prompt template, in order of first use. */
    public static Set<String> variables(String template) {
        Set<String> variables = new LinkedHashSet<>();
        Matcher m = ConfigParser.VARIABLE.matcher(template);
        while (m.find()) {
            variables.add(m.group(1));
        }
        return variables;
    }

    /** Compiles a prompt's input or output schema, so a broken one fails at PrepareConf, not per request. */
    public static void compileSchema(Optional<JsonNode> schema, String field) {
        schema.ifPresent(s -> {
            try {
                Schemas.compile(s);
            } catch (RuntimeException e) {
                throw new InvalidFieldException(
                        field, "an invalid schema (" + e.getMessage() + ")", "a JSON Schema (draft 2020-12) object");
            }
        });
    }

    private static String quote(String s) {
        return InvalidFieldException.quote(s);
    }
}
