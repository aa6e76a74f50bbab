package org.a6suite.e2e.mcp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.a6suite.e2e.support.ApisixRoutes;
import org.a6suite.e2e.support.GatewayHarness;
import org.a6suite.mcp.McpGatewayPlugin;
import org.a6suite.testing.mcp.ConformanceMcpServer;
import org.a6suite.testing.mcp.RestToolBackend;

/**
 * A development tool, not a test: the e2e path (APISIX emulator -> runner -> mcp-gateway) in one process on free
 * ports, with the conformance fixture behind it, so {@code scripts/mcp-conformance.sh} can be run against the gateway
 * without the dev stack's fixed ports. Prints the URLs and runs until killed.
 *
 * <pre>
 *   java -cp "integration-tests/e2e/target/test-classes:$(cat cp.txt)" org.a6suite.e2e.mcp.ConformanceStackMain
 * </pre>
 *
 * Routes: {@code /mcp-conformance} federates the fixture with empty prefixes (the suite calls fixed names and URIs),
 * {@code /mcp-tools} offers REST tools only. Both take the route values the dev stack's seed uses.
 */
public final class ConformanceStackMain {

    private ConformanceStackMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("a6conf");
        ConformanceMcpServer upstream = ConformanceMcpServer.start();
        RestToolBackend backend = RestToolBackend.start();
        GatewayHarness gateway = GatewayHarness.builder(dir)
                .plugin(new McpGatewayPlugin())
                .env("MCP_K1", McpGatewayE2eTest.KEY)
                .lane()
                .start();
        String origins = "\"http://127.0.0.1:" + gateway.baseUri().getPort() + "\",\"http://localhost:"
                + gateway.baseUri().getPort() + "\"";
        gateway.putRoute(
                "conformance",
                ApisixRoutes.uri("/mcp-conformance")
                        .preReq(McpGatewayPlugin.NAME, """
                {"mode":"lane","server_info":{"name":"a6-conformance-gateway","version":"1.0.0"},
                 "allowed_origins":[%s],
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "upstreams":[{"name":"conformance","url":"%s","prefix":"","uri_prefix":"","timeout_ms":20000}]}""".formatted(origins, upstream.endpoint()))
                        .upstream(ApisixRoutes.LANE)
                        .readTimeout(310)
                        .toJson());
        gateway.putRoute(
                "tools",
                ApisixRoutes.uri("/mcp-tools")
                        .preReq(McpGatewayPlugin.NAME, """
                {"allowed_origins":[%s],
                 "session":{"keys":[{"id":"k1","env":"MCP_K1"}]},
                 "backends":[{"name":"shop","base_url":"%s/api"}],
                 "tools":[{"name":"orders_get","description":"Get one order","backend":"shop","method":"GET",
                           "path":"/orders/{id}",
                           "input_schema":{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}}]}""".formatted(origins, backend.baseUri()))
                        .toJson());
        System.out.println("upstream=" + upstream.endpoint());
        System.out.println("gateway=" + gateway.url("/mcp-conformance"));
        System.out.println("tools=" + gateway.url("/mcp-tools"));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            gateway.close();
            backend.close();
            upstream.close();
            stopped.countDown();
        }));
        stopped.await();
    }
}
