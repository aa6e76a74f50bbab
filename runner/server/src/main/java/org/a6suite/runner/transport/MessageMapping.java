package org.a6suite.runner.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseDecision;
import org.a6suite.plugin.ResponseView;
import org.a6suite.protocol.message.HttpReqCallRequest;
import org.a6suite.protocol.message.HttpReqCallResponse;
import org.a6suite.protocol.message.HttpRespCallRequest;
import org.a6suite.protocol.message.HttpRespCallResponse;
import org.a6suite.protocol.message.Method;
import org.a6suite.protocol.message.TextEntry;
import org.a6suite.protocol.message.WireTextEntries;

/** Translates between the wire messages and the plugin API's views and decisions. */
public final class MessageMapping {

    private MessageMapping() {}

    /** The request a plugin sees, with the vars and body APISIX answered. */
    public static RequestView requestView(HttpReqCallRequest call, Map<String, String> vars, Optional<Body> body) {
        return new RequestView(
                method(call.method()),
                call.path(),
                args(call.args()),
                headers(call.headers()),
                sourceIp(call.srcIp()),
                vars,
                body);
    }

    /** The upstream response a plugin sees. */
    public static ResponseView responseView(HttpRespCallRequest call, Map<String, String> vars, Optional<Body> body) {
        return new ResponseView(call.status(), headers(call.headers()), vars, body);
    }

    static HttpMethod method(Method method) {
        // Explicit, so reordering either enum cannot silently map one method to another.
        return switch (method) {
            case GET -> HttpMethod.GET;
            case HEAD -> HttpMethod.HEAD;
            case POST -> HttpMethod.POST;
            case PUT -> HttpMethod.PUT;
            case DELETE -> HttpMethod.DELETE;
            case MKCOL -> HttpMethod.MKCOL;
            case COPY -> HttpMethod.COPY;
            case MOVE -> HttpMethod.MOVE;
            case OPTIONS -> HttpMethod.OPTIONS;
            case PROPFIND -> HttpMethod.PROPFIND;
            case PROPPATCH -> HttpMethod.PROPPATCH;
            case LOCK -> HttpMethod.LOCK;
            case UNLOCK -> HttpMethod.UNLOCK;
            case PATCH -> HttpMethod.PATCH;
            case TRACE -> HttpMethod.TRACE;
        };
    }

    /** Lazy over a decoded call's entries (see {@link WireTextEntries}); a list built in code is copied. */
    static QueryArgs args(List<TextEntry> entries) {
        if (entries.isEmpty()) {
            return QueryArgs.EMPTY;
        }
        if (entries instanceof WireTextEntries wire) {
            return QueryArgs.lazy(new WireEntrySource(wire));
        }
        List<QueryArgs.Arg> args = new ArrayList<>(entries.size());
        for (TextEntry e : entries) {
            args.add(new QueryArgs.Arg(e.name(), e.value()));
        }
        return QueryArgs.of(args);
    }

    /** Lazy over a decoded call's entries, as {@link #args}; an entry without a value reads {@code ""}. */
    static Headers headers(List<TextEntry> entries) {
        if (entries.isEmpty()) {
            return Headers.EMPTY;
        }
        if (entries instanceof WireTextEntries wire) {
            return Headers.lazy(new WireEntrySource(wire));
        }
        List<Headers.Header> headers = new ArrayList<>(entries.size());
        for (TextEntry e : entries) {
            headers.add(new Headers.Header(e.name(), e.value().orElse("")));
        }
        return Headers.of(headers);
    }

    /** {@code $binary_remote_addr}: 4 or 16 bytes; anything else (absent, a unix client) is no address. */
    static Optional<InetAddress> sourceIp(byte[] raw) {
        if (raw.length != 4 && raw.length != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByAddress(raw));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The reply to an HTTPReqCall for the chain's outcome. Plain loops: this runs once per call. */
    public static HttpReqCallResponse requestReply(long id, RequestDecision decision) {
        HttpReqCallResponse.Action action = switch (decision) {
            case RequestDecision.Proceed p -> HttpReqCallResponse.None.INSTANCE;
            case RequestDecision.Stop stop ->
                new HttpReqCallResponse.Stop(stop.status(), entries(stop.headers()), bytes(stop.body()));
            case RequestDecision.Rewrite r -> {
                List<TextEntry> headers = r.headers().isEmpty()
                        ? List.of()
                        : new ArrayList<>(r.headers().size());
                for (RequestDecision.Rewrite.HeaderEdit h : r.headers()) {
                    headers.add(new TextEntry(h.name(), h.value()));
                }
                List<TextEntry> args = r.args().isEmpty()
                        ? List.of()
                        : new ArrayList<>(r.args().size());
                for (RequestDecision.Rewrite.ArgEdit a : r.args()) {
                    args.add(new TextEntry(a.name(), a.value()));
                }
                List<TextEntry> responseHeaders = r.responseHeaders().isEmpty()
                        ? List.of()
                        : new ArrayList<>(r.responseHeaders().size());
                for (Headers.Header h : r.responseHeaders()) {
                    responseHeaders.add(TextEntry.of(h.name(), h.value()));
                }
                yield new HttpReqCallResponse.Rewrite(r.path(), headers, args, responseHeaders, bytes(r.body()));
            }
        };
        return new HttpReqCallResponse(id, action);
    }

    /**
     * The wire form of a reply body: a copy, since the A6 records hold arrays and {@link Body} hands out none of its
     * own. Only Stop and Rewrite replies that carry a body pay for it.
     */
    private static Optional<byte[]> bytes(Optional<Body> body) {
        return body.isPresent() ? Optional.of(body.get().toByteArray()) : Optional.empty();
    }

    /** The reply to an HTTPRespCall: status 0 and no headers keep the upstream's. */
    public static HttpRespCallResponse responseReply(long id, ResponseDecision decision) {
        return switch (decision) {
            case ResponseDecision.Pass p -> new HttpRespCallResponse(id, 0, List.of(), Optional.empty());
            case ResponseDecision.Modify m ->
                new HttpRespCallResponse(
                        id,
                        m.status().orElse(0),
                        m.headers().map(MessageMapping::entries).orElse(List.of()),
                        bytes(m.body()));
        };
    }

    private static List<TextEntry> entries(Headers headers) {
        List<TextEntry> list = new ArrayList<>(headers.size());
        for (Headers.Header h : headers) {
            list.add(TextEntry.of(h.name(), h.value()));
        }
        return list;
    }
}
