package org.a6suite.ai.internal;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.a6suite.ai.AiGatewayConfig.CredentialRef;
import org.a6suite.ai.AiGatewayConfig.Target;
import org.a6suite.ai.internal.provider.ProviderException;

/**
 * Resolves a target's credential reference at the start of each attempt. Environment variables are read every
 * time; files are read on the blocking executor and cached for a minute, so a rotated key file is picked up without
 * a restart and no I/O thread ever reads a file. Values never appear in exceptions or logs.
 */
public final class Credentials {

    private static final Duration FILE_TTL = Duration.ofMinutes(1);

    private final Function<String, Optional<String>> getenv;
    private final AsyncLoadingCache<Path, String> files;
    /** Every value resolved lately, for the redactor; bounded, and forgets values not resolved for an hour. */
    private final Cache<String, Boolean> seen = Caffeine.newBuilder()
            .maximumSize(1_000)
            .expireAfterAccess(Duration.ofHours(1))
            .executor(Runnable::run)
            .build();

    public Credentials(Function<String, Optional<String>> getenv, Executor blockingExecutor) {
        this.getenv = getenv;
        this.files = Caffeine.newBuilder()
                .maximumSize(1_000)
                .expireAfterWrite(FILE_TTL)
                .executor(blockingExecutor)
                .buildAsync(Credentials::read);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // The path is configuration, not a secret; the content is never read into the message.
            throw new UncheckedIOException("cannot read credentials file " + path, e);
        }
    }

    /** The credential, empty when the target has none; fails with CREDENTIALS_UNAVAILABLE when unresolvable. */
    public CompletableFuture<Optional<String>> resolve(Target target) {
        if (target.credentials().isEmpty()) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CredentialRef ref = target.credentials().get();
        return switch (ref) {
            case CredentialRef.Env env -> {
                Optional<String> value = getenv.apply(env.name()).filter(v -> !v.isBlank());
                if (value.isPresent()) {
                    remember(value.get());
                }
                yield value.isPresent()
                        ? CompletableFuture.completedFuture(value)
                        : CompletableFuture.failedFuture(unavailable());
            }
            case CredentialRef.File file ->
                files.get(file.path()).handle((value, error) -> {
                    if (error != null || value == null || value.isBlank()) {
                        files.synchronous().invalidate(file.path());
                        throw unavailable();
                    }
                    remember(value);
                    return Optional.of(value);
                });
        };
    }

    /**
     * Keeps a value for the redactor. A value already known is only read (which renews it: the cache expires after
     * access), not written again: a write per attempt was a measurable share of the call's cost.
     */
    private void remember(String value) {
        if (seen.getIfPresent(value) == null) {
            seen.put(value, Boolean.TRUE);
        }
    }

    /** The credential values resolved lately (for {@link org.a6suite.http.SecretRedactor}); never logged. */
    public java.util.Set<String> knownSecrets() {
        return seen.asMap().keySet();
    }

    private static ProviderException unavailable() {
        return ProviderException.of(ProviderException.Kind.CREDENTIALS_UNAVAILABLE, "");
    }
}
