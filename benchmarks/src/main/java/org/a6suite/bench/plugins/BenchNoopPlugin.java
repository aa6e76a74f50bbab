package org.a6suite.bench.plugins;

import org.a6suite.plugin.Plugin;

/** Benchmark plugin: lets every request through (the default {@code onRequest}). */
public final class BenchNoopPlugin implements Plugin<String> {
    @Override
    public String name() {
        return "bench-noop";
    }

    @Override
    public String parseConfig(String value) {
        return value;
    }
}
