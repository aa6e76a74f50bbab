package org.a6suite.testing.mcp;

import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpLoggableSession;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSession;
import java.lang.reflect.Field;
import java.util.Map;

/**
 * TEST FIXTURE helper: sends {@code elicitation/create} with its params as a plain map. The SDK's own
 * {@code createElicitation} cannot be used: in MCP Java SDK 2.1.0 with Jackson 3, serializing an
 * {@code ElicitFormRequest} fails ("Conflict between type id property 'mode' and bean property with same name"), so
 * the transport logs "Failed to write value as string" and the request never leaves the server (the tool call then
 * hangs until the client's request timeout). The exchange's session is reached by reflection; the wire format is the
 * spec's ({@code mode}, {@code message}, {@code requestedSchema}).
 */
final class RawElicitation {

    private RawElicitation() {}

    /** Sends a form-mode {@code elicitation/create} and waits for the client's answer. */
    static McpSchema.ElicitResult form(
            McpSyncServerExchange exchange, String message, Map<String, Object> requestedSchema) {
        return send(exchange, Map.of("mode", "form", "message", message, "requestedSchema", requestedSchema));
    }

    /** Sends {@code elicitation/create} with {@code params} as given and waits for the client's answer. */
    static McpSchema.ElicitResult send(McpSyncServerExchange exchange, Map<String, Object> params) {
        try {
            Object async = field(exchange, McpAsyncServerExchange.class);
            McpSession session = (McpSession) field(async, McpLoggableSession.class);
            return session.sendRequest("elicitation/create", params, new TypeRef<McpSchema.ElicitResult>() {})
                    .block();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("SDK exchange layout changed", e);
        }
    }

    private static Object field(Object owner, Class<?> type) throws ReflectiveOperationException {
        for (Field f : owner.getClass().getDeclaredFields()) {
            if (type.isAssignableFrom(f.getType())) {
                f.setAccessible(true);
                return f.get(owner);
            }
        }
        throw new NoSuchFieldException(
                type.getName() + " in " + owner.getClass().getName());
    }
}
