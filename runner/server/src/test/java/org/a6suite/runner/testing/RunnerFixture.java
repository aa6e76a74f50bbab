package org.a6suite.runner.testing;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.a6suite.plugin.Plugin;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.RunnerOptions;
import org.a6suite.runner.RunnerServer;
import org.a6suite.runner.config.RunnerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Starts runners on a socket in a temp dir and connects test clients that play APISIX. */
public abstract class RunnerFixture {

    public static final String ROUTE_KEY = "route#1#ext-plugin-pre-req#7";

    protected static EventLoopGroup clientGroup;

    @TempDir
    protected Path tempDir;

    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeAll
    static void startClientGroup() {
        clientGroup = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    }

    @AfterAll
    static void stopClientGroup() {
        clientGroup
                .shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.MILLISECONDS)
                .syncUninterruptibly();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        closeables.clear();
    }

    protected Path socket() {
        return tempDir.resolve("runner.sock");
    }

    protected RunnerServer start(Plugin<?>... plugins) {
        return start(RunnerOptions.defaults(), plugins);
    }

    protected RunnerServer start(RunnerOptions options, Plugin<?>... plugins) {
        return start(RunnerConfig.builder(socket()).build(), options, plugins);
    }

    protected RunnerServer start(RunnerConfig config, RunnerOptions options, Plugin<?>... plugins) {
        RunnerServer server = RunnerServer.start(config, Arrays.asList(plugins), options);
        closeables.add(server);
        return server;
    }

    protected A6TestClient connect() {
        A6TestClient client = A6TestClient.connect(clientGroup, socket());
        closeables.add(client);
        return client;
    }

    /** A PrepareConf for {@code namesAndValues} (name, value, name, value ...). */
    public static PrepareConfRequest prepareConf(String... namesAndValues) {
        List<TextEntry> conf = new ArrayList<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            conf.add(TextEntry.of(namesAndValues[i], namesAndValues[i + 1]));
        }
        return new PrepareConfRequest(conf, Optional.of(ROUTE_KEY));
    }

    /** Prepares on a connection of its own, as APISIX does, and returns the token. */
    protected long prepare(String... namesAndValues) {
        try (A6TestClient c = A6TestClient.connect(clientGroup, socket())) {
            var reply = c.call(prepareConf(namesAndValues));
            if (!(reply instanceof PrepareConfResponse r)) {
                throw new AssertionError("expected a token, got " + reply);
            }
            return r.confToken();
        }
    }

    public static HttpReqCallRequest requestCall(long token) {
        return requestCall(token, "/path", List.of(TextEntry.of("host", "example.com")), List.of());
    }

    public static HttpReqCallRequest requestCall(
            long token, String path, List<TextEntry> headers, List<TextEntry> args) {
        return new HttpReqCallRequest(42, new byte[] {127, 0, 0, 1}, Method.GET, path, args, headers, token);
    }

    public static HttpRespCallRequest responseCall(long token, int status, List<TextEntry> headers) {
        return new HttpRespCallRequest(43, status, headers, token);
    }
}
