package org.a6suite.plugin;

/** How the runner may call a plugin. */
public enum Execution {
    /** The plugin never blocks; the runner may call it on its I/O thread with no thread hop. */
    NON_BLOCKING,
    /** The plugin may block (I/O, locks, sleeps); the runner calls it on a worker thread. */
    BLOCKING,
    /**
     * Nothing is known: the plugin is usually quick but might block (the case of filters written for another
     * runner). The runner first calls it on a worker thread; once a run of calls has shown that it returns quickly,
     * it calls it on its I/O thread with no thread hop, and moves it back to worker threads as soon as one call runs
     * long (a watchdog notices a call still running, so the plugin's other calls leave the I/O threads without
     * waiting for it to return); after a few such moves it stays on worker threads.
     */
    ADAPTIVE
}
