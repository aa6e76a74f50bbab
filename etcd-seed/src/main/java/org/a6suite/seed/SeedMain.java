package org.a6suite.seed;

import io.etcd.jetcd.Client;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar a6-etcd-seed.jar [--etcd URL] [--data DIR] [--prefix /apisix] [--dry-run] [--force] [--help]}.
 * Exit codes: 0 done (or nothing to do, or {@code --help}), 2 bad arguments or data, 3 conflicts left alone, 4 etcd
 * unreachable.
 */
public final class SeedMain {

    /** What {@code --help} prints. */
    static final String USAGE = """
            usage: java -jar a6-etcd-seed.jar [--etcd URL[,URL]] [--data DIR] [--prefix /apisix] [--dry-run] [--force]

            Writes APISIX objects from DIR/<kind>/<id>.json (kinds: upstreams, services, plugin_configs, consumers,
            routes, global_rules; loaded in that order) to etcd at <prefix>/<kind>/<id>, as APISIX's Admin API would
            store them (create_time/update_time set). Idempotent: an object already stored as in DIR is left alone; one
            someone else changed since the seed wrote it is a conflict and is not overwritten without --force.
            ${NAME:-default} in a file is replaced with the environment variable NAME (JSON-escaped) or the default.

              --etcd URL    etcd client URLs, comma separated (default: $A6_SEED_ETCD, else http://127.0.0.1:2379)
              --data DIR    the seed data (default: $A6_SEED_DATA, else etcd-seed/data)
              --prefix P    APISIX's etcd prefix (default: /apisix)
              --dry-run     report what would change, write nothing
              --force       overwrite objects changed by someone else
              --help, -h    print this and exit

            Prints one line per object (create, update, unchanged, conflict) and a summary.
            Exit codes: 0 done or nothing to do, 2 bad arguments or data, 3 conflicts left alone, 4 etcd unreachable.
            """;

    private SeedMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args) {
        return run(args, System.out, System.err);
    }

    static int run(String[] args, java.io.PrintStream out, java.io.PrintStream err) {
        if (java.util.Arrays.stream(args).anyMatch(a -> a.equals("--help") || a.equals("-h"))) {
            out.print(USAGE);
            return 0;
        }
        String etcd = System.getenv().getOrDefault("A6_SEED_ETCD", "http://127.0.0.1:2379");
        Path data = Path.of(System.getenv().getOrDefault("A6_SEED_DATA", "etcd-seed/data"));
        String prefix = "/apisix";
        boolean dryRun = false;
        boolean force = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--etcd" -> etcd = value(args, ++i, "--etcd");
                    case "--data" -> data = Path.of(value(args, ++i, "--data"));
                    case "--prefix" -> prefix = value(args, ++i, "--prefix");
                    case "--dry-run" -> dryRun = true;
                    case "--force" -> force = true;
                    default ->
                        throw new IllegalArgumentException(args[i]
                                + ": unknown option (expected: --etcd URL, --data DIR, --prefix /p, --dry-run, --force,"
                                + " --help)");
                }
            }
            var options = new SeedLoader.SeedOptions(prefix, dryRun, force);
            JsonMapper mapper = JsonMapper.builder().build();
            List<SeedObject> objects = SeedData.load(data, mapper);
            try (Client client = Client.builder().endpoints(etcd.split(",")).build()) {
                var results = new SeedLoader(client.getKVClient(), mapper, Clock.systemUTC()).apply(objects, options);
                int conflicts = 0;
                for (var r : results) {
                    out.printf("%-9s %s (%s)%n", r.action().name().toLowerCase(), r.key(), r.reason());
                    if (r.action() == SeedLoader.Action.CONFLICT) {
                        conflicts++;
                    }
                }
                out.printf("seed: %d objects%s, %d conflicts%n", results.size(), dryRun ? " (dry run)" : "", conflicts);
                return conflicts == 0 ? 0 : 3;
            } catch (IllegalStateException e) {
                err.println("seed: " + e.getMessage() + " (etcd " + etcd + ")");
                return 4;
            }
        } catch (IllegalArgumentException e) {
            err.println("seed: " + e.getMessage() + " (--help for usage)");
            return 2;
        }
    }

    private static String value(String[] args, int i, String name) {
        if (i >= args.length) {
            throw new IllegalArgumentException(name + ": missing value");
        }
        return args[i];
    }
}
