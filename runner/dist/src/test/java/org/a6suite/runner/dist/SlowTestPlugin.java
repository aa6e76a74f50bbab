package org.a6suite.runner.dist;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loaded by the runner process from a jar the test writes into {@code A6_PLUGINS_DIR}. Its config is a marker file
 * path: the plugin creates it when a call arrives, then answers 300 ms later, so the test can send SIGTERM while the
 * call is in flight. Like the gateways, it writes a call-log line (logger {@code a6.ai.calls}) when it answers.
 */
public final class SlowTestPlugin implements Plugin<Path> {

    private static final Logger CALL_LOG = LoggerFactory.getLogger("a6.ai.calls");

    @Override
    public String name() {
        return "slow-test";
    }

    @Override
    public Path parseConfig(String value) {
        return Path.of(value);
    }

    @Override
    public CompletionStage<RequestDecision> onRequest(RequestView request, Path marker, CallContext context) {
        try {
            Files.writeString(marker, "called");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return CompletableFuture.supplyAsync(
                () -> {
                    CALL_LOG.info("slow-test answered");
                    return RequestDecision.stop(200).body("done").build();
                },
                CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));
    }
}
