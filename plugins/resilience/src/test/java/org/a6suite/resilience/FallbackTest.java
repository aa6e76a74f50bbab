package org.a6suite.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.resilience.testing.ManualTicker;
import org.junit.jupiter.api.Test;

class FallbackTest {

    private final ManualTicker ticker = new ManualTicker();
    private final ScriptedCall<String> inner = new ScriptedCall<>();

    @Test
    void shouldInvokeFallbackWithCause() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        DeadlineCall<String> call =
                Fallback.decorate(inner, OutcomeClassifier.ofDefaults(), cause -> true, (cause, deadline) -> {
                    seen.set(cause);
                    return CompletableFuture.completedFuture("cached");
                });
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        IOException failure = new IOException("provider down");
        inner.get(0).completeExceptionally(failure);

        assertThat(result).isCompletedWithValue("cached");
        assertThat(seen.get()).isSameAs(failure);
    }

    @Test
    void shouldFallBackOnResultJudgedFailure() {
        DeadlineCall<String> call = Fallback.decorate(
                inner,
                (r, e) -> "503".equals(r) ? Outcome.failure() : Outcome.success(),
                cause -> true,
                (cause, deadline) ->
                        CompletableFuture.completedFuture("static after " + ((FailedResultException) cause).result()));
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).complete("503");
        assertThat(result).isCompletedWithValue("static after 503");
    }

    @Test
    void shouldNotFallBackWhenPredicateRejectsOrCallSucceeds() {
        DeadlineCall<String> call = Fallback.decorate(
                inner,
                OutcomeClassifier.ofDefaults(),
                cause -> cause instanceof IOException,
                (cause, d) -> CompletableFuture.completedFuture("fb"));
        CompletableFuture<String> ok = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).complete("real");
        CompletableFuture<String> other = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(1).completeExceptionally(new IllegalStateException("not io"));

        assertThat(ok).isCompletedWithValue("real");
        assertThatThrownBy(other::join).cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldKeepOriginalCauseSuppressedWhenFallbackFails() {
        DeadlineCall<String> call = Fallback.decorate(
                inner,
                OutcomeClassifier.ofDefaults(),
                cause -> true,
                (cause, d) -> CompletableFuture.failedFuture(new IOException("fallback down")));
        CompletableFuture<String> result = call.call(Deadline.never(ticker)).toCompletableFuture();
        inner.get(0).completeExceptionally(new IOException("primary down"));
        assertThatThrownBy(result::join)
                .cause()
                .hasMessage("fallback down")
                .satisfies(e -> assertThat(e.getSuppressed())
                        .extracting(Throwable::getMessage)
                        .containsExactly("primary down"));
    }
}
