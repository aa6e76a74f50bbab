package org.a6suite.testing.mcp;

import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * TEST FIXTURE: an upstream MCP server built with the official MCP Java SDK's server side (Streamable HTTP servlet
 * transport on embedded Tomcat, loopback only, endpoint {@code /mcp}).
 *
 * <p>Tools: {@code add} ({@code a}, {@code b} numbers; text and {@code structuredContent {"sum"}}), {@code echo}
 * ({@code text}), {@code fail} (always {@code isError}), plus {@code extraTools} tools {@code t000..} for pagination.
 *
 * <p>{@link #startWithAllFeatures(String)} adds every other server feature, each naming its {@code label} so two
 * instances can be told apart behind one gateway: resources {@code file:///<label>/readme.md} and
 * {@code file:///<label>/notes.txt}; the template {@code file:///<label>/docs/{name}} (reads echo the name); prompts
 * {@code greet} (argument {@code name}, completed from {@code alice, albert, bob}) and {@code summarize}; completions
 * for the template's {@code name}; logging; subscriptions (the SDK's own handling).
 * {@link #restart()} replaces the SDK server and its transport behind the same port, losing every session, as a
 * real restart does; clients holding an old session id then get 404.
 *
 * <p>{@link #startInteractive()} adds tools that talk back to the client during the call, over the call's SSE answer:
 * {@code progress} ({@code steps}: that many {@code notifications/progress} under the caller's progress token, then
 * {@code "done after N steps"}), {@code log} (one {@code notifications/message} at info, logger {@code upstream},
 * data {@code "hello from upstream"}), {@code sample} ({@code sampling/createMessage} asking {@code question}; answers
 * the sampled text), {@code elicit} ({@code elicitation/create} asking for a {@code name}; answers
 * {@code "<action>:<name>"}), {@code roots} ({@code roots/list}; answers the URIs joined with {@code ,}) and
 * {@code wait} (blocks until {@link #release()} or 30 s). {@link #notifyToolsListChanged()} sends
 * {@code notifications/tools/list_changed} to every session's GET stream; {@link #cancellations()} counts the
 * {@code notifications/cancelled} the server received; a failed server-to-client request is answered as
 * {@code "error: <message>"}. {@link #addTool(String)} adds a tool and
 * announces it.
 *
 * <p>Why one file of ~510 lines: one short SDK registration per tool and feature listed above, which the gateway's
 * tests name; splitting the catalogue would not make any registration simpler.
 */
public final class UpstreamMcpServer implements AutoCloseable {

    private final Tomcat tomcat;
    private final Connector connector;
    private final Path baseDir;
    private final int extraTools;
    private final Optional<String> label;
    private final AtomicReference<Running> current = new AtomicReference<>();
    private final AtomicInteger toolCalls = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();
    private final boolean interactive;
    private final AtomicInteger cancellations = new AtomicInteger();
    private final java.util.concurrent.CountDownLatch released = new java.util.concurrent.CountDownLatch(1);

    private record Running(HttpServletStreamableServerTransportProvider transport, McpSyncServer server) {}

    private UpstreamMcpServer(String host, int port, int extraTools, Optional<String> label, boolean interactive)
            throws IOException, LifecycleException {
        this.interactive = interactive;
        this.extraTools = extraTools;
        this.label = label;
        this.baseDir = Files.createTempDirectory("upstream-mcp-tomcat");
        this.tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", host);
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", baseDir.toString());
        Tomcat.addServlet(context, "mcp", new Delegate()).setAsyncSupported(true);
        context.addServletMappingDecoded("/*", "mcp");
        current.set(create());
        tomcat.start();
    }

    /** Starts on a free loopback port with {@code extraTools} additional tools. */
    public static UpstreamMcpServer start(int extraTools) {
        return start("127.0.0.1", 0, extraTools);
    }

    /** Starts on {@code host:port} (port 0 picks a free one); the local dev stack uses fixed ports. */
    public static UpstreamMcpServer start(String host, int port, int extraTools) {
        return start(host, port, extraTools, Optional.empty());
    }

    /**
     * Starts on a free loopback port offering tools, resources, resource templates, prompts, completions, logging and
     * subscriptions, all naming {@code label} (see the class comment).
     */
    public static UpstreamMcpServer startWithAllFeatures(String label) {
        return start("127.0.0.1", 0, 0, Optional.of(label));
    }

    /** Starts on a free loopback port with the tools that talk back to the client (see the class comment). */
    public static UpstreamMcpServer startInteractive() {
        try {
            return new UpstreamMcpServer("127.0.0.1", 0, 0, Optional.empty(), true);
        } catch (IOException | LifecycleException e) {
            throw new IllegalStateException("upstream MCP server did not start", e);
        }
    }

    /** Adds tool {@code name} (answers its own name), then tells every session its tool list changed. */
    public void addTool(String name) {
        current.get()
                .server()
                .addTool(tool(
                        name,
                        "Added later.",
                        "{\"type\":\"object\"}",
                        args -> McpSchema.CallToolResult.builder()
                                .addTextContent(name)
                                .build()));
        current.get().server().notifyToolsListChanged();
    }

    /** {@code notifications/tools/list_changed} to every session (their GET streams). */
    public void notifyToolsListChanged() {
        current.get().server().notifyToolsListChanged();
    }

    /** {@code notifications/cancelled} received since start. */
    public int cancellations() {
        return cancellations.get();
    }

    /** Lets every {@code wait} call return. */
    public void release() {
        released.countDown();
    }

    private static UpstreamMcpServer start(String host, int port, int extraTools, Optional<String> label) {
        try {
            return new UpstreamMcpServer(host, port, extraTools, label, false);
        } catch (IOException | LifecycleException e) {
            throw new IllegalStateException("upstream MCP server did not start", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/mcp}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/mcp");
    }

    /** Tool calls served since start, across restarts. */
    public int toolCalls() {
        return toolCalls.get();
    }

    /** How many times the server was (re)created: 1 after start. */
    public int generation() {
        return generation.get();
    }

    /** Drops every session: a new SDK server and transport take over the same port. */
    public void restart() {
        Running old = current.getAndSet(create());
        old.server().close();
    }

    private Running create() {
        HttpServletStreamableServerTransportProvider transport = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper())
                .mcpEndpoint("/mcp")
                .build();
        List<McpServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        tools.add(tool("add", "Adds two numbers.", """
                {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""", args -> {
            double sum = ((Number) args.get("a")).doubleValue() + ((Number) args.get("b")).doubleValue();
            String text = sum == Math.rint(sum) ? Long.toString((long) sum) : Double.toString(sum);
            return McpSchema.CallToolResult.builder()
                    .addTextContent(text)
                    .structuredContent(Map.of("sum", sum))
                    .build();
        }));
        tools.add(tool(
                "echo",
                "Echoes text.",
                """
                {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""",
                args -> McpSchema.CallToolResult.builder()
                        .addTextContent(String.valueOf(args.get("text")))
                        .build()));
        tools.add(tool(
                "fail",
                "Always fails.",
                "{\"type\":\"object\"}",
                args -> McpSchema.CallToolResult.builder()
                        .addTextContent("upstream tool failed")
                        .isError(true)
                        .build()));
        for (int i = 0; i < extraTools; i++) {
            String name = String.format("t%03d", i);
            tools.add(tool(
                    name,
                    "Extra tool " + name,
                    "{\"type\":\"object\"}",
                    args -> McpSchema.CallToolResult.builder()
                            .addTextContent(name)
                            .build()));
        }
        if (interactive) {
            tools.addAll(interactiveTools());
        }
        McpServer.SyncSpecification<?> spec =
                McpServer.sync(transport).serverInfo("upstream-test", "1.0.0").tools(tools);
        McpSyncServer server = label.isPresent()
                ? withAllFeatures(spec, label.get()).build()
                : spec.capabilities(
                                interactive
                                        ? McpSchema.ServerCapabilities.builder()
                                                .tools(true)
                                                .logging()
                                                .build()
                                        : McpSchema.ServerCapabilities.builder()
                                                .tools(false)
                                                .build())
                        .build();
        generation.incrementAndGet();
        return new Running(transport, server);
    }

    private List<McpServerFeatures.SyncToolSpecification> interactiveTools() {
        List<McpServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        tools.add(exchangeTool("progress", "Reports progress steps.", """
                {"type":"object","properties":{"steps":{"type":"integer"}}}""", (exchange, request) -> {
            int steps = ((Number) request.arguments().getOrDefault("steps", 3)).intValue();
            Object token = request.meta() == null ? null : request.meta().get("progressToken");
            for (int i = 1; i <= steps && token != null; i++) {
                exchange.progressNotification(
                        new McpSchema.ProgressNotification(token, i, (double) steps, "step " + i));
            }
            return text("done after " + steps + " steps");
        }));
        tools.add(exchangeTool("log", "Logs one message.", "{\"type\":\"object\"}", (exchange, request) -> {
            exchange.loggingNotification(new McpSchema.LoggingMessageNotification(
                    McpSchema.LoggingLevel.INFO, "upstream", "hello from upstream"));
            return text("logged");
        }));
        tools.add(exchangeTool("sample", "Asks the client's model.", """
                {"type":"object","properties":{"question":{"type":"string"}}}""", (exchange, request) -> {
            try {
                McpSchema.CreateMessageResult result = exchange.createMessage(McpSchema.CreateMessageRequest.builder()
                        .messages(List.of(new McpSchema.SamplingMessage(
                                McpSchema.Role.USER,
                                new McpSchema.TextContent(
                                        String.valueOf(request.arguments().get("question"))))))
                        .maxTokens(50)
                        .build());
                return text(
                        result.content() instanceof McpSchema.TextContent t
                                ? t.text()
                                : String.valueOf(result.content()));
            } catch (RuntimeException e) {
                return text("error: " + e.getMessage());
            }
        }));
        tools.add(exchangeTool("elicit", "Asks the user for a name.", "{\"type\":\"object\"}", (exchange, request) -> {
            try {
                McpSchema.ElicitResult result = RawElicitation.send(
                        exchange,
                        Map.of(
                                "mode",
                                "form",
                                "message",
                                "What is your name?",
                                "requestedSchema",
                                Map.of("type", "object", "properties", Map.of("name", Map.of("type", "string")))));
                return text(result.action().name().toLowerCase(java.util.Locale.ROOT) + ":"
                        + (result.content() == null ? "" : result.content().get("name")));
            } catch (RuntimeException e) {
                return text("error: " + e.getMessage());
            }
        }));
        tools.add(exchangeTool("roots", "Lists the client's roots.", "{\"type\":\"object\"}", (exchange, request) -> {
            try {
                return text(String.join(
                        ",",
                        exchange.listRoots().roots().stream()
                                .map(McpSchema.Root::uri)
                                .toList()));
            } catch (RuntimeException e) {
                return text("error: " + e.getMessage());
            }
        }));
        tools.add(exchangeTool("wait", "Waits until released.", "{\"type\":\"object\"}", (exchange, request) -> {
            try {
                return text(released.await(30, java.util.concurrent.TimeUnit.SECONDS) ? "released" : "timed out");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return text("interrupted");
            }
        }));
        return tools;
    }

    private static McpSchema.CallToolResult text(String text) {
        return McpSchema.CallToolResult.builder().addTextContent(text).build();
    }

    private McpServerFeatures.SyncToolSpecification exchangeTool(
            String name,
            String description,
            String schema,
            java.util.function.BiFunction<
                            io.modelcontextprotocol.server.McpSyncServerExchange,
                            McpSchema.CallToolRequest,
                            McpSchema.CallToolResult>
                    body) {
        return SdkTools.tool(name, description, schema, (exchange, request) -> {
            toolCalls.incrementAndGet();
            return body.apply(exchange, request);
        });
    }

    private McpServer.SyncSpecification<?> withAllFeatures(McpServer.SyncSpecification<?> spec, String l) {
        String base = "file:///" + l + "/";
        List<McpServerFeatures.SyncResourceSpecification> resources = new ArrayList<>();
        for (String file : List.of("readme.md", "notes.txt")) {
            McpSchema.Resource resource = McpSchema.Resource.builder(base + file, file)
                    .description(file + " of " + l)
                    .mimeType("text/plain")
                    .build();
            resources.add(new McpServerFeatures.SyncResourceSpecification(
                    resource,
                    (exchange, request) -> new McpSchema.ReadResourceResult(List.of(
                            new McpSchema.TextResourceContents(request.uri(), "text/plain", l + " says: " + file)))));
        }
        String template = base + "docs/{name}";
        McpSchema.ResourceTemplate docs = McpSchema.ResourceTemplate.builder(template, "docs")
                .description("documents of " + l)
                .mimeType("text/plain")
                .build();
        McpServerFeatures.SyncResourceTemplateSpecification templates =
                new McpServerFeatures.SyncResourceTemplateSpecification(
                        docs,
                        (exchange, request) ->
                                new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(
                                        request.uri(),
                                        "text/plain",
                                        l + " doc " + request.uri().substring((base + "docs/").length())))));
        McpSchema.Prompt greet = new McpSchema.Prompt(
                "greet",
                "Greets someone",
                "Greets someone from " + l,
                List.of(new McpSchema.PromptArgument("name", "who", true)));
        McpSchema.Prompt summarize = new McpSchema.Prompt("summarize", "Summarizes the readme", List.of());
        List<McpServerFeatures.SyncPromptSpecification> prompts = List.of(
                new McpServerFeatures.SyncPromptSpecification(
                        greet,
                        (exchange, request) -> new McpSchema.GetPromptResult(
                                "greeting",
                                List.of(new McpSchema.PromptMessage(
                                        McpSchema.Role.USER,
                                        new McpSchema.TextContent(
                                                "Hello " + request.arguments().get("name") + " from " + l))))),
                new McpServerFeatures.SyncPromptSpecification(
                        summarize,
                        (exchange, request) -> new McpSchema.GetPromptResult(
                                "summary",
                                List.of(new McpSchema.PromptMessage(
                                        McpSchema.Role.USER,
                                        new McpSchema.EmbeddedResource(
                                                null,
                                                new McpSchema.TextResourceContents(
                                                        base + "readme.md", "text/plain", l + " says: readme.md")))))));
        List<String> people = List.of("alice", "albert", "bob");
        List<McpServerFeatures.SyncCompletionSpecification> completions = List.of(
                new McpServerFeatures.SyncCompletionSpecification(
                        new McpSchema.PromptReference("greet"),
                        (exchange, request) ->
                                completion(people, request.argument().value())),
                new McpServerFeatures.SyncCompletionSpecification(
                        new McpSchema.ResourceReference(template),
                        (exchange, request) -> completion(
                                List.of("guide", "glossary", "faq"),
                                request.argument().value())));
        return spec.capabilities(McpSchema.ServerCapabilities.builder()
                        .tools(false)
                        .resources(true, false)
                        .prompts(false)
                        .completions()
                        .logging()
                        .build())
                .resources(resources)
                .resourceTemplates(templates)
                .prompts(prompts)
                .completions(completions);
    }

    private static McpSchema.CompleteResult completion(List<String> candidates, String prefix) {
        List<String> values =
                candidates.stream().filter(c -> c.startsWith(prefix)).toList();
        return new McpSchema.CompleteResult(
                new McpSchema.CompleteResult.CompleteCompletion(values, values.size(), false));
    }

    private McpServerFeatures.SyncToolSpecification tool(
            String name,
            String description,
            String schema,
            java.util.function.Function<Map<String, Object>, McpSchema.CallToolResult> body) {
        return SdkTools.tool(name, description, schema, (exchange, request) -> {
            toolCalls.incrementAndGet();
            return body.apply(request.arguments() == null ? Map.of() : request.arguments());
        });
    }

    /** Routes every request to the transport of the current server generation. */
    private final class Delegate extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            if (!"POST".equals(req.getMethod())) {
                current.get().transport().service(req, resp);
                return;
            }
            // Peeks at the body (to count cancellations), then hands the transport a request that replays it.
            byte[] body = req.getInputStream().readAllBytes();
            if (new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("\"notifications/cancelled\"")) {
                cancellations.incrementAndGet();
            }
            current.get().transport().service(new Replayed(req, body), resp);
        }
    }

    /** A request whose body was read once and is served again from memory. */
    private static final class Replayed extends jakarta.servlet.http.HttpServletRequestWrapper {
        private final byte[] body;

        Replayed(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public jakarta.servlet.ServletInputStream getInputStream() {
            java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(body);
            return new jakarta.servlet.ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(jakarta.servlet.ReadListener listener) {
                    throw new UnsupportedOperationException("blocking reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(
                    new java.io.InputStreamReader(getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        release();
        try {
            current.get().server().close();
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }
}
