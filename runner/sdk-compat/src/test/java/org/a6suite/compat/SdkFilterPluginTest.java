package org.a6suite.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.CallContext;
import org.a6suite.plugin.Execution;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.Requirements;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.apache.apisix.plugin.runner.PostResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.junit.jupiter.api.Test;

class SdkFilterPluginTest {

    private static final CallContext CONTEXT =
            new CallContext(Optional.of("route#1#ext-plugin-pre-req#7"), 4194305L, CallContext.Phase.PRE_REQ);

    private static RequestView.Builder request() throws Exception {
        return RequestView.builder(HttpMethod.POST, "/orders/7")
                .args(QueryArgs.of(
                        List.of(QueryArgs.Arg.of("a", "1"), QueryArgs.Arg.of("a", "2"), QueryArgs.Arg.flag("debug"))))
                .headers(Headers.of("x-foo", "bar", "x-dup", "first", "x-dup", "last", "host", "example.com"))
                .sourceIp(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}));
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldMapPathHeaderAndArgChangesToRewrite() throws Exception {
        PluginFilter filter = new PluginFilter() {
            @Override
            public String name() {
                return "Rewriter";
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                request.setPath("/v2" + request.getPath());
                request.setHeader("x-conf", request.getConfig(this));
                response.setReqHeader("x-foo", null);
                request.setArg("a", "rewritten");
                chain.filter(request, response);
            }
        };
        var plugin = new SdkFilterPlugin(filter);

        RequestDecision decision = await(plugin.onRequest(request().build(), plugin.parseConfig("{\"k\":1}"), CONTEXT));

        assertThat(decision).isInstanceOfSatisfying(RequestDecision.Rewrite.class, rewrite -> {
            assertThat(rewrite.path()).contains("/v2/orders/7");
            assertThat(rewrite.headers())
                    .containsExactlyInAnyOrder(
                            new RequestDecision.Rewrite.HeaderEdit("x-conf", Optional.of("{\"k\":1}")),
                            new RequestDecision.Rewrite.HeaderEdit("x-foo", Optional.empty()));
            assertThat(rewrite.args())
                    .containsExactly(new RequestDecision.Rewrite.ArgEdit("a", Optional.of("rewritten")));
            assertThat(rewrite.body()).isEmpty();
        });
    }

    @Test
    void shouldMapStatusHeaderAndBodyToStopWithRequestBodyAndVars() throws Exception {
        PluginFilter filter = new PluginFilter() {
            @Override
            public String name() {
                return "Stopper";
            }

            @Override
            public List<String> requiredVars() {
                return List.of("remote_addr", "no_such_var");
            }

            @Override
            public Boolean requiredBody() {
                return true;
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                response.setStatusCode(403);
                response.setHeader("content-type", "text/plain");
                response.setBody(request.getBody() + "|" + request.getVars("remote_addr") + "|"
                        + request.getVars("no_such_var") + "|" + request.getVars("never_requested"));
                chain.filter(request, response);
            }
        };
        var plugin = new SdkFilterPlugin(filter);
        var view = request()
                .vars(Map.of("remote_addr", "10.0.0.9"))
                .body(Body.of("hello"))
                .build();

        RequestDecision decision = await(plugin.onRequest(view, plugin.parseConfig(""), CONTEXT));

        assertThat(plugin.requirements(plugin.parseConfig("")))
                .isEqualTo(new Requirements(java.util.Set.of("remote_addr", "no_such_var"), true, false));
        assertThat(decision).isInstanceOfSatisfying(RequestDecision.Stop.class, stop -> {
            assertThat(stop.status()).isEqualTo(403);
            assertThat(stop.headers().first("content-type")).contains("text/plain");
            // An absent var reads "" as in the official runner; a var nobody asked for reads null.
            assertThat(stop.body()).contains(Body.of("hello|10.0.0.9||null"));
        });
    }

    @Test
    void shouldSendStatus200WhenAStopSetsOnlyABody() throws Exception {
        var plugin = new SdkFilterPlugin(requestFilter("BodyOnly", (request, response) -> response.setBody("no")));

        RequestDecision decision = await(plugin.onRequest(request().build(), plugin.parseConfig(""), CONTEXT));

        assertThat(decision).isEqualTo(RequestDecision.stop(200).body("no").build());
    }

    @Test
    void shouldLetTheLastKindOfChangeWin() throws Exception {
        var stopThenRewrite = new SdkFilterPlugin(requestFilter("StopThenRewrite", (request, response) -> {
            response.setStatusCode(401);
            response.setPath("/after");
        }));
        var rewriteThenStop = new SdkFilterPlugin(requestFilter("RewriteThenStop", (request, response) -> {
            response.setPath("/before");
            response.setStatusCode(401);
        }));

        assertThat(await(stopThenRewrite.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(RequestDecision.rewrite().path("/after").build());
        assertThat(await(rewriteThenStop.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(RequestDecision.stop(401).build());
    }

    @Test
    void shouldProceedWhenTheFilterChangesNothing() throws Exception {
        var plugin = new SdkFilterPlugin(requestFilter("Noop", (request, response) -> {}));

        assertThat(await(plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(RequestDecision.proceed());
    }

    @Test
    void shouldExposeTheRequestTheWayTheSdkDoes() throws Exception {
        var seen = new AtomicReference<List<Object>>();
        var plugin = new SdkFilterPlugin(requestFilter(
                "Reader",
                (request, response) -> seen.set(List.of(
                        request.getMethod(),
                        request.getPath(),
                        request.getSourceIP(),
                        request.getRequestId(),
                        String.valueOf(request.getHeader("X-Foo")),
                        request.getHeader("x-foo"),
                        request.getHeader("x-dup"),
                        String.valueOf(request.getArg("debug")),
                        request.getArgs().containsKey("debug"),
                        String.valueOf(request.getVars("anything"))))));

        await(plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT));

        // Header lookup is case-sensitive on APISIX's lower-case names, a duplicate keeps its last value, a flag
        // reads null, and with no vars at all getVars answers null: all as with the official runner.
        assertThat(seen.get())
                .containsExactly(
                        HttpRequest.Method.POST,
                        "/orders/7",
                        "127.0.0.1",
                        4194305L,
                        "null",
                        "bar",
                        "last",
                        "null",
                        true,
                        "null");
    }

    @Test
    void shouldCompleteWhenAnAsyncFilterCallsTheChainFromAnotherThread() throws Exception {
        var chainThread = new AtomicReference<String>();
        PluginFilter filter = new PluginFilter() {
            @Override
            public String name() {
                return "Async";
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                CompletableFuture.runAsync(
                        () -> {
                            chainThread.set(Thread.currentThread().getName());
                            response.setReqHeader("x-async", "done");
                            chain.filter(request, response);
                        },
                        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS));
            }
        };
        var plugin = new SdkFilterPlugin(filter);

        CompletionStage<RequestDecision> stage = plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT);

        assertThat(await(stage))
                .isEqualTo(
                        RequestDecision.rewrite().setHeader("x-async", "done").build());
        assertThat(chainThread.get()).isNotEqualTo(Thread.currentThread().getName());
    }

    @Test
    void shouldTimeOutWithAClearErrorWhenTheFilterNeverCallsTheChain() throws Exception {
        var plugin = new SdkFilterPlugin(requestFilterWithoutChain("Silent"), Duration.ofMillis(200));

        var future = plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)
                .toCompletableFuture();

        assertThatThrownBy(() -> future.get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(SdkFilterTimeoutException.class)
                .hasMessageContaining("Silent")
                .hasMessageContaining("did not call chain.filter within PT0.2S");
    }

    @Test
    void shouldFailTheCallWhenTheFilterThrows() throws Exception {
        var plugin = new SdkFilterPlugin(requestFilter("Thrower", (request, response) -> {
            throw new IllegalStateException("boom");
        }));

        var future = plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)
                .toCompletableFuture();

        assertThat(future).isCompletedExceptionally();
        assertThatThrownBy(future::join)
                .cause()
                .isInstanceOf(SdkFilterException.class)
                .hasMessageContaining("Thrower")
                .hasRootCauseMessage("boom");
    }

    @Test
    void shouldFailTheCallWhenTheRecordedStatusCannotBeSent() throws Exception {
        var plugin =
                new SdkFilterPlugin(requestFilter("BadStatus", (request, response) -> response.setStatusCode(999)));

        var future = plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)
                .toCompletableFuture();

        assertThatThrownBy(future::join)
                .cause()
                .isInstanceOf(SdkFilterException.class)
                .hasMessageContaining("status: 999");
    }

    @Test
    void shouldKeepTheFirstDecisionWhenTheChainIsCalledTwice() throws Exception {
        var plugin = new SdkFilterPlugin(new PluginFilter() {
            @Override
            public String name() {
                return "Twice";
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                response.setStatusCode(401);
                chain.filter(request, response);
                response.setStatusCode(500);
                chain.filter(request, response);
            }
        });

        assertThat(await(plugin.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(RequestDecision.stop(401).build());
    }

    @Test
    void shouldReplaceStatusHeadersAndBodyInThePostFilter() throws Exception {
        var seen = new AtomicReference<String>();
        PluginFilter filter = new PluginFilter() {
            @Override
            public String name() {
                return "Post";
            }

            @Override
            public Boolean requiredRespBody() {
                return true;
            }

            @Override
            public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
                seen.set(request.getUpstreamStatusCode() + " "
                        + request.getUpstreamHeaders().get("Content-Type") + " " + request.getConfig(this));
                response.setStatusCode(299);
                response.setHeader("content-type", "text/plain");
                response.setBody(request.getBody().toUpperCase());
                chain.postFilter(request, response);
            }
        };
        var plugin = new SdkFilterPlugin(filter);
        var view = new ResponseView(
                200,
                Headers.of("Content-Type", "application/json", "Set-Cookie", "a=1"),
                Map.of(),
                Optional.of(Body.of("{\"ok\":true}")));

        ResponseDecision decision = await(plugin.onResponse(view, plugin.parseConfig("cfg"), CONTEXT));

        assertThat(plugin.requirements(plugin.parseConfig("cfg")).responseBody())
                .isTrue();
        assertThat(seen.get()).isEqualTo("200 application/json cfg");
        assertThat(decision)
                .isEqualTo(ResponseDecision.modify()
                        .status(299)
                        .headers(Headers.of("content-type", "text/plain"))
                        .body(Body.of("{\"OK\":TRUE}"))
                        .build());
    }

    @Test
    void shouldPassTheResponseWhenThePostFilterChangesNothing() throws Exception {
        var plugin = new SdkFilterPlugin(new PluginFilter() {
            @Override
            public String name() {
                return "PostNoop";
            }

            @Override
            public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
                chain.postFilter(request, response);
            }
        });
        var view = new ResponseView(200, Headers.EMPTY, Map.of(), Optional.empty());

        assertThat(await(plugin.onResponse(view, new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(ResponseDecision.pass());
    }

    @Test
    void shouldProceedAtOnceInAPhaseTheFilterDoesNotImplement() throws Exception {
        var postOnly = new SdkFilterPlugin(new PluginFilter() {
            @Override
            public String name() {
                return "PostOnly";
            }

            @Override
            public void postFilter(PostRequest request, PostResponse response, PluginFilterChain chain) {
                chain.postFilter(request, response);
            }
        });
        var requestOnly = new SdkFilterPlugin(requestFilterWithoutChain("RequestOnly"));

        assertThat(await(postOnly.onRequest(request().build(), new SdkFilterConfig(""), CONTEXT)))
                .isEqualTo(RequestDecision.proceed());
        assertThat(await(requestOnly.onResponse(
                        new ResponseView(200, Headers.EMPTY, Map.of(), Optional.empty()),
                        new SdkFilterConfig(""),
                        CONTEXT)))
                .isEqualTo(ResponseDecision.pass());
    }

    @Test
    void shouldDeclareAdaptiveExecutionAndNoRequirementsForNullVars() {
        var plugin = new SdkFilterPlugin(requestFilterWithoutChain("Plain"));

        assertThat(plugin.name()).isEqualTo("Plain");
        assertThat(plugin.execution()).isEqualTo(Execution.ADAPTIVE);
        assertThat(plugin.requirements(new SdkFilterConfig(""))).isEqualTo(Requirements.NONE);
    }

    @Test
    void shouldRejectAFilterWithoutAName() {
        assertThatThrownBy(() -> new SdkFilterPlugin(requestFilterWithoutChain(null)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("name: null");
    }

    @Test
    void shouldRunEachCallWithItsOwnSdkObjects() throws Exception {
        var calls = new AtomicInteger();
        var plugin = new SdkFilterPlugin(requestFilter(
                "Counter",
                (request, response) ->
                        response.setReqHeader("x-n", String.valueOf(calls.incrementAndGet()) + request.getPath())));

        var first = plugin.onRequest(request().path("/a").build(), new SdkFilterConfig(""), CONTEXT);
        var second = plugin.onRequest(request().path("/b").build(), new SdkFilterConfig(""), CONTEXT);

        assertThat(await(first))
                .isEqualTo(RequestDecision.rewrite().setHeader("x-n", "1/a").build());
        assertThat(await(second))
                .isEqualTo(RequestDecision.rewrite().setHeader("x-n", "2/b").build());
    }

    /** A filter that runs {@code body} and then calls the chain, as most official filters do. */
    private static PluginFilter requestFilter(
            String name, java.util.function.BiConsumer<HttpRequest, HttpResponse> body) {
        return new PluginFilter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                body.accept(request, response);
                chain.filter(request, response);
            }
        };
    }

    private static PluginFilter requestFilterWithoutChain(String name) {
        return new PluginFilter() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
                // never calls the chain
            }
        };
    }
}
