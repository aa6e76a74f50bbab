package org.a6suite.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filters of {@code integration-tests/sample-sdk-filters}, compiled here from their sources (so this test does
 * not need that module built), discovered the way the runner discovers a plugins directory, and run.
 */
class SampleSdkFiltersTest {

    private static final Path SAMPLE = Path.of("../../integration-tests/sample-sdk-filters/src/main");
    private static final CallContext CONTEXT = new CallContext(Optional.empty(), 3, CallContext.Phase.PRE_REQ);

    @TempDir
    static Path dir;

    static URLClassLoader loader;
    static Map<String, Plugin<SdkFilterConfig>> plugins;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void buildSampleJar() throws Exception {
        var sources = new HashMap<String, String>();
        Path java = SAMPLE.resolve("java");
        try (Stream<Path> files = Files.walk(java)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String name = java.relativize(file).toString().replace('/', '.').replaceAll("\\.java$", "");
                sources.put(name, Files.readString(file));
            }
        }
        String services = "META-INF/services/org.apache.apisix.plugin.runner.filter.PluginFilter";
        Path jar = FilterJars.build(
                dir,
                "sample-sdk-filters",
                sources,
                Map.of(services, Files.readString(SAMPLE.resolve("resources").resolve(services))));
        loader = new URLClassLoader(
                new java.net.URL[] {jar.toUri().toURL()}, SampleSdkFiltersTest.class.getClassLoader());
        plugins = new HashMap<>();
        for (Plugin<?> plugin : new SdkFilterPluginSource().load(loader, List.of(jar))) {
            plugins.put(plugin.name(), (Plugin<SdkFilterConfig>) plugin);
        }
    }

    @AfterAll
    static void closeLoader() throws Exception {
        loader.close();
    }

    private static RequestView request() throws Exception {
        return RequestView.builder(HttpMethod.POST, "/echo/a")
                .headers(Headers.of("x-remove-me", "1", "host", "example.com"))
                .sourceIp(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))
                .vars(Map.of("remote_addr", "127.0.0.1"))
                .body(Body.of("hi \"there\""))
                .build();
    }

    private static RequestDecision run(String name, String value) throws Exception {
        var plugin = plugins.get(name);
        return plugin.onRequest(request(), plugin.parseConfig(value), CONTEXT)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldDiscoverAllFourIncludingTheOneWithoutServicesEntry() {
        assertThat(plugins).containsOnlyKeys("SampleRewrite", "SampleStop", "SampleAsync", "SamplePost");
    }

    @Test
    void shouldRewritePathHeaderAndArg() throws Exception {
        assertThat(run("SampleRewrite", "v1")).isInstanceOfSatisfying(RequestDecision.Rewrite.class, r -> {
            assertThat(r.path()).contains("/rewritten/echo/a");
            assertThat(r.headers())
                    .containsExactlyInAnyOrder(
                            new RequestDecision.Rewrite.HeaderEdit("x-sample-rewrite", Optional.of("v1")),
                            new RequestDecision.Rewrite.HeaderEdit("x-remove-me", Optional.empty()));
            assertThat(r.args())
                    .containsExactly(new RequestDecision.Rewrite.ArgEdit("sample", Optional.of("rewritten")));
        });
    }

    @Test
    void shouldStopWithBodyAndVars() throws Exception {
        // The SDK keeps headers in a HashMap, so their order is not part of the contract.
        assertThat(run("SampleStop", "403")).isInstanceOfSatisfying(RequestDecision.Stop.class, stop -> {
            assertThat(stop.status()).isEqualTo(403);
            assertThat(stop.headers().entries())
                    .containsExactlyInAnyOrder(
                            new Headers.Header("content-type", "application/json"),
                            new Headers.Header("x-sample-stop", "1"));
            assertThat(stop.body())
                    .contains(
                            Body.of("{\"body\":\"hi \\\"there\\\"\",\"remote_addr\":\"127.0.0.1\",\"route_id\":\"\"}"));
        });
    }

    @Test
    void shouldRewriteFromTheAsyncFiltersOwnThread() throws Exception {
        assertThat(run("SampleAsync", "20"))
                .isEqualTo(RequestDecision.rewrite()
                        .setHeader("x-sample-async", "done")
                        .build());
    }

    @Test
    void shouldReplaceTheResponseBodyInThePostFilter() throws Exception {
        var plugin = plugins.get("SamplePost");
        var view =
                new ResponseView(201, Headers.of("Content-Type", "text/plain"), Map.of(), Optional.of(Body.of("ok")));

        ResponseDecision decision = plugin.onResponse(view, plugin.parseConfig(""), CONTEXT)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        assertThat(decision).isInstanceOfSatisfying(ResponseDecision.Modify.class, m -> {
            assertThat(m.status()).isEmpty();
            assertThat(m.headers().orElseThrow().first("content-type")).contains("application/json");
            assertThat(m.headers().orElseThrow().first("x-sample-post")).contains("201");
            assertThat(m.body())
                    .contains(Body.of("{\"upstream_status\":201,\"upstream_content_type\":"
                            + "\"text/plain\",\"upstream_body_length\":2,\"upstream_body\":\"OK\"}"));
        });
    }
}
