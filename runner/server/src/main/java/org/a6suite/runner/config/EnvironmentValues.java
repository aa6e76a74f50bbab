package org.a6suite.runner.config;

import static org.a6suite.runner.config.RunnerConfig.LANE_ADDRESS;
import static org.a6suite.runner.config.RunnerConfig.LISTEN_ADDRESS;
import static org.a6suite.runner.config.RunnerConfig.MAX_SOCKET_PATH_BYTES;
import static org.a6suite.runner.config.RunnerConfig.SOCKET_MODE;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Reading one environment variable of the runner: present or not (blank counts as unset), and its forms (a unix
 * listen address, a path, a bounded integer, octal permission bits, {@code host:port}), each refused with a {@link
 * RunnerConfigException} that names the variable, the value and the expected form.
 */
final class EnvironmentValues {

    private EnvironmentValues() {}

    static String required(Map<String, String> env, String name, String expected) {
        return optional(env, name)
                .orElseThrow(() -> new RunnerConfigException(name + ": <missing> (expected: " + expected + ")"));
    }

    static Optional<String> optional(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.strip());
    }

    static Path parseListenAddress(String value) {
        if (!value.startsWith("unix:") || value.length() == "unix:".length()) {
            throw new RunnerConfigException(LISTEN_ADDRESS + ": " + value + " (expected: unix:/absolute/path.sock)");
        }
        Path path = parsePath(LISTEN_ADDRESS, value.substring("unix:".length()));
        if (!path.isAbsolute()) {
            throw new RunnerConfigException(LISTEN_ADDRESS + ": " + value + " (expected: unix:/absolute/path.sock)");
        }
        if (path.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new RunnerConfigException(LISTEN_ADDRESS + ": " + value + " (expected: a path of at most "
                    + MAX_SOCKET_PATH_BYTES + " bytes, the unix socket limit)");
        }
        return path;
    }

    static Path parsePath(String name, String value) {
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw new RunnerConfigException(name + ": " + value + " (expected: a file system path)");
        }
    }

    static long parseLong(Map<String, String> env, String name, String value, long min, long max, String expected) {
        long parsed;
        try {
            parsed = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new RunnerConfigException(name + ": " + value + " (expected: " + expected + ")");
        }
        if (parsed < min || parsed > max) {
            throw new RunnerConfigException(name + ": " + value + " (expected: " + expected + ")");
        }
        return parsed;
    }

    static int parseMode(String value) {
        if (!value.matches("0?[0-7]{3}")) {
            throw new RunnerConfigException(
                    SOCKET_MODE + ": " + value + " (expected: octal permission bits such as 0660)");
        }
        return Integer.parseInt(value, 8);
    }

    /** {@code off}, or a TCP {@code host:port}; a unix socket is refused with the reason (see the class doc). */
    static Optional<InetSocketAddress> parseLaneAddress(String value) {
        if (value.equalsIgnoreCase("off")) {
            return Optional.empty();
        }
        if (value.startsWith("unix:")) {
            throw new RunnerConfigException(LANE_ADDRESS + ": " + value + " (expected: host:port such as "
                    + "127.0.0.1:9093, or off; APISIX cannot use a unix socket as an upstream node)");
        }
        return Optional.of(parseHostPort(LANE_ADDRESS, value, "127.0.0.1:9093, or off"));
    }

    static InetSocketAddress parseHostPort(String name, String value, String example) {
        int colon = value.lastIndexOf(':');
        String expected = " (expected: host:port, e.g. " + example + ")";
        if (colon <= 0 || colon == value.length() - 1) {
            throw new RunnerConfigException(name + ": " + value + expected);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new RunnerConfigException(name + ": " + value + expected);
        }
        if (port < 0 || port > 65_535 || host.isEmpty()) {
            throw new RunnerConfigException(name + ": " + value + expected);
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new RunnerConfigException(name + ": " + value + " (expected: a resolvable host:port)");
        }
        return address;
    }
}
