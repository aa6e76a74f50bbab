package org.a6suite.plugin;

/** How the runner may call a plugin. */
public enum Execution {
    /** The plugin never blocks; the runner may call it on its I/O thread with no thread hop. */
    NON_BLOCKING,
    /** The plugin may block (I/O, locks, sleeps); the runner calls it on a worker thread. */
    BLOCKING
}
