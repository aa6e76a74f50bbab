package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.a6suite.runner.config.RunnerConfig;
import org.a6suite.runner.config.SocketOwner;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.transport.SocketFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket as APISIX run as root sees it: the runner is root, nginx's workers are {@code nobody}. Runs only as
 * root (as the build machines do); the connect-as-nobody checks also need {@code setpriv} and {@code python3}.
 */
class SocketOwnershipTest extends RunnerFixture {

    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path PYTHON = Path.of("/usr/bin/python3");

    private Path conf;

    @BeforeEach
    void apisixHome() throws IOException {
        assumeTrue(SocketFile.runningAsRoot(), "needs root");
        // <home>/conf/apisix-<pid>.sock, as APISIX names it; nobody may traverse the directories, as in a real prefix.
        conf = Files.createDirectories(tempDir.resolve("conf"));
        Files.setPosixFilePermissions(tempDir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwx--x--x"));
    }

    @Override
    protected Path socket() {
        return tempDir.resolve("conf").resolve("apisix-4242.sock");
    }

    @Test
    void shouldChownATempSocketToNobody() throws IOException {
        Path path = conf.resolve("plain.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketFile.setOwner(path, SocketOwner.of("nobody"));
            assertThat(Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName())
                    .isEqualTo("nobody");
        }
        assertThatThrownBy(() -> SocketFile.setOwner(path, SocketOwner.of("no-such-user-a6")))
                .isInstanceOf(RunnerStartException.class)
                .hasMessageContaining("no-such-user-a6")
                .hasMessageContaining("A6_SOCKET_OWNER");
    }

    @Test
    void shouldLetNobodyConnectWhenApisixConfigNamesNoUser() throws Exception {
        Files.writeString(conf.resolve("config.yaml"), "apisix:\n  node_listen: 9080\n");
        start(RunnerConfig.builder(socket()).build(), RunnerOptions.defaults());
        assertThat(Files.getOwner(socket(), LinkOption.NOFOLLOW_LINKS).getName())
                .isEqualTo("nobody");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket())))
                .isEqualTo("rw-rw----");
        assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PYTHON), "needs setpriv and python3");
        assertThat(connectAsNobody()).as("a worker running as nobody connects").isZero();
    }

    @Test
    void shouldGiveTheSocketToNginxConfigUser() throws IOException {
        Files.writeString(conf.resolve("config.yaml"), "nginx_config:\n  user: daemon\n");
        start(RunnerConfig.builder(socket()).build(), RunnerOptions.defaults());
        assertThat(Files.getOwner(socket(), LinkOption.NOFOLLOW_LINKS).getName())
                .isEqualTo("daemon");
    }

    @Test
    void shouldKeepAnExplicitOwnerWhichThenRefusesNobody() throws Exception {
        Files.writeString(conf.resolve("config.yaml"), "nginx_config:\n  user: nobody\n");
        start(
                RunnerConfig.builder(socket())
                        .socketOwner(SocketOwner.parse("t", "root:root"))
                        .build(),
                RunnerOptions.defaults());
        assertThat(Files.getOwner(socket(), LinkOption.NOFOLLOW_LINKS).getName())
                .isEqualTo("root");
        assumeTrue(Files.isExecutable(SETPRIV) && Files.isExecutable(PYTHON), "needs setpriv and python3");
        assertThat(connectAsNobody())
                .as("EACCES, as APISIX's workers saw before")
                .isNotZero();
    }

    /** Exit code of a process running as nobody:nogroup that connects to the socket. */
    private int connectAsNobody() throws IOException, InterruptedException {
        Process process = new ProcessBuilder(
                        SETPRIV.toString(),
                        "--reuid=65534",
                        "--regid=65534",
                        "--clear-groups",
                        PYTHON.toString(),
                        "-c",
                        "import socket,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.close()",
                        socket().toString())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return process.exitValue();
    }
}
