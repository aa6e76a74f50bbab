package org.a6suite.runner.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A user, and optionally a group, to give the socket file to: {@code A6_SOCKET_OWNER=user} or {@code user:group}.
 * Names follow the portable POSIX user name form (letters, digits, {@code . _ -}, not starting with {@code -}, at
 * most 32 characters); a numeric id is accepted too.
 *
 * @param user  the owner; a worker running as this user connects through the owner bits of the mode
 * @param group the group, if one is to be set; otherwise the file keeps the runner's group
 */
public record SocketOwner(String user, Optional<String> group) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.][A-Za-z0-9_.-]{0,31}");

    public SocketOwner {
        requireNonNull(user, "user");
        requireNonNull(group, "group");
        if (!NAME.matcher(user).matches()) {
            throw new RunnerConfigException("user: " + user + " (expected: a user name such as nobody)");
        }
        group.ifPresent(g -> {
            if (!NAME.matcher(g).matches()) {
                throw new RunnerConfigException("group: " + g + " (expected: a group name such as nogroup)");
            }
        });
    }

    public static SocketOwner of(String user) {
        return new SocketOwner(user, Optional.empty());
    }

    /**
     * Parses {@code user} or {@code user:group}.
     *
     * @throws RunnerConfigException naming {@code setting} and the expected form
     */
    public static SocketOwner parse(String setting, String value) {
        requireNonNull(value, "value");
        String[] parts = value.split(":", -1);
        if (parts.length > 2
                || !NAME.matcher(parts[0]).matches()
                || (parts.length == 2 && !NAME.matcher(parts[1]).matches())) {
            throw new RunnerConfigException(
                    setting + ": " + value + " (expected: user or user:group, e.g. nobody" + " or apisix:apisix)");
        }
        return new SocketOwner(parts[0], parts.length == 2 ? Optional.of(parts[1]) : Optional.empty());
    }

    @Override
    public String toString() {
        return group.map(g -> user + ":" + g).orElse(user);
    }
}
