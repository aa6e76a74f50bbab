package org.a6suite.compat.internal;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;

/**
 * Builds the official SDK's request objects from our immutable views.
 *
 * <p>The SDK's {@link HttpRequest} and {@link PostRequest} read the call (path, headers, args, source address, status)
 * from a wrapped A6 FlatBuffers table; {@link ViewHttpRequest} and {@link ViewPostRequest} override exactly those
 * getters to read our view instead, with the SDK's results (lower-case header keys as APISIX sent them, last duplicate
 * wins, a flag arg reads {@code null}, {@code getSourceIP()} joining bytes with dots). So a call costs nothing for the
 * parts a filter does not read: no table is encoded, and no header becomes a String unless the filter asks for one.
 * Vars and bodies are then set the way the official runner sets them after its ExtraInfo round trips: a requested var
 * APISIX had no value for reads {@code ""}, a requested but absent body reads {@code ""}, and a body nobody requested
 * stays unset (the SDK's {@code getBody()} then throws, as it does there).
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
        var request = new ViewHttpRequest(view, requestId);
        request.initCtx(response, config);
        request.setVars(vars(view.vars(), requiredVars));
        if (view.body().isEmpty() && requiredBody) {
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
        var request = new ViewPostRequest(view, requestId);
        request.initCtx(config);
        request.setVars(vars(view.vars(), requiredVars));
        if (view.body().isEmpty() && requiredRespBody) {
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
