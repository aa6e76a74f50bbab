package org.a6suite.seed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line: {@code --help} and bad options, without etcd (output goes to the streams given to it). */
class SeedMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return SeedMain.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintUsageAndExitZeroOnHelpWithoutTouchingEtcd() {
        assertThat(run("--etcd", "http://127.0.0.1:1", "--help")).isZero();
        String usage = out.toString(StandardCharsets.UTF_8);
        assertThat(usage)
                .startsWith("usage: java -jar a6-etcd-seed.jar")
                .contains(
                        "--etcd URL",
                        "--data DIR",
                        "--prefix P",
                        "--dry-run",
                        "--force",
                        "--help, -h",
                        "Exit codes: 0 done");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(run("-h")).isZero();
    }

    @Test
    void shouldNameTheOptionAndPointToHelpOnABadOne() {
        assertThat(run("--etc", "x")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("seed: --etc: unknown option (expected: --etcd URL")
                .contains("--help for usage");
    }
}
