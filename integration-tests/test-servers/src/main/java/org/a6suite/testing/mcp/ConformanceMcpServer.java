package org.a6suite.testing.mcp;

import static org.a6suite.testing.mcp.SdkTools.tool;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.McpSyncServerExchange;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * TEST FIXTURE: an MCP server built with the official MCP Java SDK's server side (Streamable HTTP servlet transport on
 * embedded Tomcat, endpoint {@code /mcp}) offering every tool, resource, template and prompt the official MCP
 * conformance suite ({@code @modelcontextprotocol/conformance}, server scenarios) calls, with the names and contents
 * those scenarios expect: {@code test_simple_text}, {@code test_image_content}, {@code test_audio_content},
 * {@code test_embedded_resource}, {@code test_multiple_content_types}, {@code test_tool_with_logging},
 * {@code test_tool_with_progress}, {@code test_error_handling}, {@code test_sampling}, {@code test_elicitation},
 * {@code test_elicitation_sep1034_defaults}, {@code test_elicitation_sep1330_enums}, {@code test_reconnection},
 * {@code json_schema_2020_12_tool}; resources {@code test://static-text}, {@code test://static-binary},
 * {@code test://watched-resource}, template {@code test://template/{id}/data}; prompts {@code test_simple_prompt},
 * {@code test_prompt_with_arguments}, {@code test_prompt_with_embedded_resource}, {@code test_prompt_with_image};
 * completions for {@code test_prompt_with_arguments}; logging; subscriptions (the SDK's own handling).
 *
 * <p>The dev stack runs it (see {@code DemoServers}) behind an {@code mcp-gateway} route, so
 * {@code scripts/mcp-conformance.sh} can run the suite against the upstream directly and through the gateway.
 * Run alone: {@code java -cp a6-dev-stack.jar org.a6suite.testing.mcp.ConformanceMcpServer [port]}.
 *
 * <p>Why one file of ~560 lines: it is a catalogue, one short SDK registration per scenario's tool, resource or prompt
 * (the list above), read side by side with the suite's scenario names; the elicitation workaround is shared with
 * {@link UpstreamMcpServer} ({@link RawElicitation}).
 */
public final class ConformanceMcpServer implements AutoCloseable {

    /** A 1x1 red PNG. */
    static final String PNG =
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    /** A WAV header with no samples: a minimal, valid audio/wav. */
    static final String WAV = Base64.getEncoder().encodeToString(new byte[] {
        'R',
        'I',
        'F',
        'F',
        36,
        0,
        0,
        0,
        'W',
        'A',
        'V',
        'E',
        'f',
        'm',
        't',
        ' ',
        16,
        0,
        0,
        0,
        1,
        0,
        1,
        0,
        0x44,
        (byte) 0xAC,
        0,
        0,
        (byte) 0x88,
        0x58,
        1,
        0,
        2,
        0,
        16,
        0,
        'd',
        'a',
        't',
        'a',
        0,
        0,
        0,
        0
    });

    private final Tomcat tomcat;
    private final Connector connector;
    private final McpSyncServer server;

    private ConformanceMcpServer(String host, int port) throws IOException, LifecycleException {
        Path baseDir = Files.createTempDirectory("conformance-mcp-tomcat");
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper())
                .mcpEndpoint("/mcp")
                .build();
        server = McpServer.sync(transport)
                .serverInfo("a6-conformance-fixture", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .resources(true, false)
                        .prompts(false)
                        .completions()
                        .logging()
                        .build())
                .tools(tools())
                .resources(resources())
                .resourceTemplates(template())
                .prompts(prompts())
                .completions(new McpServerFeatures.SyncCompletionSpecification(
                        new McpSchema.PromptReference("test_prompt_with_arguments"), (exchange, request) -> {
                            List<String> values = List.of("paris", "park", "party").stream()
                                    .filter(v -> v.startsWith(request.argument().value()))
                                    .toList();
                            return new McpSchema.CompleteResult(
                                    new McpSchema.CompleteResult.CompleteCompletion(values, values.size(), false));
                        }))
                .build();
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", host);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", baseDir.toString());
        Tomcat.addServlet(context, "mcp", transport).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "mcp");
        tomcat.start();
    }

    /** Starts on a free loopback port. */
    public static ConformanceMcpServer start() {
        return start("127.0.0.1", 0);
    }

    /** Starts on {@code host:port} (port 0 picks a free one); the dev stack uses a fixed port. */
    public static ConformanceMcpServer start(String host, int port) {
        try {
            return new ConformanceMcpServer(host, port);
        } catch (IOException | LifecycleException e) {
            throw new IllegalStateException("conformance MCP server did not start", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/mcp}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
    }

    public static void main(String[] args) throws InterruptedException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 18097;
        ConformanceMcpServer server = start("127.0.0.1", port);
        System.out.println("TEST FIXTURE: conformance MCP server (official MCP Java SDK) at " + server.endpoint());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    // ---------------------------------------------------------------- tools

    private static List<McpServerFeatures.SyncToolSpecification> tools() {
        List<McpServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        String none = "{\"type\":\"object\",\"properties\":{}}";
        tools.add(tool(
                "test_simple_text",
                "Returns simple text",
                none,
                (ex, req) -> result(new McpSchema.TextContent("This is a simple text response for testing."))));
        tools.add(tool(
                "test_image_content",
                "Returns an image",
                none,
                (ex, req) -> result(new McpSchema.ImageContent(null, PNG, "image/png"))));
        tools.add(tool(
                "test_audio_content",
                "Returns audio",
                none,
                (ex, req) -> result(new McpSchema.AudioContent(null, WAV, "audio/wav"))));
        tools.add(tool(
                "test_embedded_resource",
                "Returns an embedded resource",
                none,
                (ex, req) -> result(new McpSchema.EmbeddedResource(
                        null,
                        new McpSchema.TextResourceContents(
                                "test://embedded-resource", "text/plain", "This is an embedded resource content.")))));
        tools.add(tool(
                "test_multiple_content_types",
                "Returns text, an image and a resource",
                none,
                (ex, req) -> result(
                        new McpSchema.TextContent("Multiple content types test:"),
                        new McpSchema.ImageContent(null, PNG, "image/png"),
                        new McpSchema.EmbeddedResource(
                                null,
                                new McpSchema.TextResourceContents(
                                        "test://mixed-content-resource",
                                        "application/json",
                                        "{\"test\":\"data\",\"value\":123}")))));
        tools.add(tool("test_tool_with_logging", "Logs three messages while it runs", none, (ex, req) -> {
            for (String message :
                    List.of("Tool execution started", "Tool processing data", "Tool execution completed")) {
                ex.loggingNotification(
                        new McpSchema.LoggingMessageNotification(McpSchema.LoggingLevel.INFO, "conformance", message));
                pause(50);
            }
            return result(new McpSchema.TextContent("Tool with logging executed successfully"));
        }));
        tools.add(tool("test_tool_with_progress", "Reports progress 0, 50, 100 of 100", none, (ex, req) -> {
            Object token = req.meta() == null ? null : req.meta().get("progressToken");
            for (double progress : new double[] {0, 50, 100}) {
                if (token != null) {
                    ex.progressNotification(
                            new McpSchema.ProgressNotification(token, progress, 100.0, "step " + (int) progress));
                }
                if (progress < 100) {
                    pause(50);
                }
            }
            return result(new McpSchema.TextContent("Tool with progress executed successfully"));
        }));
        tools.add(tool(
                "test_error_handling",
                "Always fails",
                none,
                (ex, req) -> McpSchema.CallToolResult.builder()
                        .addTextContent("This tool intentionally returns an error for testing")
                        .isError(true)
                        .build()));
        tools.add(tool("test_sampling", "Asks the client's model", """
                {"type":"object","properties":{"prompt":{"type":"string"}},"required":["prompt"]}""", (ex, req) -> {
            McpSchema.CreateMessageResult answer = ex.createMessage(McpSchema.CreateMessageRequest.builder()
                    .messages(List.of(new McpSchema.SamplingMessage(
                            McpSchema.Role.USER,
                            new McpSchema.TextContent(
                                    String.valueOf(req.arguments().get("prompt"))))))
                    .maxTokens(100)
                    .build());
            String text =
                    answer.content() instanceof McpSchema.TextContent t ? t.text() : String.valueOf(answer.content());
            return result(new McpSchema.TextContent("LLM response: " + text));
        }));
        tools.add(tool(
                "test_elicitation",
                "Asks the user",
                """
                {"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}""",
                (ex, req) -> elicit(
                        ex,
                        String.valueOf(req.arguments().get("message")),
                        Map.of(
                                "type",
                                "object",
                                "properties",
                                Map.of(
                                        "username",
                                        Map.of("type", "string", "description", "User's response"),
                                        "email",
                                        Map.of("type", "string", "description", "User's email address")),
                                "required",
                                List.of("username", "email")),
                        "User response: ")));
        tools.add(tool(
                "test_elicitation_sep1034_defaults",
                "Elicitation with defaults",
                none,
                (ex, req) -> elicit(
                        ex,
                        "Please review and update the form fields with defaults",
                        Map.of(
                                "type",
                                "object",
                                "properties",
                                Map.of(
                                        "name",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "description",
                                                        "User name",
                                                        "default",
                                                        "John Doe"),
                                        "age", Map.of("type", "integer", "description", "User age", "default", 30),
                                        "score", Map.of("type", "number", "description", "User score", "default", 95.5),
                                        "status",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "description",
                                                        "User status",
                                                        "enum",
                                                        List.of("active", "inactive", "pending"),
                                                        "default",
                                                        "active"),
                                        "verified",
                                                Map.of(
                                                        "type",
                                                        "boolean",
                                                        "description",
                                                        "Verification status",
                                                        "default",
                                                        true))),
                        "Elicitation completed: ")));
        tools.add(tool(
                "test_elicitation_sep1330_enums",
                "Elicitation with every enum form",
                none,
                (ex, req) -> elicit(
                        ex,
                        "Please select options from the enum fields",
                        Map.of(
                                "type",
                                "object",
                                "properties",
                                Map.of(
                                        "untitledSingle",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "enum",
                                                        List.of("option1", "option2", "option3")),
                                        "titledSingle",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "oneOf",
                                                        List.of(
                                                                Map.of("const", "value1", "title", "First Option"),
                                                                Map.of("const", "value2", "title", "Second Option"),
                                                                Map.of("const", "value3", "title", "Third Option"))),
                                        "legacyEnum",
                                                Map.of(
                                                        "type",
                                                        "string",
                                                        "enum",
                                                        List.of("opt1", "opt2", "opt3"),
                                                        "enumNames",
                                                        List.of("Option One", "Option Two", "Option Three")),
                                        "untitledMulti",
                                                Map.of(
                                                        "type",
                                                        "array",
                                                        "items",
                                                        Map.of(
                                                                "type",
                                                                "string",
                                                                "enum",
                                                                List.of("option1", "option2", "option3"))),
                                        "titledMulti",
                                                Map.of(
                                                        "type",
                                                        "array",
                                                        "items",
                                                        Map.of(
                                                                "anyOf",
                                                                List.of(
                                                                        Map.of(
                                                                                "const",
                                                                                "value1",
                                                                                "title",
                                                                                "First Choice"),
                                                                        Map.of(
                                                                                "const",
                                                                                "value2",
                                                                                "title",
                                                                                "Second Choice"),
                                                                        Map.of(
                                                                                "const",
                                                                                "value3",
                                                                                "title",
                                                                                "Third Choice")))))),
                        "Elicitation completed: ")));
        tools.add(tool("test_reconnection", "Answers after a short pause (SSE polling scenario)", none, (ex, req) -> {
            pause(100);
            return result(new McpSchema.TextContent("Reconnection test completed successfully"));
        }));
        tools.add(tool(
                "json_schema_2020_12_tool",
                "Tool with JSON Schema 2020-12 features",
                """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},
                                                                    "city":{"type":"string"}}}},
                 "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},
                 "additionalProperties":false}""",
                (ex, req) ->
                        result(new McpSchema.TextContent("JSON Schema 2020-12 tool called with " + req.arguments()))));
        return tools;
    }

    private static McpSchema.CallToolResult elicit(
            McpSyncServerExchange ex, String message, Map<String, Object> schema, String prefix) {
        McpSchema.ElicitResult answer;
        try {
            answer = RawElicitation.form(ex, message, schema);
        } catch (RuntimeException e) {
            // Answer at once with the reason instead of leaving the client to its request timeout.
            return McpSchema.CallToolResult.builder()
                    .addTextContent("elicitation failed: " + e.getMessage())
                    .isError(true)
                    .build();
        }
        return result(new McpSchema.TextContent(
                prefix + "action=" + answer.action().name().toLowerCase() + ", content=" + answer.content()));
    }

    private static McpSchema.CallToolResult result(McpSchema.Content... content) {
        return McpSchema.CallToolResult.builder()
                .content(List.of(content))
                .isError(false)
                .build();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // the scenarios ask for spaced notifications ("~50ms delay")
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- resources and prompts

    private static List<McpServerFeatures.SyncResourceSpecification> resources() {
        return List.of(
                resource(
                        "test://static-text",
                        "static-text",
                        "A static text resource",
                        "text/plain",
                        uri -> new McpSchema.TextResourceContents(
                                uri, "text/plain", "This is the content of the static text resource.")),
                resource(
                        "test://static-binary",
                        "static-binary",
                        "A static binary resource (PNG)",
                        "image/png",
                        uri -> new McpSchema.BlobResourceContents(uri, "image/png", PNG)),
                resource(
                        "test://watched-resource",
                        "watched-resource",
                        "A resource clients subscribe to",
                        "text/plain",
                        uri -> new McpSchema.TextResourceContents(uri, "text/plain", "Watched resource content")));
    }

    private static McpServerFeatures.SyncResourceSpecification resource(
            String uri,
            String name,
            String description,
            String mimeType,
            java.util.function.Function<String, McpSchema.ResourceContents> contents) {
        McpSchema.Resource resource = McpSchema.Resource.builder(uri, name)
                .description(description)
                .mimeType(mimeType)
                .build();
        return new McpServerFeatures.SyncResourceSpecification(
                resource,
                (exchange, request) -> new McpSchema.ReadResourceResult(List.of(contents.apply(request.uri()))));
    }

    private static McpServerFeatures.SyncResourceTemplateSpecification template() {
        String prefix = "test://template/";
        McpSchema.ResourceTemplate template = McpSchema.ResourceTemplate.builder(prefix + "{id}/data", "template-data")
                .description("Data by id")
                .mimeType("application/json")
                .build();
        return new McpServerFeatures.SyncResourceTemplateSpecification(template, (exchange, request) -> {
            String id = request.uri().substring(prefix.length(), request.uri().length() - "/data".length());
            return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(
                    request.uri(),
                    "application/json",
                    "{\"id\":\"" + id + "\",\"templateTest\":true,\"data\":\"Data for ID: " + id + "\"}")));
        });
    }

    private static List<McpServerFeatures.SyncPromptSpecification> prompts() {
        return List.of(
                prompt(
                        new McpSchema.Prompt("test_simple_prompt", "A simple prompt", List.of()),
                        args -> List.of(user(new McpSchema.TextContent("This is a simple prompt for testing.")))),
                prompt(
                        new McpSchema.Prompt(
                                "test_prompt_with_arguments",
                                "A prompt with arguments",
                                List.of(
                                        new McpSchema.PromptArgument("arg1", "First test argument", true),
                                        new McpSchema.PromptArgument("arg2", "Second test argument", true))),
                        args -> List.of(user(new McpSchema.TextContent("Prompt with arguments: arg1='"
                                + args.get("arg1") + "', arg2='" + args.get("arg2") + "'")))),
                prompt(
                        new McpSchema.Prompt(
                                "test_prompt_with_embedded_resource",
                                "A prompt embedding a resource",
                                List.of(new McpSchema.PromptArgument(
                                        "resourceUri", "URI of the resource to embed", true))),
                        args -> List.of(
                                user(new McpSchema.EmbeddedResource(
                                        null,
                                        new McpSchema.TextResourceContents(
                                                String.valueOf(args.get("resourceUri")),
                                                "text/plain",
                                                "Embedded resource content for testing."))),
                                user(new McpSchema.TextContent("Please process the embedded resource above.")))),
                prompt(
                        new McpSchema.Prompt("test_prompt_with_image", "A prompt with an image", List.of()),
                        args -> List.of(
                                user(new McpSchema.ImageContent(null, PNG, "image/png")),
                                user(new McpSchema.TextContent("Please analyze the image above.")))));
    }

    private static McpSchema.PromptMessage user(McpSchema.Content content) {
        return new McpSchema.PromptMessage(McpSchema.Role.USER, content);
    }

    private static McpServerFeatures.SyncPromptSpecification prompt(
            McpSchema.Prompt prompt,
            java.util.function.Function<Map<String, Object>, List<McpSchema.PromptMessage>> messages) {
        return new McpServerFeatures.SyncPromptSpecification(
                prompt,
                (exchange, request) -> new McpSchema.GetPromptResult(
                        prompt.description(),
                        messages.apply(request.arguments() == null ? Map.of() : request.arguments())));
    }

    @Override
    public void close() {
        try {
            server.close();
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }
}
