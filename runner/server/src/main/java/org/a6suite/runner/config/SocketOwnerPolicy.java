package org.a6suite.runner.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Decides who owns the socket file, so that APISIX's nginx workers can connect while other local users cannot.
 *
 * <p>APISIX's privileged agent starts the runner as the nginx <em>master</em>'s user; the workers that connect run
 * as nginx's {@code user} when the master is root ({@code nginx_config.user} in APISIX's {@code conf/config.yaml},
 * rendered into {@code user ...;} of nginx.conf by {@code apisix/cli/ngx_tpl.lua}; without it nginx uses
 * {@code nobody}), and as the master's own user otherwise (nginx cannot switch users without root). A socket owned by
 * root with mode 0660 therefore refuses the workers of a root master, and every ext-plugin route answers 503. The
 * policy, pure so it can be tested case by case:
 *
 * <table>
 *   <caption>Decision</caption>
 *   <tr><th>runner</th><th>{@code A6_SOCKET_OWNER}</th><th>{@code nginx_config.user}</th><th>socket owner</th></tr>
 *   <tr><td>any</td><td>set</td><td>any</td><td>the setting</td></tr>
 *   <tr><td>not root</td><td>unset</td><td>any</td><td>unchanged (the runner's user, which the workers share)</td></tr>
 *   <tr><td>root</td><td>unset</td><td>{@code user [group]}</td><td>that user (and group)</td></tr>
 *   <tr><td>root</td><td>unset</td><td>absent</td><td>{@code nobody}, nginx's default</td></tr>
 *   <tr><td>root</td><td>unset</td><td>config unreadable</td><td>{@code nobody}, with a warning</td></tr>
 * </table>
 *
 * <p>The mode is never widened: with 0660 the owner (the worker user) and the group may connect, nobody else.
 */
public final class SocketOwnerPolicy {

    /** nginx's default worker user when the master runs as root and nginx.conf has no {@code user} directive. */
    public static final String NGINX_DEFAULT_USER = "nobody";

    private SocketOwnerPolicy() {}

    /** What APISIX's configuration says about nginx's worker user. */
    public sealed interface WorkerUser {
        /** {@code nginx_config.user} is set; {@code source} names the file. */
        record Configured(SocketOwner owner, String source) implements WorkerUser {
            public Configured {
                requireNonNull(owner, "owner");
                requireNonNull(source, "source");
            }
        }

        /** The configuration was read and has no {@code nginx_config.user}. */
        record NotConfigured(String source) implements WorkerUser {
            public NotConfigured {
                requireNonNull(source, "source");
            }
        }

        /** The configuration could not be read or understood; {@code reason} says why. */
        record Unreadable(String reason) implements WorkerUser {
            public Unreadable {
                requireNonNull(reason, "reason");
            }
        }
    }

    /** What to do with the socket file after binding. */
    public sealed interface Decision {
        /** Why, for the start-up log line. */
        String reason();

        /** Leave the owner as created (the runner's user). */
        record Keep(String reason) implements Decision {}

        /** Give the file to {@code owner}; {@code warn} when the choice is a guess the operator should confirm. */
        record Chown(SocketOwner owner, String reason, boolean warn) implements Decision {}
    }

    /**
     * @param runnerIsRoot whether the runner (hence the nginx master) runs with user id 0
     * @param explicit     {@code A6_SOCKET_OWNER}, if set
     * @param workerUser   what APISIX's config says; only consulted when the runner is root and nothing is explicit
     */
    public static Decision decide(boolean runnerIsRoot, Optional<SocketOwner> explicit, WorkerUser workerUser) {
        requireNonNull(explicit, "explicit");
        requireNonNull(workerUser, "workerUser");
        if (explicit.isPresent()) {
            return new Decision.Chown(explicit.get(), RunnerConfig.SOCKET_OWNER, false);
        }
        if (!runnerIsRoot) {
            return new Decision.Keep("not root: nginx workers run as the runner's user");
        }
        return switch (workerUser) {
            case WorkerUser.Configured c -> new Decision.Chown(c.owner(), "nginx_config.user in " + c.source(), false);
            case WorkerUser.NotConfigured n ->
                new Decision.Chown(
                        SocketOwner.of(NGINX_DEFAULT_USER),
                        "no nginx_config.user in " + n.source() + ": nginx's default worker user",
                        false);
            case WorkerUser.Unreadable u ->
                new Decision.Chown(
                        SocketOwner.of(NGINX_DEFAULT_USER),
                        "nginx_config.user unknown (" + u.reason() + "): nginx's default worker user; set "
                                + RunnerConfig.SOCKET_OWNER + " if the workers run as another user",
                        true);
        };
    }
}
