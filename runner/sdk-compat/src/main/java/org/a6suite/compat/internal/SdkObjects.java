package org.a6suite.compat.internal;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;

/**
 * Builds the official SDK's request objects from our immutable views.
 *
 * <p>The SDK's {@link HttpRequest} and {@link PostRequest} read everything but vars and bodies lazily from a wrapped
 * A6 FlatBuffers table ({@code HTTPReqCall.Req}, {@code HTTPRespCall.Req}), so the only faithful way to give a filter
 * the exact getters it was written against (lower-case header keys, last duplicate wins, a flag arg reads
 * {@code null}, {@code getSourceIP()} joining bytes with dots) is to encode the view into that table with the A6
 * builders and let the SDK decode it. Vars and bodies are then set the way the official runner sets them after its
 * ExtraInfo round trips: a requested var APISIX had no value for reads {@code ""}, a requested but absent body reads
 * {@code ""}, and a body nobody requested stays unset (the SDK's {@code getBody()} then throws, as it does there).
 */
public final class SdkObjects {

    private SdkObjects() {}

    /**
     * An {@link HttpRequest} for {@code view}, bound to {@code response} and {@code config} as the official runner binds
     * it ({@code initCtx}).
     *
     * @param requiredVars the filter's {@code requiredVars()}; each reads {@code ""} when APISIX had no value
     * @param requiredBody the filter's {@code requiredBody()}
     */
    public static HttpRequest httpRequest(
            RequestView view,
            long requestId,
            HttpResponse response,
            Map<String, String> config,
            Set<String> requiredVars,
            boolean requiredBody) {
        var builder = new FlatBufferBuilder(256);
        int srcIp = view.sourceIp()
                .map(ip -> io.github.api7.A6.HTTPReqCall.Req.createSrcIpVector(builder, ip.getAddress()))
                .orElse(0);
        int path = builder.createString(view.path());
        int args = io.github.api7.A6.HTTPReqCall.Req.createArgsVector(builder, args(builder, view.args()));
        int headers = io.github.api7.A6.HTTPReqCall.Req.createHeadersVector(builder, headers(builder, view.headers()));
        io.github.api7.A6.HTTPReqCall.Req.startReq(builder);
        io.github.api7.A6.HTTPReqCall.Req.addId(builder, requestId);
        if (srcIp != 0) {
            io.github.api7.A6.HTTPReqCall.Req.addSrcIp(builder, srcIp);
        }
        // Our HttpMethod mirrors the A6 Method enum value for value (GET 0 .. TRACE 14), as does the SDK's.
        io.github.api7.A6.HTTPReqCall.Req.addMethod(builder, view.method().ordinal());
        io.github.api7.A6.HTTPReqCall.Req.addPath(builder, path);
        io.github.api7.A6.HTTPReqCall.Req.addArgs(builder, args);
        io.github.api7.A6.HTTPReqCall.Req.addHeaders(builder, headers);
        builder.finish(io.github.api7.A6.HTTPReqCall.Req.endReq(builder));

        var request = new HttpRequest(io.github.api7.A6.HTTPReqCall.Req.getRootAsReq(builder.dataBuffer()));
        request.initCtx(response, config);
        request.setVars(vars(view.vars(), requiredVars));
        if (view.body().isPresent()) {
            request.setBody(view.body().get().toByteArray());
        } else if (requiredBody) {
            request.setBody(new byte[0]);
        }
        return request;
    }

    /**
     * A {@link PostRequest} for {@code view} with {@code config} bound.
     *
     * @param requiredRespBody the filter's {@code requiredRespBody()}; the body then reads {@code ""} when absent
     */
    public static PostRequest postRequest(
            ResponseView view,
            long requestId,
            Map<String, String> config,
            Set<String> requiredVars,
            boolean requiredRespBody) {
        var builder = new FlatBufferBuilder(256);
        int headers = io.github.api7.A6.HTTPRespCall.Req.createHeadersVector(builder, headers(builder, view.headers()));
        io.github.api7.A6.HTTPRespCall.Req.startReq(builder);
        io.github.api7.A6.HTTPRespCall.Req.addId(builder, requestId);
        io.github.api7.A6.HTTPRespCall.Req.addStatus(builder, view.status());
        io.github.api7.A6.HTTPRespCall.Req.addHeaders(builder, headers);
        builder.finish(io.github.api7.A6.HTTPRespCall.Req.endReq(builder));

        var request = new PostRequest(io.github.api7.A6.HTTPRespCall.Req.getRootAsReq(builder.dataBuffer()));
        request.initCtx(config);
        request.setVars(vars(view.vars(), requiredVars));
        if (view.body().isPresent()) {
            request.setBody(view.body().get().toByteArray());
        } else if (requiredRespBody) {
            request.setBody(new byte[0]);
        }
        return request;
    }

    /**
     * The var map the official runner hands every filter of a chain: everything the chain fetched, with a requested
     * var that APISIX had no value for reading {@code ""} (it turns an absent ExtraInfo result into an empty array).
     */
    static Map<String, String> vars(Map<String, String> fetched, Set<String> requiredVars) {
        var vars = new HashMap<String, String>(fetched);
        for (String name : requiredVars) {
            vars.putIfAbsent(name, "");
        }
        return vars;
    }

    private static int[] headers(FlatBufferBuilder builder, Headers headers) {
        List<Headers.Header> entries = headers.entries();
        int[] offsets = new int[entries.size()];
        for (int i = 0; i < offsets.length; i++) {
            Headers.Header h = entries.get(i);
            offsets[i] =
                    TextEntry.createTextEntry(builder, builder.createString(h.name()), builder.createString(h.value()));
        }
        return offsets;
    }

    private static int[] args(FlatBufferBuilder builder, QueryArgs args) {
        List<QueryArgs.Arg> entries = args.entries();
        int[] offsets = new int[entries.size()];
        for (int i = 0; i < offsets.length; i++) {
            QueryArgs.Arg a = entries.get(i);
            int name = builder.createString(a.name());
            // A flag (?debug) has no value slot, so the SDK's getArg reads null, as with real APISIX.
            int value = a.value().map(builder::createString).orElse(0);
            offsets[i] = TextEntry.createTextEntry(builder, name, value);
        }
        return offsets;
    }

    /** Copies a FlatBuffers byte vector; {@code null} (absent) gives an empty array. */
    static byte[] bytes(ByteBuffer vector) {
        if (vector == null) {
            return new byte[0];
        }
        byte[] out = new byte[vector.remaining()];
        vector.get(out);
        return out;
    }
}
