package org.a6suite.runner.chain;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.a6suite.plugin.CallContext;
import org.a6suite.runner.conf.ChainLink;

/**
 * Runs one call through a chain, link by link, in conf order.
 *
 * <p>Threading: the run starts and every step continues on the {@code home} executor (the connection's event loop),
 * so its state is only ever touched by one thread at a time and needs no locks. A link whose {@link Placement} is
 * inline is called right there; if its stage is already complete the next link follows in the same loop iteration,
 * with no thread hop. Any other link is called on the blocking pool, and its result hops back to {@code home}. An
 * asynchronous stage that completes elsewhere also hops back. Nothing here ever waits, so a slow plugin holds up only
 * its own call. Calls of {@link Placement.Adaptive} links are timed (and, inline, watched by the
 * {@link InlineWatchdog}) so that the placement learns whether they block.
 *
 * @param <D> the plugins' decision type
 * @param <O> the chain's outcome type
 */
abstract class ChainRun<D, O> {

    private final List<ChainLink<?>> links;
    private final CallContext context;
    private final Executor home;
    private final Executor blocking;
    private final InlineWatchdog watchdog;
    private final CompletableFuture<O> result = new CompletableFuture<>();
    private int index;

    ChainRun(List<ChainLink<?>> links, CallContext context, Executor home, Executor blocking, InlineWatchdog watchdog) {
        this.links = requireNonNull(links, "links");
        this.context = requireNonNull(context, "context");
        this.home = requireNonNull(home, "home");
        this.blocking = requireNonNull(blocking, "blocking");
        this.watchdog = requireNonNull(watchdog, "watchdog");
    }

    /** Calls {@code link} with the current view; may throw or return null, both count as the link failing. */
    abstract CompletionStage<D> call(ChainLink<?> link, CallContext context);

    /**
     * Applies one decision of the link at {@code index} (its position in the chain); returns the final outcome if it
     * ends the chain, else null to go on.
     */
    abstract O apply(int index, ChainLink<?> link, D decision);

    /** The outcome after the last link. */
    abstract O finish();

    /** Starts the run; must be called on {@code home}. */
    final CompletableFuture<O> start() {
        advance();
        return result;
    }

    private void advance() {
        while (index < links.size()) {
            ChainLink<?> link = links.get(index);
            Placement placement = link.placement();
            if (!placement.inline()) {
                runBlocking(link, placement);
                return;
            }
            CompletableFuture<D> stage =
                    placement instanceof Placement.Adaptive adaptive ? invokeWatched(link, adaptive) : invoke(link);
            if (!stage.isDone()) {
                stage.whenComplete((decision, error) -> home.execute(() -> resume(link, decision, error)));
                return;
            }
            D decision;
            try {
                decision = stage.join();
            } catch (CompletionException | java.util.concurrent.CancellationException e) {
                fail(link, unwrap(e));
                return;
            }
            if (!step(link, decision)) {
                return;
            }
        }
        result.complete(finish());
    }

    private void runBlocking(ChainLink<?> link, Placement placement) {
        try {
            blocking.execute(() -> {
                long started = watchdog.now();
                CompletableFuture<D> stage = invoke(link);
                placement.record(watchdog.now() - started, true);
                stage.whenComplete((decision, error) -> home.execute(() -> resume(link, decision, error)));
            });
        } catch (RejectedExecutionException e) {
            fail(link, e);
        }
    }

    /** Calls an adaptive link on the event loop, in view of the watchdog, and times it. */
    private CompletableFuture<D> invokeWatched(ChainLink<?> link, Placement.Adaptive placement) {
        InlineWatchdog.Slot slot = watchdog.slot();
        long started = watchdog.now();
        slot.enter(placement, started);
        try {
            return invoke(link);
        } finally {
            slot.exit();
            placement.record(watchdog.now() - started, false);
        }
    }

    private void resume(ChainLink<?> link, D decision, Throwable error) {
        if (error != null) {
            fail(link, unwrap(error));
            return;
        }
        if (step(link, decision)) {
            advance();
        }
    }

    /** Applies a decision; true to go on with the next link. */
    private boolean step(ChainLink<?> link, D decision) {
        if (decision == null) {
            fail(link, new NullPointerException("decision"));
            return false;
        }
        O end;
        try {
            end = apply(index, link, decision);
        } catch (RuntimeException e) {
            fail(link, e);
            return false;
        }
        if (end != null) {
            result.complete(end);
            return false;
        }
        index++;
        return true;
    }

    private CompletableFuture<D> invoke(ChainLink<?> link) {
        CompletionStage<D> stage;
        try {
            stage = call(link, context);
        } catch (VirtualMachineError e) {
            throw e; // out of memory or stack: the JVM's problem, not this call's; never turned into an Err reply
        } catch (RuntimeException | Error e) {
            // What a plugin can throw: its bugs, and linkage errors of a plugin jar built against other classes.
            return CompletableFuture.failedFuture(e);
        }
        if (stage == null) {
            return CompletableFuture.failedFuture(new NullPointerException("plugin returned a null stage"));
        }
        try {
            return stage.toCompletableFuture();
        } catch (UnsupportedOperationException e) {
            // A stage that will not expose a future: bridge it through a callback.
            CompletableFuture<D> bridge = new CompletableFuture<>();
            stage.whenComplete((d, t) -> {
                if (t != null) {
                    bridge.completeExceptionally(t);
                } else {
                    bridge.complete(d);
                }
            });
            return bridge;
        }
    }

    private void fail(ChainLink<?> link, Throwable cause) {
        result.completeExceptionally(new ChainFailure(link.name(), cause));
    }

    private static Throwable unwrap(Throwable t) {
        Throwable current = t;
        while ((current instanceof CompletionException || current instanceof java.util.concurrent.ExecutionException)
                && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }
}
