package org.a6suite.runner.chain;

import static java.util.Objects.requireNonNull;

/** A plugin in the chain threw, returned null, or completed its stage exceptionally. */
public final class ChainFailure extends RuntimeException {

    private final String plugin;

    public ChainFailure(String plugin, Throwable cause) {
        super("plugin " + requireNonNull(plugin, "plugin") + " failed: " + cause, cause);
        this.plugin = plugin;
    }

    /** The name of the plugin that failed. */
    public String plugin() {
        return plugin;
    }
}
