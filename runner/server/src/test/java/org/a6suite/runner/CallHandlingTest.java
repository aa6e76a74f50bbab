package org.a6suite.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.PluginConfigException;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ErrorResponse;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.PrepareConfRequest;
import org.a6suite.protocol.message.PrepareConfResponse;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.testing.A6TestClient;
import org.a6suite.runner.testing.RunnerFixture;
import org.a6suite.runner.testing.TestPlugin;
import org.junit.jupiter.api.Test;

class CallHandlingTest extends RunnerFixture {

    private static final Duration SHORT = Duration.ofMillis(200);

    @Test
    void shouldAnswerPrepareConfWithANonZeroTokenExactlyOnce() {
        start(TestPlugin.named("noop").build());
        try (A6TestClient client = A6TestClient.connect(clientGroup, socket())) {
            A6Message reply = client.call(prepareConf("noop", "{}"));
            assertThat(reply).isInstanceOf(PrepareConfResponse.class);
            assertThat(((PrepareConfResponse) reply).confToken()).isNotZero();
            assertThat(client.poll(SHORT)).as("no second reply").isNull();
        }
    }

    @Test
    void shouldHandOutDistinctTokensForEachPrepareConf() {
        start(TestPlugin.named("noop").build());
        long first = prepare("noop", "a");
        long second = prepare("noop", "a");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void shouldGiveATokenForAnEmptyChainWhenConfIsAbsent() {
        start();
        A6TestClient client = connect();
        A6Message reply = client.call(new PrepareConfRequest(List.of(), Optional.of("route#15#ext-plugin-pre-req#1")));
        long token = ((PrepareConfResponse) reply).confToken();
        A6Message call = client.call(requestCall(token));
        assertThat(call).isEqualTo(new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE));
    }

    @Test
    void shouldAnswerAnUnknownTokenWithConfTokenNotFound() {
        start(TestPlugin.named("noop").build());
        A6TestClient client = connect();
        assertThat(client.call(requestCall(12345)))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND));
        assertThat(client.call(responseCall(12345, 200, List.of())))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.CONF_TOKEN_NOT_FOUND));
        assertThat(client.isOpen()).as("the connection stays usable").isTrue();
    }

    @Test
    void shouldFailClosedOnAnUnknownPluginName() {
        start(TestPlugin.named("noop").build());
        A6TestClient client = connect();
        assertThat(client.call(prepareConf("noop", "", "no-such-plugin", "{}")))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.BAD_REQUEST));
        assertThat(client.poll(SHORT)).isNull();
    }

    @Test
    void shouldFailClosedOnAnInvalidConfigAndHandOutNoToken() {
        var strict = TestPlugin.named("strict")
                .parser(v -> {
                    if (!v.equals("ok")) {
                        throw PluginConfigException.invalid("timeout", v, "ok");
                    }
                    return v;
                })
                .build();
        RunnerServer server = start(strict);
        A6TestClient client = connect();
        assertThat(client.call(prepareConf("strict", "bad")))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.BAD_REQUEST));
        assertThat(server.runnerMetrics()
                        .calls(
                                org.a6suite.runner.metrics.RunnerMetrics.CallType.PREPARE_CONF,
                                org.a6suite.runner.metrics.RunnerMetrics.CallResult.OK))
                .isZero();
        // A valid one still works, and the next token is not hiding a half-prepared chain.
        assertThat(client.call(prepareConf("strict", "ok"))).isInstanceOf(PrepareConfResponse.class);
    }

    @Test
    void shouldParseEachConfigOnceAtPrepareNotPerRequest() {
        var parses = new java.util.concurrent.atomic.AtomicInteger();
        start(TestPlugin.named("counted")
                .parser(v -> {
                    parses.incrementAndGet();
                    return v;
                })
                .build());
        long token = prepare("counted", "x");
        A6TestClient client = connect();
        for (int i = 0; i < 5; i++) {
            assertThat(client.call(requestCall(token))).isInstanceOf(HttpReqCallResponse.class);
        }
        assertThat(parses).hasValue(1);
    }

    @Test
    void shouldMapProceedToNoAction() {
        start(TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        assertThat(connect().call(requestCall(token)))
                .isEqualTo(new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE));
    }

    @Test
    void shouldMapStopToStatusHeadersAndBody() {
        start(TestPlugin.named("deny")
                .onRequest((r, c) -> RequestDecision.stop(403)
                        .header("x-reason", "denied")
                        .json("{\"error\":\"no\"}")
                        .build())
                .build());
        long token = prepare("deny", "");
        var reply = (HttpReqCallResponse) connect().call(requestCall(token));
        var stop = (HttpReqCallResponse.Stop) reply.action();
        assertThat(stop.status()).isEqualTo(403);
        assertThat(stop.headers())
                .containsExactly(TextEntry.of("x-reason", "denied"), TextEntry.of("content-type", "application/json"));
        assertThat(new String(stop.body().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"no\"}");
    }

    @Test
    void shouldMapRewriteWithDeletesAsAbsentValues() {
        start(TestPlugin.named("rw")
                .onRequest((r, c) -> RequestDecision.rewrite()
                        .path("/new path")
                        .setHeader("x-a", "1")
                        .removeHeader("x-b")
                        .setArg("q", "v")
                        .removeArg("d")
                        .addResponseHeader("x-resp", "r")
                        .body(Body.of("new body"))
                        .build())
                .build());
        long token = prepare("rw", "");
        var reply = (HttpReqCallResponse) connect().call(requestCall(token));
        var rewrite = (HttpReqCallResponse.Rewrite) reply.action();
        assertThat(rewrite.path()).contains("/new path");
        assertThat(rewrite.headers()).containsExactly(TextEntry.of("x-a", "1"), TextEntry.absent("x-b"));
        assertThat(rewrite.args()).containsExactly(TextEntry.of("q", "v"), TextEntry.absent("d"));
        assertThat(rewrite.respHeaders()).containsExactly(TextEntry.of("x-resp", "r"));
        assertThat(new String(rewrite.body().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("new body");
    }

    @Test
    void shouldMergeRewritesOfTwoPluginsAndShowTheSecondTheRewrittenRequest() {
        AtomicReference<RequestView> seenBySecond = new AtomicReference<>();
        var first = TestPlugin.named("first")
                .onRequest((r, c) -> RequestDecision.rewrite()
                        .path("/one")
                        .setHeader("X-Shared", "first")
                        .setHeader("x-first", "1")
                        .setArg("a", "1")
                        .setArg("a", "2")
                        .addResponseHeader("x-r", "1")
                        .build())
                .build();
        var second = TestPlugin.named("second")
                .onRequest((r, c) -> {
                    seenBySecond.set(r);
                    return RequestDecision.rewrite()
                            .path("/two")
                            .setHeader("x-shared", "second")
                            .setArg("a", "3")
                            .addResponseHeader("x-r", "2")
                            .build();
                })
                .build();
        start(first, second);
        long token = prepare("first", "", "second", "");
        var reply = (HttpReqCallResponse) connect()
                .call(requestCall(
                        token,
                        "/orig",
                        List.of(TextEntry.of("host", "h")),
                        List.of(TextEntry.of("a", "0"), TextEntry.absent("flag"))));

        RequestView view = seenBySecond.get();
        assertThat(view.path()).isEqualTo("/one");
        assertThat(view.header("x-shared")).contains("first");
        assertThat(view.args().all("a")).containsExactly("1", "2");
        assertThat(view.args().contains("flag")).isTrue();

        var rewrite = (HttpReqCallResponse.Rewrite) reply.action();
        assertThat(rewrite.path()).contains("/two");
        assertThat(rewrite.headers())
                .containsExactlyInAnyOrder(TextEntry.of("x-first", "1"), TextEntry.of("x-shared", "second"));
        assertThat(rewrite.args()).containsExactly(TextEntry.of("a", "3"));
        assertThat(rewrite.respHeaders()).containsExactly(TextEntry.of("x-r", "1"), TextEntry.of("x-r", "2"));
        assertThat(rewrite.body()).isEmpty();
    }

    @Test
    void shouldEndTheChainAtTheFirstStop() {
        var calledAfterStop = new java.util.concurrent.atomic.AtomicBoolean();
        start(
                TestPlugin.named("rw")
                        .onRequest(
                                (r, c) -> RequestDecision.rewrite().path("/x").build())
                        .build(),
                TestPlugin.named("stop")
                        .onRequest((r, c) -> RequestDecision.stop(401).build())
                        .build(),
                TestPlugin.named("after")
                        .onRequest((r, c) -> {
                            calledAfterStop.set(true);
                            return RequestDecision.proceed();
                        })
                        .build());
        long token = prepare("rw", "", "stop", "", "after", "");
        var reply = (HttpReqCallResponse) connect().call(requestCall(token));
        assertThat(reply.action()).isEqualTo(new HttpReqCallResponse.Stop(401, List.of(), Optional.empty()));
        assertThat(calledAfterStop).isFalse();
    }

    @Test
    void shouldBuildTheRequestViewFromTheCall() {
        AtomicReference<RequestView> seen = new AtomicReference<>();
        start(TestPlugin.named("see")
                .onRequest((r, c) -> {
                    seen.set(r);
                    return RequestDecision.proceed();
                })
                .build());
        long token = prepare("see", "");
        byte[] v6 = new byte[16];
        v6[15] = 1;
        connect()
                .call(new HttpReqCallRequest(
                        7,
                        v6,
                        Method.PATCH,
                        "/café",
                        List.of(TextEntry.absent("z"), TextEntry.of("y", "")),
                        List.of(TextEntry.of("x-dup", "1"), TextEntry.of("x-dup", "2")),
                        token));
        RequestView view = seen.get();
        assertThat(view.method()).isEqualTo(HttpMethod.PATCH);
        assertThat(view.path()).isEqualTo("/café");
        assertThat(view.sourceIp()).contains(ipv6Loopback());
        assertThat(view.args().contains("z")).isTrue();
        assertThat(view.args().first("z")).isEmpty();
        assertThat(view.args().first("y")).contains("");
        assertThat(view.headers().all("X-Dup")).containsExactly("1", "2");
    }

    @Test
    void shouldLeaveTheSourceIpEmptyForAnOddLength() {
        AtomicReference<RequestView> seen = new AtomicReference<>();
        start(TestPlugin.named("see")
                .onRequest((r, c) -> {
                    seen.set(r);
                    return RequestDecision.proceed();
                })
                .build());
        long token = prepare("see", "");
        connect().call(new HttpReqCallRequest(7, new byte[] {1, 2, 3}, Method.GET, "/", List.of(), List.of(), token));
        assertThat(seen.get().sourceIp()).isEmpty();
    }

    @Test
    void shouldPipelineEveryExtraInfoRequestBeforeAnyAnswer() {
        AtomicReference<RequestView> seen = new AtomicReference<>();
        start(TestPlugin.named("vars")
                .requirements(
                        Requirements.vars("remote_addr", "route_id", "nope").withRequestBody())
                .onRequest((r, c) -> {
                    seen.set(r);
                    return RequestDecision.proceed();
                })
                .build());
        long token = prepare("vars", "");
        A6TestClient client = connect();
        client.send(requestCall(token));

        // Receive all four questions without answering any: the runner must not wait for answers in between.
        List<ExtraInfoRequest.Info> asked = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            asked.add(((ExtraInfoRequest) client.receive()).info());
        }
        assertThat(client.poll(SHORT)).as("nothing more before the answers").isNull();
        assertThat(asked)
                .contains(
                        new ExtraInfoRequest.Var("remote_addr"),
                        new ExtraInfoRequest.Var("route_id"),
                        new ExtraInfoRequest.Var("nope"),
                        ExtraInfoRequest.ReqBody.INSTANCE);

        for (ExtraInfoRequest.Info info : asked) {
            Optional<byte[]> answer = switch (info) {
                case ExtraInfoRequest.Var(String name) when name.equals("nope") -> Optional.empty();
                case ExtraInfoRequest.Var(String name) -> Optional.of(("v-" + name).getBytes(StandardCharsets.UTF_8));
                case ExtraInfoRequest.ReqBody b -> Optional.of("the body".getBytes(StandardCharsets.UTF_8));
                case ExtraInfoRequest.RespBody b -> Optional.empty();
            };
            client.send(new ExtraInfoResponse(answer));
        }
        assertThat(client.receive()).isEqualTo(new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE));
        assertThat(seen.get().vars())
                .containsOnlyKeys("remote_addr", "route_id")
                .containsEntry("route_id", "v-route_id");
        assertThat(seen.get().body().map(Body::asUtf8)).contains("the body");
    }

    @Test
    void shouldNeverAskForTheResponseBodyDuringARequestCall() {
        start(TestPlugin.named("rb")
                .requirements(Requirements.NONE.withResponseBody())
                .build());
        long token = prepare("rb", "");
        assertThat(connect().call(requestCall(token)))
                .isEqualTo(new HttpReqCallResponse(42, HttpReqCallResponse.None.INSTANCE));
    }

    @Test
    void shouldAnswerAFailingPluginWithServiceUnavailableOnce() {
        start(
                TestPlugin.named("boom")
                        .onRequest((r, c) -> {
                            throw new IllegalStateException("bug");
                        })
                        .build(),
                TestPlugin.named("failed")
                        .onRequestAsync((r, c) -> CompletableFuture.failedFuture(new RuntimeException("async failure")))
                        .build());
        long boom = prepare("boom", "");
        long failed = prepare("failed", "");
        A6TestClient client = connect();
        assertThat(client.call(requestCall(boom))).isEqualTo(new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE));
        assertThat(client.call(requestCall(failed)))
                .isEqualTo(new ErrorResponse(ErrorResponse.Code.SERVICE_UNAVAILABLE));
        assertThat(client.poll(SHORT)).isNull();
    }

    @Test
    void shouldContinueOnTheEventLoopWhenAnAsyncPluginCompletesElsewhere() {
        start(
                TestPlugin.named("async")
                        .onRequestAsync((r, c) -> CompletableFuture.supplyAsync(
                                () -> RequestDecision.rewrite()
                                        .setHeader("x-async", "yes")
                                        .build(),
                                CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS)))
                        .build(),
                TestPlugin.named("thread")
                        .onRequest((r, c) -> {
                            assertThat(Thread.currentThread().getName()).startsWith("a6-io");
                            return RequestDecision.proceed();
                        })
                        .build());
        long token = prepare("async", "", "thread", "");
        var reply = (HttpReqCallResponse) connect().call(requestCall(token));
        assertThat(((HttpReqCallResponse.Rewrite) reply.action()).headers())
                .containsExactly(TextEntry.of("x-async", "yes"));
    }

    @Test
    void shouldMergeResponseModificationsAndFetchTheResponseBody() {
        AtomicReference<ResponseView> seenBySecond = new AtomicReference<>();
        start(
                TestPlugin.named("first")
                        .requirements(Requirements.vars("upstream_addr").withResponseBody())
                        .onResponse((r, c) -> ResponseDecision.modify()
                                .status(299)
                                .body(Body.of(r.body().orElseThrow().asUtf8().toUpperCase()))
                                .build())
                        .build(),
                TestPlugin.named("second")
                        .onResponse((r, c) -> {
                            seenBySecond.set(r);
                            return ResponseDecision.modify()
                                    .headers(Headers.of("content-type", "text/plain"))
                                    .build();
                        })
                        .build());
        long token = prepare("first", "", "second", "");
        A6TestClient client = connect();
        client.send(responseCall(token, 200, List.of(TextEntry.of("Content-Type", "application/json"))));
        List<ExtraInfoRequest.Info> asked =
                List.of(((ExtraInfoRequest) client.receive()).info(), ((ExtraInfoRequest) client.receive()).info());
        assertThat(asked)
                .containsExactly(new ExtraInfoRequest.Var("upstream_addr"), ExtraInfoRequest.RespBody.INSTANCE);
        client.send(new ExtraInfoResponse(Optional.of("127.0.0.1:80".getBytes(StandardCharsets.UTF_8))));
        client.send(new ExtraInfoResponse(Optional.of("hello".getBytes(StandardCharsets.UTF_8))));
        var reply = (HttpRespCallResponse) client.receive();
        assertThat(reply.status()).isEqualTo(299);
        assertThat(reply.headers()).containsExactly(TextEntry.of("content-type", "text/plain"));
        assertThat(new String(reply.body().orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("HELLO");
        assertThat(seenBySecond.get().status()).isEqualTo(299);
        assertThat(seenBySecond.get().var("upstream_addr")).contains("127.0.0.1:80");
    }

    @Test
    void shouldPassAnUnchangedResponseWithStatusZeroAndNoHeaders() {
        start(TestPlugin.named("noop").build());
        long token = prepare("noop", "");
        assertThat(connect().call(responseCall(token, 200, List.of(TextEntry.of("Server", "x")))))
                .isEqualTo(new HttpRespCallResponse(43, 0, List.of(), Optional.empty()));
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByName("::1");
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
