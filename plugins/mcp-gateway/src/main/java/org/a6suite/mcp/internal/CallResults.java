package org.a6suite.mcp.internal;

import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/** Builds MCP {@code CallToolResult} objects: {@code content} is always present, as clients require. */
public final class CallResults {

    private CallResults() {}

    public static ObjectNode text(ObjectMapper mapper, String text) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", text);
        result.put("isError", false);
        return result;
    }

    /**
     * A structured result; its JSON also appears as text for clients that ignore {@code structuredContent}. The
     * object is serialised once: {@code structuredContent} is written from that same text as a raw JSON value when
     * the answer is encoded (the mapper writes compact JSON, so the bytes are those the object would give), instead
     * of being serialised a second time from the tree.
     */
    public static ObjectNode structured(ObjectMapper mapper, ObjectNode structured) {
        return structured(mapper, mapper.writeValueAsString(structured));
    }

    /** As {@link #structured(ObjectMapper, ObjectNode)}, given the object's compact JSON text already written. */
    public static ObjectNode structured(ObjectMapper mapper, String json) {
        ObjectNode result = text(mapper, json);
        result.putRawValue("structuredContent", new RawValue(json));
        return result;
    }

    public static ObjectNode error(ObjectMapper mapper, String message) {
        ObjectNode result = mapper.createObjectNode();
        result.putArray("content").addObject().put("type", "text").put("text", message);
        result.put("isError", true);
        return result;
    }
}
