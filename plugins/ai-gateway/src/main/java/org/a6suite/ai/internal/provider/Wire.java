package org.a6suite.ai.internal.provider;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.a6suite.ai.internal.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Helpers shared by the adapters: JSON reading, error statuses, OpenAI result shapes, content parts. */
public final class Wire {

    private static final int MAX_PROVIDER_MESSAGE = 300;

    private Wire() {}

    /** Parses a provider body that must be a JSON object. */
    public static ObjectNode object(byte[] body) {
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
            }
            return (ObjectNode) node;
        } catch (JacksonException e) {
            throw ProviderException.of(ProviderException.Kind.MALFORMED, "");
        }
    }

    public static byte[] bytes(JsonNode node) {
        return Json.MAPPER.writeValueAsBytes(node);
    }

    /** Maps a non-2xx status to a failure, reading the provider's message and any Retry-After. */
    public static ProviderException error(int status, HttpHeaders headers, byte[] body, Clock clock) {
        String message = providerMessage(body);
        Optional<Duration> retryAfter = retryAfter(headers, clock);
        ProviderException.Kind kind;
        if (status == 429) {
            kind = ProviderException.Kind.RATE_LIMITED;
        } else if (status >= 500 || status == 408 || status == 409) {
            kind = ProviderException.Kind.SERVER_ERROR;
        } else if (status == 401 || status == 403) {
            kind = ProviderException.Kind.AUTH;
        } else if (status >= 400) {
            kind = ProviderException.Kind.CLIENT_ERROR;
        } else {
            kind = ProviderException.Kind.MALFORMED;
        }
        return new ProviderException(kind, Optional.of(status), retryAfter, message);
    }

    /**
     * The server's minimum delay: OpenAI's {@code retry-after-ms}, else {@code Retry-After} as seconds or an HTTP
     * date.
     */
    public static Optional<Duration> retryAfter(HttpHeaders headers, Clock clock) {
        Optional<String> ms = headers.firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                return Optional.of(Duration.ofMillis(
                        Math.max(0, (long) Double.parseDouble(ms.get().trim()))));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        Optional<String> value = headers.firstValue("retry-after");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get().trim();
        try {
            return Optional.of(Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(v) * 1000))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(clock.instant(), at.toInstant());
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    /** The provider's error text from the usual shapes ({@code error.message}, {@code error}, {@code message}). */
    static String providerMessage(byte[] body) {
        String text;
        try {
            JsonNode node = Json.MAPPER.readTree(body);
            JsonNode error = node.path("error");
            if (error.isObject() && error.path("message").isString()) {
                text = error.path("message").asString();
            } else if (error.isString()) {
                text = error.asString();
            } else if (node.path("message").isString()) {
                text = node.path("message").asString();
            } else {
                text = "";
            }
        } catch (JacksonException | IllegalArgumentException e) {
            text = "";
        }
        return text.length() > MAX_PROVIDER_MESSAGE ? text.substring(0, MAX_PROVIDER_MESSAGE) : text;
    }

    /** The text of an OpenAI message's {@code content}: a string, or the text parts of an array joined. */
    public static String text(JsonNode content) {
        if (content == null || content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (content.isString()) {
            return content.asString();
        }
        StringBuilder sb = new StringBuilder();
        if (content.isArray()) {
            for (JsonNode part : content) {
                if ("text".equals(part.path("type").asString("")) || part.has("text")) {
                    if (!sb.isEmpty()) {
                        sb.append('\n');
                    }
                    sb.append(part.path("text").asString(""));
                }
            }
        }
        return sb.toString();
    }

    /** A decoded {@code data:} URL: media type and base64 payload. */
    public record DataUrl(String mediaType, String base64) {
        /** Parses {@code data:image/png;base64,....}; empty for anything else (e.g. an http URL). */
        public static Optional<DataUrl> parse(String url) {
            if (url == null || !url.startsWith("data:")) {
                return Optional.empty();
            }
            int comma = url.indexOf(',');
            int semi = url.indexOf(";base64");
            if (comma < 0 || semi < 0 || semi > comma) {
                return Optional.empty();
            }
            return Optional.of(new DataUrl(url.substring(5, semi), url.substring(comma + 1)));
        }
    }

    /** Guesses an image media type from a URL's extension, for providers that require one. */
    public static String mediaTypeOf(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains(".png")) {
            return "image/png";
        }
        if (lower.contains(".gif")) {
            return "image/gif";
        }
        if (lower.contains(".webp")) {
            return "image/webp";
        }
        return "image/jpeg";
    }

    /** The stop sequences of an OpenAI request ({@code stop} is a string or an array). */
    public static List<String> stops(ObjectNode request) {
        JsonNode stop = request.get("stop");
        List<String> stops = new ArrayList<>();
        if (stop == null || stop.isNull()) {
            return stops;
        }
        if (stop.isString()) {
            stops.add(stop.asString());
        } else if (stop.isArray()) {
            stop.forEach(s -> stops.add(s.asString()));
        }
        return stops;
    }

    /** {@code max_completion_tokens} (newer) or {@code max_tokens}. */
    public static Optional<Integer> maxTokens(ObjectNode request) {
        JsonNode v =
                request.has("max_completion_tokens") ? request.get("max_completion_tokens") : request.get("max_tokens");
        return v != null && v.isIntegralNumber() ? Optional.of(v.asInt()) : Optional.empty();
    }

    /** An OpenAI {@code chat.completion} with one choice. */
    public static ObjectNode completion(
            String id, String model, String content, ArrayNode toolCalls, String finishReason, Optional<Usage> usage) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("id", id == null || id.isBlank() ? "chatcmpl-" + UUID.randomUUID() : id);
        out.put("object", "chat.completion");
        out.put("created", System.currentTimeMillis() / 1000);
        out.put("model", model);
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (content == null || content.isEmpty() && toolCalls != null && !toolCalls.isEmpty()) {
            message.putNull("content");
        } else {
            message.put("content", content);
        }
        if (toolCalls != null && !toolCalls.isEmpty()) {
            message.set("tool_calls", toolCalls);
        }
        choice.put("finish_reason", finishReason);
        usage.ifPresent(u -> putUsage(out, u));
        return out;
    }

    public static void putUsage(ObjectNode out, Usage u) {
        ObjectNode usage = out.putObject("usage");
        usage.put("prompt_tokens", u.input());
        usage.put("completion_tokens", u.output());
        usage.put("total_tokens", u.total());
    }

    /** An OpenAI tool call entry. */
    public static ObjectNode toolCall(String id, String name, String arguments) {
        ObjectNode call = Json.MAPPER.createObjectNode();
        call.put("id", id);
        call.put("type", "function");
        ObjectNode fn = call.putObject("function");
        fn.put("name", name);
        fn.put("arguments", arguments);
        return call;
    }

    /** Parses tool-call arguments (a JSON string in OpenAI's format) into an object; {} when unreadable. */
    public static JsonNode arguments(JsonNode arguments) {
        if (arguments == null || arguments.isNull()) {
            return Json.MAPPER.createObjectNode();
        }
        if (arguments.isObject()) {
            return arguments;
        }
        try {
            JsonNode parsed = Json.MAPPER.readTree(arguments.asString(""));
            return parsed != null && parsed.isObject() ? parsed : Json.MAPPER.createObjectNode();
        } catch (JacksonException e) {
            return Json.MAPPER.createObjectNode();
        }
    }
}
