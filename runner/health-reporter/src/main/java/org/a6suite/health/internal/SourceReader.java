package org.a6suite.health.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.a6suite.health.HttpSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one of the reporter's HTTP sources (APISIX's prometheus exporter, its Control API) with a timeout. A source
 * that cannot be read yields nothing for that interval; it is logged once when it starts failing and once when it
 * answers again, never every interval.
 */
public final class SourceReader {

    private static final Logger LOG = LoggerFactory.getLogger(SourceReader.class);

    private final String name;
    private final URI uri;
    private final HttpSource http;
    private final AtomicBoolean failing = new AtomicBoolean();

    public SourceReader(String name, URI uri, HttpSource http) {
        this.name = requireNonNull(name, "name");
        this.uri = requireNonNull(uri, "uri");
        this.http = requireNonNull(http, "http");
    }

    /** The source's text, or empty when it did not answer within {@code timeout} (+ 100 ms of grace). */
    public CompletableFuture<Optional<String>> read(Duration timeout) {
        CompletableFuture<String> f;
        try {
            f = http.get(uri, timeout).toCompletableFuture();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.orTimeout(timeout.toMillis() + 100, TimeUnit.MILLISECONDS).handle((text, error) -> {
            if (error != null) {
                failed(error);
                return Optional.<String>empty();
            }
            if (failing.compareAndSet(true, false)) {
                LOG.info("health reporter: {} at {} readable again", name, uri);
            }
            return Optional.of(text);
        });
    }

    /** Records that what the source answered could not be used (logged like a failed read). */
    public void failed(Throwable error) {
        if (failing.compareAndSet(false, true)) {
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            LOG.warn(
                    "health reporter: cannot read {} at {} ({}); leaving it out until it answers again",
                    name,
                    uri,
                    cause.toString());
        }
    }
}
