package org.a6suite.emulator.internal;

import io.netty.channel.EventLoop;
import java.util.concurrent.CompletableFuture;

/**
 * nginx's model for the emulator: one worker handles a request's client read, its ext-plugin RPC and its proxying, with
 * no hand-off between threads. The emulator's equivalent is the front connection's event loop: the runner and
 * upstream connections a request uses are that loop's own, so their callbacks already run on it. These helpers run
 * work at once when the caller is on the loop and post it only when it is not (a PrepareConf shared with a request of
 * another loop, a test thread).
 */
final class Loops {

    private Loops() {}

    /** Runs {@code task} now when on {@code loop}, else posts it to {@code loop}. */
    static void run(EventLoop loop, Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /**
     * {@code f}'s outcome, delivered on {@code loop}: the same future when it completes on the loop (the usual case),
     * else a copy completed by a task posted to the loop, so the request's next step never runs on a foreign thread.
     */
    static <T> CompletableFuture<T> on(EventLoop loop, CompletableFuture<T> f) {
        CompletableFuture<T> r = new CompletableFuture<>();
        f.whenComplete((value, error) -> run(loop, () -> {
            if (error != null) {
                r.completeExceptionally(error);
            } else {
                r.complete(value);
            }
        }));
        return r;
    }
}
