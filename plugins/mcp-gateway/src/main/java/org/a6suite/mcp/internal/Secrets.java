package org.a6suite.mcp.internal;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;
import org.a6suite.plugin.PluginConfigException;

/**
 * Resolves secret references ({@code {"env": "NAME"}} or {@code {"file": "/path"}}) when a value is bound. Inline
 * secrets never reach here (the schema refuses them, so they never sit in etcd), and a resolved secret never appears
 * in an error: errors name the variable or the file.
 */
final class Secrets {

    private final Function<String, Optional<String>> env;

    /** @param env resolves environment variables (the runner's {@code PluginEnvironment.getenv}) */
    Secrets(Function<String, Optional<String>> env) {
        this.env = requireNonNull(env, "env");
    }

    /** The secret {@code env} or {@code file} names (the schema guarantees exactly one of them); {@code field} names the reference. */
    String resolve(Optional<String> envName, Optional<String> file, String field) throws PluginConfigException {
        if (envName.isPresent()) {
            String name = envName.get();
            return env.apply(name)
                    .filter(v -> !v.isBlank())
                    .orElseThrow(
                            () -> PluginConfigException.invalid(field + ".env", name, "a set environment variable"));
        }
        String path =
                file.orElseThrow(() -> PluginConfigException.invalid(field, "<secret reference>", "one of env, file"));
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            throw PluginConfigException.invalid(field + ".file", path, "a readable file");
        }
    }
}
