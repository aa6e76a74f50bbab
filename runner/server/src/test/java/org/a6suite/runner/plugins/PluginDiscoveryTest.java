package org.a6suite.runner.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.a6suite.plugin.Plugin;
import org.a6suite.runner.RunnerStartException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginDiscoveryTest {

    @TempDir
    Path dir;

    /** Writes a jar whose only content is a services file naming {@code classes}. */
    private Path servicesJar(String name, String... classes) throws IOException {
        Path jar = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jos = new JarOutputStream(out)) {
            jos.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
            jos.write((String.join("\n", classes) + "\n").getBytes(StandardCharsets.UTF_8));
            jos.closeEntry();
        }
        return jar;
    }

    @Test
    void shouldFindPluginsDeclaredInJarsOfThePluginsDirectory() throws IOException {
        servicesJar("one.jar", DiscoverablePlugin.class.getName());
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        try (PluginDiscovery discovery =
                PluginDiscovery.discover(Optional.of(dir), getClass().getClassLoader())) {
            assertThat(discovery.jars()).containsExactly(dir.resolve("one.jar"));
            assertThat(discovery.plugins()).extracting(Plugin::name).contains("discoverable");
        }
    }

    @Test
    void shouldFindNothingExtraWithoutAPluginsDirectory() {
        try (PluginDiscovery discovery =
                PluginDiscovery.discover(Optional.empty(), getClass().getClassLoader())) {
            assertThat(discovery.jars()).isEmpty();
            assertThat(discovery.plugins()).extracting(Plugin::name).doesNotContain("discoverable");
        }
    }

    @Test
    void shouldNameBothClassesWhenTwoPluginsShareAName() throws IOException {
        servicesJar("a.jar", DiscoverablePlugin.class.getName());
        servicesJar("b.jar", DiscoverablePlugin.Twin.class.getName());
        try (PluginDiscovery discovery =
                PluginDiscovery.discover(Optional.of(dir), getClass().getClassLoader())) {
            assertThatThrownBy(() -> PluginRegistry.of(discovery.plugins()))
                    .isInstanceOf(RunnerStartException.class)
                    .hasMessageContaining(DiscoverablePlugin.class.getName())
                    .hasMessageContaining(DiscoverablePlugin.Twin.class.getName());
        }
    }

    @Test
    void shouldExplainAServicesEntryThatCannotBeLoaded() throws IOException {
        servicesJar("broken.jar", "com.example.Missing");
        assertThatThrownBy(() ->
                        PluginDiscovery.discover(Optional.of(dir), getClass().getClassLoader()))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("com.example.Missing");
    }

    @Test
    void shouldRejectAMissingPluginsDirectory() {
        assertThatThrownBy(() -> PluginDiscovery.discover(
                        Optional.of(dir.resolve("nope")), getClass().getClassLoader()))
                .hasMessageContaining("A6_PLUGINS_DIR: " + dir.resolve("nope"));
    }
}
