package org.a6suite.runner.dist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.a6suite.plugin.Plugin;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the shaded runner jar as APISIX does ({@code java -jar}, environment variables) and stops it with SIGTERM. */
class RunnerProcessIT {

    private static final Path JAR = Path.of(System.getProperty("a6.runner.jar", "target/a6-runner.jar"));
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");

    @TempDir
    Path dir;

    private Process process;

    @AfterEach
    void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    private Process startRunner(Path socket, Path pluginsDir, Path log) throws IOException {
        // As APISIX spawns it: in APISIX's home, whose conf/config.yaml the runner reads (when root) to find the
        // nginx worker user its socket is given to; this one names none, so nginx's default, nobody.
        Path home = Files.createDirectories(dir.resolve("apisix-home"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf").resolve("config.yaml"), "nginx_config:\n  worker_processes: 1\n");
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("APISIX_LISTEN_ADDRESS", "unix:" + socket);
        builder.environment().put("APISIX_CONF_EXPIRE_TIME", "3600");
        builder.environment().put("A6_PLUGINS_DIR", pluginsDir.toString());
        // The lane's default port is fixed (9093); a free one keeps parallel builds on one host apart.
        builder.environment().put("A6_LANE_ADDRESS", "127.0.0.1:0");
        return builder.start();
    }

    /** A plugin jar holding {@link SlowTestPlugin} and its services entry. */
    private Path pluginJar(Path pluginsDir) throws IOException {
        Files.createDirectories(pluginsDir);
        Path jar = pluginsDir.resolve("slow-test.jar");
        String classFile = SlowTestPlugin.class.getName().replace('.', '/') + ".class";
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jos = new JarOutputStream(out);
                var in = SlowTestPlugin.class.getClassLoader().getResourceAsStream(classFile)) {
            jos.putNextEntry(new JarEntry(classFile));
            in.transferTo(jos);
            jos.closeEntry();
            jos.putNextEntry(new JarEntry("META-INF/services/" + Plugin.class.getName()));
            jos.write((SlowTestPlugin.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            jos.closeEntry();
        }
        return jar;
    }

    @Test
    void shouldFinishTheInFlightCallAndExitWithinOneSecondOfSigterm() throws Exception {
        Path socket = dir.resolve("apisix.sock");
        Path plugins = dir.resolve("plugins");
        pluginJar(plugins);
        Path log = dir.resolve("runner.log");
        Path marker = dir.resolve("called");
        process = startRunner(socket, plugins, log);

        await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket) || !process.isAlive());
        assertThat(process.isAlive()).as("runner log: %s", readLog(log)).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> readLog(log).contains("serving"));
        assertThat(readLog(log)).contains(" INFO ").contains("slow-test").doesNotContain(" WARN ");

        long token;
        try (BlockingA6Client prepare = new BlockingA6Client(socket)) {
            prepare.send(new PrepareConfRequest(
                    List.of(TextEntry.of("slow-test", marker.toString())),
                    Optional.of("route#1#ext-plugin-pre-req#1")));
            token = ((PrepareConfResponse) prepare.receive(Duration.ofSeconds(5))).confToken();
        }
        try (BlockingA6Client call = new BlockingA6Client(socket)) {
            call.send(
                    new HttpReqCallRequest(1, new byte[] {127, 0, 0, 1}, Method.GET, "/", List.of(), List.of(), token));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.exists(marker));

            long sigterm = System.nanoTime();
            process.destroy(); // SIGTERM, as APISIX sends on stop or reload
            var reply = (HttpReqCallResponse) call.receive(Duration.ofSeconds(2));
            assertThat(process.waitFor(2, TimeUnit.SECONDS)).isTrue();
            long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sigterm);

            var stop = (HttpReqCallResponse.Stop) reply.action();
            assertThat(new String(stop.body().orElseThrow(), StandardCharsets.UTF_8))
                    .isEqualTo("done");
            assertThat(exitMillis)
                    .as("exit after SIGTERM, log: %s", readLog(log))
                    .isLessThan(1000);
            assertThat(process.exitValue()).isIn(0, 143);
            assertThat(socket).doesNotExist();
            // Logged after SIGTERM, during the graceful close: the shutdown hook lets the call log write it.
            assertThat(readLog(log)).contains("INFO  [").contains("a6.ai.calls - slow-test answered");
        }
    }

    @Test
    void shouldExitWithCode2AndNameTheMissingVariable() throws Exception {
        Path log = dir.resolve("runner.log");
        // As APISIX spawns it: in APISIX's home, whose conf/config.yaml the runner reads (when root) to find the
        // nginx worker user its socket is given to; this one names none, so nginx's default, nobody.
        Path home = Files.createDirectories(dir.resolve("apisix-home"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf").resolve("config.yaml"), "nginx_config:\n  worker_processes: 1\n");
        ProcessBuilder builder = new ProcessBuilder(JAVA, "-jar", JAR.toString())
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().remove("APISIX_LISTEN_ADDRESS");
        builder.environment().put("APISIX_CONF_EXPIRE_TIME", "3600");
        process = builder.start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(readLog(log).strip())
                .isEqualTo("a6-runner: APISIX_LISTEN_ADDRESS: <missing> (expected: unix:/absolute/path.sock)");
    }

    @Test
    void shouldExitWithCode1WhenARegularFileBlocksTheSocketPath() throws Exception {
        Path socket = dir.resolve("apisix.sock");
        Files.writeString(socket, "keep me");
        Path log = dir.resolve("runner.log");
        process = startRunner(socket, Files.createDirectories(dir.resolve("plugins")), log);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(1);
        assertThat(readLog(log)).contains("a6-runner: socket path " + socket + " exists and is not a socket");
        assertThat(Files.readString(socket)).isEqualTo("keep me");
    }

    private static String readLog(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "<unreadable: " + e + ">";
        }
    }
}
