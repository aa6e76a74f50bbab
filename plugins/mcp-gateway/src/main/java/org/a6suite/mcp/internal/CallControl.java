package org.a6suite.mcp.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The cancellation handle of one client request: the work behind it registers what undoes it (close the REST
 * request, tell the upstream {@code notifications/cancelled}); a client's {@code notifications/cancelled} runs all
 * of it once, and the request then gets no answer (the spec's rule for cancelled requests).
 */
public final class CallControl {

    private final List<Runnable> actions = new ArrayList<>();
    private boolean cancelled;

    /** Runs {@code action} on cancellation (at once when already cancelled). */
    public void onCancel(Runnable action) {
        synchronized (this) {
            if (!cancelled) {
                actions.add(action);
                return;
            }
        }
        action.run();
    }

    /** Cancels once; later calls do nothing. */
    public void cancel() {
        List<Runnable> run;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            run = List.copyOf(actions);
            actions.clear();
        }
        run.forEach(Runnable::run);
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }
}
