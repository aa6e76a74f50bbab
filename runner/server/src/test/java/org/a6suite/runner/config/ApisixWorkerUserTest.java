package org.a6suite.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import org.a6suite.runner.config.SocketOwnerPolicy.WorkerUser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApisixWorkerUserTest {

    private static final Function<String, String> NO_ENV = name -> null;

    @TempDir
    Path home;

    @Test
    void shouldReadNginxConfigUser() {
        String yaml = """
                apisix:
                  node_listen: 9080
                  user: not-this-one
                nginx_config:    # nginx settings
                  error_log: logs/error.log
                  # user: commented
                  http:
                    user: nor-this-one
                  user: apisix   # the workers
                  worker_processes: auto
                """;
        assertThat(ApisixWorkerUser.parse(yaml, "c.yaml", NO_ENV))
                .isEqualTo(new WorkerUser.Configured(SocketOwner.of("apisix"), "c.yaml"));
    }

    @Test
    void shouldReadAQuotedUserWithAGroupAndAnEnvironmentReference() {
        assertThat(ApisixWorkerUser.parse("nginx_config:\n  user: \"www www\"\n", "c", NO_ENV))
                .isEqualTo(new WorkerUser.Configured(SocketOwner.parse("t", "www:www"), "c"));
        assertThat(ApisixWorkerUser.parse(
                        "nginx_config:\n    user: ${{WORKER_USER}}\n", "c", Map.of("WORKER_USER", "svc")::get))
                .isEqualTo(new WorkerUser.Configured(SocketOwner.of("svc"), "c"));
        assertThat(ApisixWorkerUser.parse("nginx_config:\n    user: ${{WORKER_USER:=daemon}}\n", "c", NO_ENV))
                .isEqualTo(new WorkerUser.Configured(SocketOwner.of("daemon"), "c"));
    }

    @Test
    void shouldReportNoUserWhenTheKeyIsAbsentOrEmpty() {
        assertThat(ApisixWorkerUser.parse("apisix:\n  node_listen: 9080\n", "c", NO_ENV))
                .isEqualTo(new WorkerUser.NotConfigured("c"));
        assertThat(ApisixWorkerUser.parse(
                        "nginx_config:\n  # user: root\n  worker_processes: 2\nuser: x\n", "c", NO_ENV))
                .isEqualTo(new WorkerUser.NotConfigured("c"));
        assertThat(ApisixWorkerUser.parse("nginx_config:\n  user: ''\n", "c", NO_ENV))
                .isEqualTo(new WorkerUser.NotConfigured("c"));
    }

    @Test
    void shouldReportWhatItCannotUnderstandInsteadOfGuessing() {
        assertThat(ApisixWorkerUser.parse("nginx_config: {user: www}\n", "c", NO_ENV))
                .isInstanceOf(WorkerUser.Unreadable.class);
        assertThat(ApisixWorkerUser.parse("nginx_config:\n  user: ${{UNSET}}\n", "c", NO_ENV))
                .isInstanceOf(WorkerUser.Unreadable.class);
        assertThat(ApisixWorkerUser.parse("nginx_config:\n  user: \"a;b\"\n", "c", NO_ENV))
                .isInstanceOf(WorkerUser.Unreadable.class);
    }

    @Test
    void shouldFindTheFileAsApisixDoes() throws IOException {
        Path conf = Files.createDirectories(home.resolve("conf"));
        assertThat(ApisixWorkerUser.confDir(conf.resolve("apisix-4242.sock"), Path.of("/elsewhere")))
                .isEqualTo(conf);
        assertThat(ApisixWorkerUser.confDir(Path.of("/tmp/runner.sock"), home)).isEqualTo(conf);

        assertThat(ApisixWorkerUser.read(conf, NO_ENV)).isInstanceOf(WorkerUser.Unreadable.class);
        Files.writeString(conf.resolve("config.yaml"), "nginx_config:\n  user: apisix\n");
        Files.writeString(conf.resolve("config-prod.yaml"), "nginx_config:\n  user: prod\n");
        assertThat(ApisixWorkerUser.read(conf, NO_ENV))
                .isInstanceOfSatisfying(
                        WorkerUser.Configured.class,
                        c -> assertThat(c.owner().user()).isEqualTo("apisix"));
        assertThat(ApisixWorkerUser.read(conf, Map.of("APISIX_PROFILE", "prod")::get))
                .isInstanceOfSatisfying(
                        WorkerUser.Configured.class,
                        c -> assertThat(c.owner().user()).isEqualTo("prod"));

        Path custom = Files.writeString(home.resolve("custom.yaml"), "nginx_config:\n  user: custom\n");
        Files.writeString(conf.resolve(".customized_config_path"), custom.toString());
        assertThat(ApisixWorkerUser.read(conf, NO_ENV))
                .isInstanceOfSatisfying(
                        WorkerUser.Configured.class,
                        c -> assertThat(c.owner().user()).isEqualTo("custom"));
    }
}
