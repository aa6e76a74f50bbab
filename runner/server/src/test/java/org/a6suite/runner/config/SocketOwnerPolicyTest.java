package org.a6suite.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.stream.Stream;
import org.a6suite.runner.config.SocketOwnerPolicy.Decision;
import org.a6suite.runner.config.SocketOwnerPolicy.WorkerUser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SocketOwnerPolicyTest {

    private static final String CONFIG = "/usr/local/apisix/conf/config.yaml";

    static Stream<Arguments> cases() {
        WorkerUser apisixUser = new WorkerUser.Configured(SocketOwner.of("apisix"), CONFIG);
        WorkerUser wwwWithGroup = new WorkerUser.Configured(SocketOwner.parse("t", "www:www"), CONFIG);
        WorkerUser unset = new WorkerUser.NotConfigured(CONFIG);
        WorkerUser unreadable = new WorkerUser.Unreadable("java.nio.file.AccessDeniedException: " + CONFIG);
        Optional<SocketOwner> none = Optional.empty();
        Optional<SocketOwner> explicit = Optional.of(SocketOwner.parse("t", "svc:apisix"));
        return Stream.of(
                // runner is root, explicit setting, nginx_config.user, expected owner (null: keep), warn
                Arguments.of("root + user set", true, none, apisixUser, "apisix", false),
                Arguments.of("root + user and group set", true, none, wwwWithGroup, "www:www", false),
                Arguments.of("root + no user", true, none, unset, "nobody", false),
                Arguments.of("root + unreadable config", true, none, unreadable, "nobody", true),
                Arguments.of("non-root", false, none, apisixUser, null, false),
                Arguments.of("non-root + unreadable config", false, none, unreadable, null, false),
                Arguments.of("explicit override, root", true, explicit, apisixUser, "svc:apisix", false),
                Arguments.of("explicit override, non-root", false, explicit, unset, "svc:apisix", false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shouldGiveTheSocketToTheWorkerUserOnlyWhenTheRunnerIsRoot(
            String name,
            boolean root,
            Optional<SocketOwner> explicit,
            WorkerUser workerUser,
            String expectedOwner,
            boolean warn) {
        Decision decision = SocketOwnerPolicy.decide(root, explicit, workerUser);
        if (expectedOwner == null) {
            assertThat(decision).isInstanceOf(Decision.Keep.class);
        } else {
            assertThat(decision).isInstanceOfSatisfying(Decision.Chown.class, c -> {
                assertThat(c.owner()).hasToString(expectedOwner);
                assertThat(c.warn()).isEqualTo(warn);
            });
        }
        assertThat(decision.reason()).isNotBlank();
    }
}
