package org.a6suite.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.spi.PluginSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SdkFilterPluginSourceTest {

    private static final String IMPORTS = """
            import org.apache.apisix.plugin.runner.HttpRequest;
            import org.apache.apisix.plugin.runner.HttpResponse;
            import org.apache.apisix.plugin.runner.filter.PluginFilter;
            import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
            """;

    private static String filter(String pkg, String simpleName, String filterName, String path) {
        return "package " + pkg + ";\n" + IMPORTS + """
                public class %s implements PluginFilter {
                    @Override public String name() { return "%s"; }
                    @Override public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                        response.setPath("%s");
                        chain.filter(request, response);
                    }
                }
                """.formatted(simpleName, filterName, path);
    }

    @TempDir
    Path dir;

    private static List<String> names(List<Plugin<?>> plugins) {
        return plugins.stream().map(Plugin::name).toList();
    }

    private static URLClassLoader loader(Path... jars) throws Exception {
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = jars[i].toUri().toURL();
        }
        return new URLClassLoader(urls, SdkFilterPluginSourceTest.class.getClassLoader());
    }

    @Test
    void shouldFindFiltersWithoutServicesFileByScanningTheJar() throws Exception {
        Path jar = FilterJars.build(
                dir,
                "scanned",
                Map.of(
                        "com.example.scan.ScannedRewrite",
                                filter("com.example.scan", "ScannedRewrite", "ScannedRewrite", "/s"),
                        "com.example.scan.BaseFilter",
                                "package com.example.scan;\n" + IMPORTS
                                        + "public abstract class BaseFilter implements PluginFilter {}\n",
                        "com.example.scan.Derived", "package com.example.scan;\n" + IMPORTS + """
                        public class Derived extends BaseFilter {
                            @Override public String name() { return "Derived"; }
                        }
                        """,
                        "com.example.scan.NeedsInjection", "package com.example.scan;\n" + IMPORTS + """
                        public class NeedsInjection implements PluginFilter {
                            public NeedsInjection(String dependency) { }
                            @Override public String name() { return "NeedsInjection"; }
                        }
                        """,
                        "com.example.scan.Unrelated", """
                        package com.example.scan;
                        public class Unrelated {
                            static { if (true) throw new IllegalStateException("must not be initialised"); }
                        }
                        """),
                Map.of());

        try (var loader = loader(jar)) {
            List<Plugin<?>> plugins = new SdkFilterPluginSource().load(loader, List.of(jar));

            assertThat(names(plugins)).containsExactlyInAnyOrder("ScannedRewrite", "Derived");
            @SuppressWarnings("unchecked")
            var rewrite = (Plugin<SdkFilterConfig>) plugins.stream()
                    .filter(p -> p.name().equals("ScannedRewrite"))
                    .findFirst()
                    .orElseThrow();
            var decision = rewrite.onRequest(
                            RequestView.builder(HttpMethod.GET, "/").build(),
                            rewrite.parseConfig(""),
                            new CallContext(Optional.empty(), 1, CallContext.Phase.PRE_REQ))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(decision).isEqualTo(RequestDecision.rewrite().path("/s").build());
        }
    }

    @Test
    void shouldFindServiceLoaderFiltersOnceEvenWhenTheScanSeesThemToo() throws Exception {
        Path jar = FilterJars.build(
                dir,
                "listed",
                Map.of("com.example.svc.Listed", filter("com.example.svc", "Listed", "Listed", "/l")),
                Map.of(
                        "META-INF/services/org.apache.apisix.plugin.runner.filter.PluginFilter",
                        "# official filter\ncom.example.svc.Listed\n"));

        try (var loader = loader(jar)) {
            assertThat(names(new SdkFilterPluginSource().load(loader, List.of())))
                    .containsExactly("Listed");
            assertThat(names(new SdkFilterPluginSource().load(loader, List.of(jar))))
                    .containsExactly("Listed");
        }
    }

    @Test
    void shouldFailWhenTwoClassesAnswerTheSameName() throws Exception {
        Path first = FilterJars.build(
                dir, "first", Map.of("com.example.a.Same", filter("com.example.a", "Same", "Same", "/a")), Map.of());
        Path second = FilterJars.build(
                dir, "second", Map.of("com.example.b.Same", filter("com.example.b", "Same", "Same", "/b")), Map.of());

        try (var loader = loader(first, second)) {
            assertThatThrownBy(() -> new SdkFilterPluginSource().load(loader, List.of(first, second)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("name: Same")
                    .hasMessageContaining("com.example.a.Same")
                    .hasMessageContaining("com.example.b.Same");
        }
    }

    @Test
    void shouldSkipAnUnreadableJarAndFindNothingWithoutJars() throws Exception {
        Path notAJar = java.nio.file.Files.writeString(dir.resolve("broken.jar"), "not a zip");

        List<Plugin<?>> plugins = new SdkFilterPluginSource().load(getClass().getClassLoader(), List.of(notAJar));

        assertThat(plugins).isEmpty();
    }

    @Test
    void shouldBeDiscoverableAsAPluginSource() {
        assertThat(ServiceLoader.load(PluginSource.class).stream().map(ServiceLoader.Provider::type))
                .contains(SdkFilterPluginSource.class);
        assertThat(new SdkFilterPluginSource().name()).isEqualTo("apisix-sdk-compat");
    }
}
