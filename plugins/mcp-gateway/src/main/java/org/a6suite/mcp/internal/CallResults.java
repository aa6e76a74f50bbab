package org.a6suite.mcp.internal;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** Builds MCP {@code CallToolResult} objects: {@code content} is always present, as clients require. */
public final class CallResults {

    private CallResults() {}

    public static ObjectNode text(ObjectMapper mapper, String text) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.put("isError", false);
        return result;
    }

    /** A structured result; its JSON also appears as text for clients that ignore {@code structuredContent}. */
    public static ObjectNode structured(ObjectMapper mapper, ObjectNode structured) {
        ObjectNode result = text(mapper, mapper.writeValueAsString(structured));
        result.set("structuredContent", structured);
        return result;
    }

    public static ObjectNode error(ObjectMapper mapper, String message) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", message);
        result.put("isError", true);
        return result;
    }
}
