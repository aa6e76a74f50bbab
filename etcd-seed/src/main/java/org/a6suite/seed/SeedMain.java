package org.a6suite.seed;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import io.etcd.jetcd.Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code java -jar a6-etcd-seed.jar [--etcd URL] [--data DIR] [--prefix /apisix] [--dry-run] [--force]}.
 * Exit codes: 0 done (or nothing to do), 2 bad arguments or data, 3 conflicts left alone, 4 etcd unreachable.
 */
public final class SeedMain {

    private SeedMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
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
                    default -> throw new IllegalArgumentException(args[i]
                            + ": unknown option (expected: --etcd URL, --data DIR, --prefix /p, --dry-run, --force)");
                }
            }
            var options = new SeedLoader.SeedOptions(prefix, dryRun, force);
            JsonMapper mapper = JsonMapper.builder().build();
            List<SeedObject> objects = SeedData.load(data, mapper);
            try (Client client = Client.builder().endpoints(etcd.split(",")).build()) {
                var results = new SeedLoader(client.getKVClient(), mapper, Clock.systemUTC()).apply(objects, options);
                int conflicts = 0;
                for (var r : results) {
                    System.out.printf("%-9s %s (%s)%n", r.action().name().toLowerCase(), r.key(), r.reason());
                    if (r.action() == SeedLoader.Action.CONFLICT) {
                        conflicts++;
                    }
                }
                System.out.printf("seed: %d objects%s, %d conflicts%n", results.size(), dryRun ? " (dry run)" : "",
                        conflicts);
                return conflicts == 0 ? 0 : 3;
            } catch (IllegalStateException e) {
                System.err.println("seed: " + e.getMessage() + " (etcd " + etcd + ")");
                return 4;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("seed: " + e.getMessage());
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
