package org.a6suite.resilience;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A test call whose every invocation returns a future the test completes by hand. */
final class ScriptedCall<T> implements DeadlineCall<T> {

    final List<CompletableFuture<T>> invocations = new ArrayList<>();
    final List<Deadline> deadlines = new ArrayList<>();

    @Override
    public synchronized CompletionStage<T> call(Deadline deadline) {
        CompletableFuture<T> future = new CompletableFuture<>();
        invocations.add(future);
        deadlines.add(deadline);
        return future;
    }

    synchronized int count() {
        return invocations.size();
    }

    synchronized CompletableFuture<T> last() {
        return invocations.get(invocations.size() - 1);
    }

    synchronized CompletableFuture<T> get(int index) {
        return invocations.get(index);
    }
}
