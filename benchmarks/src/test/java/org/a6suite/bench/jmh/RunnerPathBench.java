package org.a6suite.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.a6suite.bench.plugins.BenchBodyPlugin;
import org.a6suite.bench.plugins.BenchNoopPlugin;
import org.a6suite.bench.plugins.BenchVarsPlugin;
import org.a6suite.compat.SdkFilterPlugin;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Plugin;
import org.a6suite.plugin.RequestView;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.codec.A6MessageEncoder;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Side;
import org.a6suite.protocol.message.A6Message;
import org.a6suite.protocol.message.ExtraInfoResponse;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.runner.chain.ChainExecutor;
import org.a6suite.runner.chain.InlineWatchdog;
import org.a6suite.runner.conf.ChainPreparer;
import org.a6suite.runner.conf.PreparedChain;
import org.a6suite.runner.transport.MessageMapping;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.filter.PluginFilter;
import org.apache.apisix.plugin.runner.filter.PluginFilterChain;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The runner's per-call CPU paths without sockets: decoding an HTTPReqCall as APISIX sends it, mapping it to the
 * plugin view, running a chain (an a6-native no-op plugin; an official-SDK no-op and a 3-var rewrite filter through
 * a6-sdk-compat, placed inline as the adaptive placement does after probation) and encoding the reply. The
 * no-regression gate for the codec and chain: compare a change's scores with the ones in docs/benchmarks.md.
 *
 * <p>The {@code callX} benchmarks are a whole call of the bench.sh workloads with the a6-native bench plugins, as the
 * connection handler does it minus the socket: the request frame (and for vars/body the ExtraInfo answer frames) read
 * from direct buffers as Netty hands them over, the view, the chain, the reply mapped and encoded into a pooled
 * direct buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RunnerPathBench {

    private static final Executor DIRECT = Runnable::run;

    private ByteBuffer callFrame;
    private HttpReqCallRequest call;
    private HttpReqCallResponse reply;
    private ChainExecutor executor;
    private PreparedChain nativeNoop;
    private PreparedChain sdkNoop;
    private PreparedChain sdkVars;
    private final Map<String, String> vars = Map.of("remote_addr", "127.0.0.1", "server_port", "9080", "route_id", "1");

    private ByteBuffer callFrameDirect;
    private ByteBuffer[] varFrames;
    private ByteBuffer bodyFrame;
    private PreparedChain benchNoop;
    private PreparedChain benchVars;
    private PreparedChain benchBody;
    private static final List<String> VAR_NAMES = List.of("remote_addr", "server_port", "route_id");

    @Setup
    public void setUp() throws Exception {
        call = new HttpReqCallRequest(
                4194305,
                new byte[] {127, 0, 0, 1},
                Method.GET,
                "/api/v1/orders/42",
                List.of(TextEntry.of("page", "2"), TextEntry.of("sort", "desc")),
                List.of(
                        TextEntry.of("host", "api.example.com"),
                        TextEntry.of("user-agent", "a6-bench/1"),
                        TextEntry.of("accept", "application/json"),
                        TextEntry.of("x-request-id", "0f4c2b1e-9d7a-4e11-8c3b-6a5d2e7f9b10"),
                        TextEntry.of("x-forwarded-proto", "http"),
                        TextEntry.of("x-forwarded-host", "api.example.com"),
                        TextEntry.of("x-forwarded-port", "9080"),
                        TextEntry.of("authorization", "Bearer bench-token")),
                7);
        callFrame = ByteBuffer.wrap(A6MessageCodec.encode(call));
        // The view benchmarks map a decoded call, as the runner does (its entries are read lazily from the frame).
        call = (HttpReqCallRequest) decoded(2, callFrame);
        reply = new HttpReqCallResponse(
                4194305,
                new HttpReqCallResponse.Rewrite(
                        Optional.of("/bench/1"),
                        List.of(TextEntry.of("x-bench-client", "127.0.0.1:9080")),
                        List.of(),
                        List.of(),
                        Optional.empty()));
        Plugin<String> noop = new Plugin<>() {
            @Override
            public String name() {
                return "noop";
            }

            @Override
            public String parseConfig(String value) {
                return value;
            }
        };
        SdkFilterPlugin sdkNoopFilter = new SdkFilterPlugin(new NoopFilter());
        SdkFilterPlugin sdkVarsFilter = new SdkFilterPlugin(new VarsFilter());
        Map<String, Plugin<?>> plugins = Map.of(
                "noop",
                noop,
                "NoopFilter",
                sdkNoopFilter,
                "VarsFilter",
                sdkVarsFilter,
                "bench-noop",
                new BenchNoopPlugin(),
                "bench-vars",
                new BenchVarsPlugin(),
                "bench-body",
                new BenchBodyPlugin());
        ChainPreparer preparer = new ChainPreparer(name -> Optional.ofNullable(plugins.get(name)));
        nativeNoop = preparer.prepare(Optional.empty(), List.of(TextEntry.of("noop", "")));
        sdkNoop = preparer.prepare(Optional.empty(), List.of(TextEntry.of("NoopFilter", "")));
        sdkVars = preparer.prepare(Optional.empty(), List.of(TextEntry.of("VarsFilter", "")));
        benchNoop = preparer.prepare(Optional.empty(), List.of(TextEntry.of("bench-noop", "")));
        benchVars = preparer.prepare(Optional.empty(), List.of(TextEntry.of("bench-vars", "")));
        benchBody = preparer.prepare(Optional.empty(), List.of(TextEntry.of("bench-body", "")));
        callFrameDirect = direct(A6MessageCodec.encode(call));
        varFrames = new ByteBuffer[] {
            direct(A6MessageCodec.encode(
                    new ExtraInfoResponse(Optional.of("127.0.0.1".getBytes(StandardCharsets.UTF_8))))),
            direct(A6MessageCodec.encode(new ExtraInfoResponse(Optional.of("9080".getBytes(StandardCharsets.UTF_8))))),
            direct(A6MessageCodec.encode(new ExtraInfoResponse(Optional.of("1".getBytes(StandardCharsets.UTF_8)))))
        };
        bodyFrame = direct(A6MessageCodec.encode(new ExtraInfoResponse(Optional.of(new byte[16 * 1024]))));
        executor = new ChainExecutor(DIRECT, InlineWatchdog.manual(System::nanoTime));
        // Probation: quick calls on the "pool" (here the calling thread) until both filters run inline.
        for (int i = 0; i < 1000; i++) {
            runChain(sdkNoop);
            runChain(sdkVars);
        }
        if (sdkNoop.links().getFirst().blocking() || sdkVars.links().getFirst().blocking()) {
            throw new IllegalStateException("the SDK filters were not promoted to inline: "
                    + sdkNoop.links().getFirst().placement() + ", "
                    + sdkVars.links().getFirst().placement());
        }
    }

    @Benchmark
    public Object decodeRequestCall() {
        DecodeResult result = A6MessageCodec.decode(2, callFrame.duplicate(), Side.RUNNER);
        return result;
    }

    @Benchmark
    public Object mapRequestView() {
        return MessageMapping.requestView(call, vars, Optional.empty());
    }

    @Benchmark
    public byte[] encodeRewriteReply() {
        return A6MessageCodec.encode(reply);
    }

    @Benchmark
    public Object chainNativeNoop() {
        return runChain(nativeNoop);
    }

    @Benchmark
    public Object chainSdkNoopInline() {
        return runChain(sdkNoop);
    }

    @Benchmark
    public Object chainSdkVarsInline() {
        return runChain(sdkVars);
    }

    @Benchmark
    public int callNoop() {
        return wholeCall(benchNoop, Map.of(), Optional.empty());
    }

    @Benchmark
    public int callVars() {
        // As the connection's CallState builds it: one immutable map, which the view keeps as it is.
        @SuppressWarnings("unchecked")
        Map.Entry<String, String>[] answered = new Map.Entry[varFrames.length];
        for (int i = 0; i < varFrames.length; i++) {
            ExtraInfoResponse answer = (ExtraInfoResponse) decoded(3, varFrames[i]);
            answered[i] =
                    Map.entry(VAR_NAMES.get(i), new String(answer.result().orElseThrow(), StandardCharsets.UTF_8));
        }
        return wholeCall(benchVars, Map.ofEntries(answered), Optional.empty());
    }

    @Benchmark
    public int callBody() {
        ExtraInfoResponse answer = (ExtraInfoResponse) decoded(3, bodyFrame);
        return wholeCall(benchBody, Map.of(), answer.result().map(Body::wrap));
    }

    /** Decode, view, chain, reply mapping, encoding into a pooled direct buffer; returns the frame's size. */
    private int wholeCall(PreparedChain chain, Map<String, String> answered, Optional<Body> body) {
        HttpReqCallRequest request = (HttpReqCallRequest) decoded(2, callFrameDirect);
        RequestView view = MessageMapping.requestView(request, answered, body);
        A6Message message = executor.runRequest(chain, view, chain.context(request.id()), DIRECT)
                .thenApply(outcome -> MessageMapping.requestReply(request.id(), outcome.decision()))
                .join();
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        try {
            A6MessageEncoder.encode(message, out);
            return out.readableBytes();
        } finally {
            out.release();
        }
    }

    private static A6Message decoded(int type, ByteBuffer frame) {
        return ((DecodeResult.Decoded) A6MessageCodec.decode(type, frame.duplicate(), Side.RUNNER)).message();
    }

    private static ByteBuffer direct(byte[] payload) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(payload.length);
        buffer.put(payload).flip();
        return buffer;
    }

    private Object runChain(PreparedChain chain) {
        RequestView view = MessageMapping.requestView(call, vars, Optional.empty());
        return executor.runRequest(chain, view, chain.context(call.id()), DIRECT)
                .join();
    }

    /** An official-SDK filter that passes the request on. */
    public static final class NoopFilter implements PluginFilter {
        @Override
        public String name() {
            return "NoopFilter";
        }

        @Override
        public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
            chain.filter(request, response);
        }
    }

    /** An official-SDK filter that rewrites the path and a header from three vars. */
    public static final class VarsFilter implements PluginFilter {
        @Override
        public String name() {
            return "VarsFilter";
        }

        @Override
        public void filter(HttpRequest request, HttpResponse response, PluginFilterChain chain) {
            request.setPath("/bench/" + request.getVars("route_id"));
            request.setHeader("x-bench-client", request.getVars("remote_addr") + ":" + request.getVars("server_port"));
            chain.filter(request, response);
        }

        @Override
        public List<String> requiredVars() {
            return List.of("remote_addr", "server_port", "route_id");
        }
    }
}
