package org.a6suite.ai.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import org.a6suite.ai.internal.provider.ClientBody;
import org.a6suite.ai.internal.provider.Operation;
import org.a6suite.plugin.Body;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Reads a client body with Jackson's streaming parser instead of into a tree: it checks what {@link CallParser}'s
 * tree path checks (same errors, same order: the body's JSON first, then {@code messages} or {@code input},
 * {@code stream}, {@code model}), reads the fields the gateway routes on, and notes where each top-level field lies
 * so a provider body can copy the client's fields as bytes ({@link ClientBody}).
 *
 * <p>It decides only bodies it reads the way the tree path would: one UTF-8 JSON object, no top-level name twice (a
 * tree keeps the last; the bytes hold both), nothing after the object but whitespace, and token limits that fit an
 * {@code int}. For anything else {@link #scan} returns {@code null} and the caller takes the tree path, which decides
 * as before.
 */
final class RequestScan {

    /** The facts read; {@code maxTokens} as {@code Wire.maxTokens} gives it. */
    record Facts(ClientBody body, boolean stream, Optional<String> model, Optional<Integer> maxTokens) {}

    /** Why the tree path decides: a body the scan does not take. */
    private static final class TreePath extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final TreePath INSTANCE = new TreePath();

        private TreePath() {
            super("tree path", null, false, false);
        }
    }

    private final ByteBuffer bytes;
    private final Operation operation;
    private String[] names = new String[8];
    private int[] spans = new int[16];
    private int count;
    private ApiError fieldError;
    private int messages = -1;
    private boolean inputOk;
    private boolean streamBad;
    private boolean stream;
    private boolean modelBad;
    private String model;
    private boolean hasMaxCompletion;
    private Optional<Integer> maxCompletion = Optional.empty();
    private Optional<Integer> maxTokens = Optional.empty();
    private boolean maxCompletionTooLarge;
    private boolean maxTokensTooLarge;

    private RequestScan(Body body, Operation operation) {
        this.bytes = body.asByteBuffer();
        this.operation = operation;
    }

    /**
     * Validates {@code body} for {@code operation} and reads its facts, or returns {@code null} when the tree path
     * must decide.
     *
     * @throws ApiError.Failure what the tree path throws for this body
     */
    static Facts scan(Body body, Operation operation) {
        if (body.isEmpty()) {
            return null;
        }
        RequestScan scan = new RequestScan(body, operation);
        if (!scan.plainUtf8()) {
            return null;
        }
        try {
            return scan.read(body);
        } catch (TreePath e) {
            return null;
        }
    }

    /** No byte-order mark and no NUL in the first bytes: Jackson reads the body as UTF-8, as the offsets assume. */
    private boolean plainUtf8() {
        int first = bytes.get(0) & 0xff;
        if (first == 0xef || first == 0xfe || first == 0xff) {
            return false;
        }
        for (int i = 0; i < Math.min(4, bytes.limit()); i++) {
            if (bytes.get(i) == 0) {
                return false;
            }
        }
        return true;
    }

    private Facts read(Body body) {
        int close;
        // The factory's parser, not the mapper's: only tokens are read, and the mapper builds a deserialisation
        // context per parser.
        try (JsonParser p = Json.MAPPER.tokenStreamFactory().createParser(body.inputStream())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw TreePath.INSTANCE;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                add(name, offset(p));
                JsonToken value = p.nextToken();
                switch (name) {
                    case "messages" -> {
                        if (operation == Operation.CHAT) {
                            messages(p, value);
                        } else {
                            skip(p, value);
                        }
                    }
                    case "input" -> {
                        if (operation == Operation.EMBEDDINGS) {
                            input(p, value);
                        } else {
                            skip(p, value);
                        }
                    }
                    case "stream" -> {
                        streamBad = value != JsonToken.VALUE_TRUE
                                && value != JsonToken.VALUE_FALSE
                                && value != JsonToken.VALUE_NULL;
                        stream = value == JsonToken.VALUE_TRUE;
                        skip(p, value);
                    }
                    case "model" -> {
                        modelBad = value != JsonToken.VALUE_STRING && value != JsonToken.VALUE_NULL;
                        model = value == JsonToken.VALUE_STRING ? p.getString() : null;
                        skip(p, value);
                    }
                    case "max_completion_tokens" -> {
                        hasMaxCompletion = true;
                        maxCompletionTooLarge = tooLarge(p, value);
                        maxCompletion = maxCompletionTooLarge ? Optional.empty() : integral(p, value);
                    }
                    case "max_tokens" -> {
                        maxTokensTooLarge = tooLarge(p, value);
                        maxTokens = maxTokensTooLarge ? Optional.empty() : integral(p, value);
                    }
                    default -> skip(p, value);
                }
            }
            // In an object the parser gives a name or its end, or fails: this is the closing brace.
            close = offset(p);
        } catch (tools.jackson.core.exc.StreamConstraintsException e) {
            throw CallParser.tooDeep();
        } catch (JacksonException e) {
            throw CallParser.notJson();
        }
        if (count > 0) {
            spans[2 * count - 1] = valueEnd(close, false);
        }
        for (int i = close + 1; i < bytes.limit(); i++) {
            if (!whitespace(bytes.get(i))) {
                throw TreePath.INSTANCE;
            }
        }
        if (operation == Operation.CHAT) {
            if (messages <= 0) {
                throw CallParser.messagesMissing();
            }
            if (fieldError != null) {
                throw fieldError.failure();
            }
        } else if (!inputOk) {
            throw CallParser.inputInvalid();
        }
        if (streamBad) {
            throw CallParser.streamNotBoolean();
        }
        if (modelBad) {
            throw CallParser.modelNotString();
        }
        if (hasMaxCompletion ? maxCompletionTooLarge : maxTokensTooLarge) {
            throw CallParser.tokenLimitTooLarge(hasMaxCompletion ? "max_completion_tokens" : "max_tokens");
        }
        ClientBody client = ClientBody.ofBytes(body, Arrays.copyOf(names, count), Arrays.copyOf(spans, 2 * count));
        return new Facts(
                client,
                operation == Operation.CHAT && stream,
                Optional.ofNullable(model),
                hasMaxCompletion ? maxCompletion : maxTokens);
    }

    /** Notes a top-level field starting at {@code start}, and where the one before it ends. */
    private void add(String name, int start) {
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                throw TreePath.INSTANCE;
            }
        }
        if (bytes.get(start) != '"') {
            throw TreePath.INSTANCE;
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            spans = Arrays.copyOf(spans, count * 4);
        }
        if (count > 0) {
            spans[2 * count - 1] = valueEnd(start, true);
        }
        names[count] = name;
        spans[2 * count] = start;
        count++;
    }

    /** Where the value before {@code next} ends: back over whitespace, the comma between fields, whitespace. */
    private int valueEnd(int next, boolean comma) {
        int j = next;
        while (whitespace(bytes.get(j - 1))) {
            j--;
        }
        if (comma) {
            if (bytes.get(j - 1) != ',') {
                throw TreePath.INSTANCE;
            }
            j--;
            while (whitespace(bytes.get(j - 1))) {
                j--;
            }
        }
        return j;
    }

    private static boolean whitespace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static int offset(JsonParser p) {
        long offset = p.currentTokenLocation().getByteOffset();
        if (offset < 0 || offset > Integer.MAX_VALUE) {
            throw TreePath.INSTANCE;
        }
        return (int) offset;
    }

    /** {@code messages}: each one an object with a known role and content (or tool calls), as the tree path checks. */
    private void messages(JsonParser p, JsonToken value) {
        if (value != JsonToken.START_ARRAY) {
            skip(p, value);
            messages = -1;
            return;
        }
        int i = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            ApiError error = message(p, t, i);
            if (fieldError == null) {
                fieldError = error;
            }
            i++;
        }
        messages = i;
    }

    private static ApiError message(JsonParser p, JsonToken start, int i) {
        if (start != JsonToken.START_OBJECT) {
            skip(p, start);
            return CallParser.roleInvalid(i);
        }
        // A name given twice counts as the tree counts it: the last one.
        String role = null;
        JsonToken content = null;
        boolean toolCalls = false;
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "role" -> {
                    role = v == JsonToken.VALUE_STRING ? p.getString() : null;
                    skip(p, v);
                }
                case "content" -> {
                    content = v;
                    skip(p, v);
                }
                case "tool_calls" -> toolCalls = nonEmptyArray(p, v);
                default -> skip(p, v);
            }
        }
        if (role == null || !CallParser.ROLES.contains(role)) {
            return CallParser.roleInvalid(i);
        }
        if (content == null || content == JsonToken.VALUE_NULL) {
            return toolCalls ? null : CallParser.contentMissing(i);
        }
        return content == JsonToken.VALUE_STRING || content == JsonToken.START_ARRAY
                ? null
                : CallParser.contentInvalid(i);
    }

    /** {@code input}: a string or a non-empty array of strings. */
    private void input(JsonParser p, JsonToken value) {
        if (value != JsonToken.START_ARRAY) {
            inputOk = value == JsonToken.VALUE_STRING;
            skip(p, value);
            return;
        }
        int n = 0;
        boolean strings = true;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            strings &= t == JsonToken.VALUE_STRING;
            skip(p, t);
            n++;
        }
        inputOk = n > 0 && strings;
    }

    /** Reads through an array value; whether it had an element. */
    private static boolean nonEmptyArray(JsonParser p, JsonToken value) {
        if (value != JsonToken.START_ARRAY) {
            skip(p, value);
            return false;
        }
        JsonToken t = p.nextToken();
        if (t == JsonToken.END_ARRAY) {
            return false;
        }
        do {
            skip(p, t);
        } while ((t = p.nextToken()) != JsonToken.END_ARRAY);
        return true;
    }

    /** Whether a token limit is an integer beyond an {@code int}. */
    private static boolean tooLarge(JsonParser p, JsonToken value) {
        return value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.INT;
    }

    /** A token limit as {@code Wire.maxTokens} reads it: an integer, or nothing. */
    private static Optional<Integer> integral(JsonParser p, JsonToken value) {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            skip(p, value);
            return Optional.empty();
        }
        return Optional.of(p.getIntValue());
    }

    private static void skip(JsonParser p, JsonToken value) {
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
            p.skipChildren();
        }
    }
}
