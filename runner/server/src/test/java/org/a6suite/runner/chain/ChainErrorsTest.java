package org.a6suite.runner.chain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.RequestView;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.conf.ChainPreparer;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

class ChainErrorsTest {

    private static final Executor DIRECT = Runnable::run;

    private final ChainExecutor executor = new ChainExecutor(DIRECT, InlineWatchdog.manual(System::nanoTime));

    private static PreparedChain chainOf(TestPlugin plugin) throws Exception {
        return new ChainPreparer(name -> Optional.of(plugin))
                .prepare(Optional.empty(), List.of(TextEntry.of(plugin.name(), "")));
    }

    private static RequestView request() {
        return RequestView.builder(HttpMethod.GET, "/").build();
    }

    @Test
    void shouldFailTheCallWhenAPluginThrowsALinkageError() throws Exception {
        PreparedChain chain = chainOf(TestPlugin.named("stale")
                .onRequest((r, c) -> {
                    throw new NoSuchMethodError("built against another API");
                })
                .build());

        assertThatThrownBy(() -> executor.runRequest(chain, request(), chain.context(1), DIRECT)
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(ChainFailure.class)
                .hasMessageContaining("stale")
                .cause()
                .isInstanceOf(NoSuchMethodError.class);
    }

    @Test
    void shouldRethrowAVirtualMachineErrorInsteadOfAnsweringIt() throws Exception {
        PreparedChain chain = chainOf(TestPlugin.named("oom")
                .onRequest((r, c) -> {
                    throw new OutOfMemoryError("test");
                })
                .build());

        assertThatThrownBy(() -> executor.runRequest(chain, request(), chain.context(1), DIRECT))
                .isInstanceOf(OutOfMemoryError.class);
    }

    @Test
    void shouldRethrowAVirtualMachineErrorOfAPluginOnThePool() throws Exception {
        PreparedChain chain = chainOf(TestPlugin.named("deep")
                .blocking()
                .onRequest((r, c) -> {
                    throw new StackOverflowError();
                })
                .build());

        assertThatThrownBy(() -> executor.runRequest(chain, request(), chain.context(1), DIRECT))
                .isInstanceOf(StackOverflowError.class);
        assertThat(chain.links().getFirst().blocking()).isTrue();
    }
}
