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
 * {@link #restart()} replaces the SDK server and its transport behind the same port, losing every session, as a
 * real restart does; clients holding an old session id then get 404.
 */
public final class UpstreamMcpServer implements AutoCloseable {

    private final Tomcat tomcat;
    private final Connector connector;
    private final Path baseDir;
    private final int extraTools;
    private final AtomicReference<Running> current = new AtomicReference<>();
    private final AtomicInteger toolCalls = new AtomicInteger();
    private final AtomicInteger generation = new AtomicInteger();

    private record Running(HttpServletStreamableServerTransportProvider transport, McpSyncServer server) {
    }

    private UpstreamMcpServer(String host, int port, int extraTools) throws IOException, LifecycleException {
        this.extraTools = extraTools;
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
        try {
            return new UpstreamMcpServer(host, port, extraTools);
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
                .jsonMapper(McpJsonDefaults.getMapper()).mcpEndpoint("/mcp").build();
        List<McpServerFeatures.SyncToolSpecification> tools = new ArrayList<>();
        tools.add(tool("add", "Adds two numbers.", """
                {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}""",
                args -> {
                    double sum = ((Number) args.get("a")).doubleValue() + ((Number) args.get("b")).doubleValue();
                    String text = sum == Math.rint(sum) ? Long.toString((long) sum) : Double.toString(sum);
                    return McpSchema.CallToolResult.builder().addTextContent(text)
                            .structuredContent(Map.of("sum", sum)).build();
                }));
        tools.add(tool("echo", "Echoes text.", """
                {"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}""",
                args -> McpSchema.CallToolResult.builder().addTextContent(String.valueOf(args.get("text"))).build()));
        tools.add(tool("fail", "Always fails.", "{\"type\":\"object\"}",
                args -> McpSchema.CallToolResult.builder().addTextContent("upstream tool failed").isError(true)
                        .build()));
        for (int i = 0; i < extraTools; i++) {
            String name = String.format("t%03d", i);
            tools.add(tool(name, "Extra tool " + name, "{\"type\":\"object\"}",
                    args -> McpSchema.CallToolResult.builder().addTextContent(name).build()));
        }
        McpSyncServer server = McpServer.sync(transport).serverInfo("upstream-test", "1.0.0")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build()).tools(tools).build();
        generation.incrementAndGet();
        return new Running(transport, server);
    }

    private McpServerFeatures.SyncToolSpecification tool(String name, String description, String schema,
            java.util.function.Function<Map<String, Object>, McpSchema.CallToolResult> body) {
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(McpJsonDefaults.getMapper(), schema).build();
        return McpServerFeatures.SyncToolSpecification.builder().tool(tool).callHandler((exchange, request) -> {
            toolCalls.incrementAndGet();
            return body.apply(request.arguments() == null ? Map.of() : request.arguments());
        }).build();
    }

    /** Routes every request to the transport of the current server generation. */
    private final class Delegate extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            current.get().transport().service(req, resp);
        }
    }

    @Override
    public void close() {
        try {
            current.get().server().close();
            tomcat.stop();
            tomcat.destroy();
        } catch (LifecycleException e) {
            throw new IllegalStateException(e);
        }
    }
}
