package org.a6suite.testing.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.function.BiFunction;

/** Tool registration with the official MCP Java SDK, shared by the MCP server fixtures. */
final class SdkTools {

    private SdkTools() {}

    /** A tool whose input schema is the given JSON text, answered by {@code handler}. */
    static McpServerFeatures.SyncToolSpecification tool(
            String name,
            String description,
            String inputSchema,
            BiFunction<McpSyncServerExchange, McpSchema.CallToolRequest, McpSchema.CallToolResult> handler) {
        McpSchema.Tool tool = McpSchema.Tool.builder()
                .name(name)
                .description(description)
                .inputSchema(McpJsonDefaults.getMapper(), inputSchema)
                .build();
        return McpServerFeatures.SyncToolSpecification.builder()
                .tool(tool)
                .callHandler(handler)
                .build();
    }
}
