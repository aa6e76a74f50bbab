package org.a6suite.compat.internal;

import io.github.api7.A6.HTTPReqCall.Action;
import io.github.api7.A6.HTTPReqCall.Resp;
import io.github.api7.A6.HTTPReqCall.Rewrite;
import io.github.api7.A6.HTTPReqCall.Stop;
import io.github.api7.A6.TextEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.ResponseDecision;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostResponse;

/**
 * Reads what a filter recorded on the SDK's {@link HttpResponse} / {@link PostResponse} into our decisions.
 *
 * <p>The SDK keeps the recorded changes in private fields and exposes them only through {@code encode()}, the very
 * FlatBuffers reply the official runner writes to APISIX. Decoding that reply (rather than reading the fields by
 * reflection) gives exactly the official semantics for free: the last of {@code setStatusCode/setHeader/setBody}
 * (Stop) or {@code setPath/setReqHeader/setArg} (Rewrite) picks the action, a Stop without a status is 200, a body
 * that is blank is dropped, one value per header name.
 */
public final class SdkDecisions {

    private SdkDecisions() {}

    /** The request-phase decision recorded on {@code response}. */
    public static RequestDecision requestDecision(HttpResponse response) {
        if (response instanceof RecordingHttpResponse recording && !recording.recorded()) {
            return RequestDecision.proceed(); // what encode() of an untouched response says, without building it
        }
        ByteBuffer encoded = response.encode();
        Resp resp = Resp.getRootAsResp(encoded);
        return switch (resp.actionType()) {
            case Action.Stop -> stop((Stop) resp.action(new Stop()));
            case Action.Rewrite -> rewrite((Rewrite) resp.action(new Rewrite()));
            default -> RequestDecision.proceed();
        };
    }

    /** The response-phase decision recorded on {@code response}; nothing recorded means pass. */
    public static ResponseDecision responseDecision(PostResponse response) {
        if (response instanceof RecordingPostResponse recording && !recording.recorded()) {
            return ResponseDecision.pass();
        }
        var resp = io.github.api7.A6.HTTPRespCall.Resp.getRootAsResp(response.encode());
        var modify = ResponseDecision.modify();
        boolean changed = false;
        if (resp.status() != 0) {
            modify.status(resp.status());
            changed = true;
        }
        if (resp.headersLength() > 0) {
            var headers = new ArrayList<Headers.Header>(resp.headersLength());
            var entry = new TextEntry();
            for (int i = 0; i < resp.headersLength(); i++) {
                resp.headers(entry, i);
                // setHeader(name, null) encodes a name without a value; with "replace all headers" semantics
                // the only sensible reading is "not among the headers sent".
                if (entry.value() != null) {
                    headers.add(new Headers.Header(entry.name(), entry.value()));
                }
            }
            modify.headers(Headers.of(headers));
            changed = true;
        }
        if (resp.bodyLength() > 0) {
            modify.body(Body.wrap(SdkObjects.bytes(resp.bodyAsByteBuffer())));
            changed = true;
        }
        return changed ? modify.build() : ResponseDecision.pass();
    }

    private static RequestDecision stop(Stop stop) {
        var builder = RequestDecision.stop(stop.status());
        var entry = new TextEntry();
        for (int i = 0; i < stop.headersLength(); i++) {
            stop.headers(entry, i);
            // APISIX sets a Stop header with core.response.set_header(name, nil), which removes it; leaving it out
            // of the reply has the same effect.
            if (entry.value() != null) {
                builder.header(entry.name(), entry.value());
            }
        }
        if (stop.bodyLength() > 0) {
            builder.body(Body.wrap(SdkObjects.bytes(stop.bodyAsByteBuffer())));
        }
        return builder.build();
    }

    private static RequestDecision rewrite(Rewrite rewrite) {
        var builder = RequestDecision.rewrite();
        if (rewrite.path() != null) {
            builder.path(rewrite.path());
        }
        var entry = new TextEntry();
        for (int i = 0; i < rewrite.headersLength(); i++) {
            rewrite.headers(entry, i);
            if (entry.value() == null) {
                builder.removeHeader(entry.name());
            } else {
                builder.setHeader(entry.name(), entry.value());
            }
        }
        for (int i = 0; i < rewrite.argsLength(); i++) {
            rewrite.args(entry, i);
            if (entry.value() == null) {
                builder.removeArg(entry.name());
            } else {
                builder.setArg(entry.name(), entry.value());
            }
        }
        return builder.build();
    }
}
