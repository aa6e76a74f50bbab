package org.a6suite.runner.dist;

import java.util.Arrays;
import org.a6suite.runner.Main;

/**
 * The runner jar's entry point: {@code check-conf <route.json>...} checks route files offline ({@link CheckConf});
 * anything else starts the runner exactly as {@link Main} does (APISIX launches the jar without arguments).
 */
public final class Launcher {

    private Launcher() {}

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals(CheckConf.COMMAND)) {
            System.exit(CheckConf.run(Arrays.asList(args).subList(1, args.length), System.out, System.err));
        }
        Main.main(args);
    }
}
