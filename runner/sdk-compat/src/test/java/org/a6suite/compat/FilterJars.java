package org.a6suite.compat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.apache.apisix.plugin.runner.filter.PluginFilter;

/**
 * Compiles filter sources against the official SDK and packs them into a jar, so discovery is tested on classes
 * that exist only in that jar, as with a real plugins directory.
 */
final class FilterJars {

    private FilterJars() {}

    /**
     * @param sources   Java sources by binary class name
     * @param resources extra jar entries (e.g. META-INF/services files) by path
     */
    static Path build(Path dir, String jarName, Map<String, String> sources, Map<String, String> resources)
            throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        var files = new ArrayList<String>();
        for (var source : sources.entrySet()) {
            Path file = src.resolve(source.getKey().replace('.', '/') + ".java");
            Files.createDirectories(file.getParent());
            Files.writeString(file, source.getValue());
            files.add(file.toString());
        }
        var args = new ArrayList<>(
                List.of("-d", classes.toString(), "-classpath", sdkClassPath(), "--release", "21", "-proc:none"));
        args.addAll(files);
        int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, args.toArray(String[]::new));
        if (rc != 0) {
            throw new IllegalStateException("javac failed: " + rc);
        }
        Path jar = dir.resolve(jarName + ".jar");
        try (var out = new JarOutputStream(Files.newOutputStream(jar));
                Stream<Path> walk = Files.walk(classes)) {
            for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
            for (var resource : resources.entrySet()) {
                out.putNextEntry(new JarEntry(resource.getKey()));
                write(out, resource.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static String sdkClassPath() {
        return String.join(
                java.io.File.pathSeparator,
                location(PluginFilter.class),
                location(io.github.api7.A6.HTTPReqCall.Req.class),
                location(com.google.flatbuffers.Table.class));
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
