package org.a6suite.runner.plugins;

import org.a6suite.plugin.Plugin;

/** Found only through the services file of a jar the test writes into a plugins directory. */
public final class DiscoverablePlugin implements Plugin<String> {
    @Override
    public String name() {
        return "discoverable";
    }

    @Override
    public String parseConfig(String value) {
        return value;
    }

    /** Claims the same name, to provoke the duplicate check. */
    public static final class Twin implements Plugin<String> {
        @Override
        public String name() {
            return "discoverable";
        }

        @Override
        public String parseConfig(String value) {
            return value;
        }
    }
}
