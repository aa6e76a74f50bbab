package org.a6suite.emulator.internal;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;
import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.protocol.message.TextEntry;

/**
 * The per-request state nginx and APISIX keep in {@code ngx.var} and {@code ngx.req}: the headers in wire order (as
 * changed by plugins), {@code $uri}, {@code $args}, {@code $upstream_uri}, {@code $upstream_host} and the body.
 * Confined to the client connection's event loop.
 */
public final class RequestState {

    static final int MAX_RUNNER_HEADERS = 100;

    /** The client connection's event loop: the request's runner and upstream connections are this loop's own. */
    final EventLoop loop;

    final InetSocketAddress remote;
    final InetSocketAddress local;
    final String method;
    final String rawTarget;
    final String rawPath;
    final String uri;
    final EmulatorRoute route;
    final List<Header> headers;
    String args;
    boolean argsRewritten;
    Optional<String> upstreamUri = Optional.empty();
    String upstreamHost;
    byte[] body;
    final List<Header> respHeaders = new ArrayList<>();
    /** {@code ctx.balancer_ip}: the host of the last node picked, "" until one is (the metrics' node label). */
    volatile String balancerIp = "";
    /** {@code ctx.balancer_port}: the port of the last node picked, 0 until one is. */
    volatile int balancerPort;
    /** {@code $upstream_response_time} of the last try in nanoseconds, -1 when nginx did not proxy. */
    volatile long upstreamNanos = -1;

    RequestState(
            EventLoop loop,
            InetSocketAddress remote,
            InetSocketAddress local,
            String method,
            String rawTarget,
            List<Header> clientHeaders,
            byte[] body,
            EmulatorRoute route) {
        this.loop = requireNonNull(loop, "loop");
        this.remote = requireNonNull(remote, "remote");
        this.local = requireNonNull(local, "local");
        this.method = requireNonNull(method, "method");
        this.rawTarget = requireNonNull(rawTarget, "rawTarget");
        int q = rawTarget.indexOf('?');
        this.rawPath = q < 0 ? rawTarget : rawTarget.substring(0, q);
        this.args = q < 0 ? "" : rawTarget.substring(q + 1);
        this.uri = UriCodec.decodedNormalizedPath(rawPath);
        this.headers = new ArrayList<>(clientHeaders);
        this.body = requireNonNull(body, "body");
        this.route = route;
        this.upstreamHost = header("host").orElse(local.getAddress().getHostAddress() + ":" + local.getPort());
    }

    /** The raw path of a request target, for route matching before a state exists. */
    static String rawPathOf(String rawTarget) {
        int q = rawTarget.indexOf('?');
        return q < 0 ? rawTarget : rawTarget.substring(0, q);
    }

    Optional<String> header(String name) {
        return headers.stream().filter(h -> h.is(name)).map(Header::value).findFirst();
    }

    /**
     * Adds {@code X-Forwarded-Proto/Host/Port} the way APISIX does before plugins run (transcripts: they are in the
     * runner's header list, after the client's; the port comes from the Host header when it has one, s01).
     */
    void addForwardedHeaders() {
        String host = header("host").orElse("");
        String port = String.valueOf(local.getPort());
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']') < colon) {
            port = host.substring(colon + 1);
        }
        set("X-Forwarded-Proto", "http");
        set("X-Forwarded-Host", host);
        set("X-Forwarded-Port", port);
    }

    /** {@code ngx.req.set_header}: replaces every value in place of the first, or appends. */
    void set(String name, String value) {
        int first = -1;
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i).is(name)) {
                if (first < 0) {
                    first = i;
                    headers.set(i, new Header(name, value));
                } else {
                    headers.remove(i--);
                }
            }
        }
        if (first < 0) {
            headers.add(new Header(name, value));
        }
    }

    void remove(String name) {
        headers.removeIf(h -> h.is(name));
    }

    /** HTTPReqCall.Req headers: lower-case names, one per value, {@code host} = {@code $upstream_host}, at most 100. */
    List<TextEntry> runnerHeaders() {
        List<TextEntry> out = new ArrayList<>();
        for (Header h : headers) {
            if (out.size() == MAX_RUNNER_HEADERS) {
                break; // the first 100 in wire order (s12)
            }
            String name = h.name().toLowerCase(Locale.ROOT);
            out.add(TextEntry.of(name, Wire.toA6(name.equals("host") ? upstreamHost : h.value())));
        }
        return out;
    }

    /** HTTPReqCall.Req path: {@code $upstream_uri}'s path when a plugin set it, else {@code $uri} (transcripts README §3). */
    String runnerPath() {
        return upstreamUri
                .map(u -> {
                    int q = u.indexOf('?');
                    return q < 0 ? u : u.substring(0, q);
                })
                .orElse(uri);
    }

    /** HTTPReqCall.Req args: from {@code $upstream_uri}'s query when set, else from {@code $args}. */
    List<TextEntry> runnerArgs() {
        return UriCodec.parseArgs(upstreamUri
                .map(u -> {
                    int q = u.indexOf('?');
                    return q < 0 ? "" : u.substring(q + 1);
                })
                .orElse(args));
    }

    /**
     * The target the upstream gets: {@code $upstream_uri} when a plugin set it, the client's raw target otherwise
     * (transcript s03), or the raw path with the re-serialized args after an args-only rewrite.
     */
    String upstreamTarget() {
        if (upstreamUri.isPresent()) {
            return upstreamUri.get();
        }
        if (argsRewritten) {
            return args.isEmpty() ? rawPath : rawPath + "?" + args;
        }
        return rawTarget;
    }

    /**
     * {@code tostring(ctx.var[name])}, or empty for nil (transcripts README §3; transcript s03). Reflects plugin changes made
     * so far, as {@code ngx.var} does.
     */
    Optional<String> var(String name) {
        return wireVar(name).map(Wire::toA6);
    }

    /** Vars as wire strings (one char per byte); {@code $uri} is converted back so one conversion fits all. */
    private Optional<String> wireVar(String name) {
        String wireUri = Wire.toWire(uri);
        String isArgs = args.isEmpty() ? "" : "?";
        return switch (name) {
            case "remote_addr" -> Optional.of(remote.getAddress().getHostAddress());
            case "remote_port" -> Optional.of(String.valueOf(remote.getPort()));
            case "server_addr" -> Optional.of(local.getAddress().getHostAddress());
            case "server_port" -> Optional.of(String.valueOf(local.getPort()));
            case "scheme" -> Optional.of("http");
            case "server_protocol" -> Optional.of("HTTP/1.1");
            case "request_method" -> Optional.of(method);
            case "uri", "document_uri" -> Optional.of(wireUri);
            // APISIX rebuilds request_uri from the decoded $uri (s03: /s3/v%41rs?q=1 gave /s3/vArs?q=1)
            case "request_uri" -> Optional.of(wireUri + isArgs + args);
            case "real_request_uri" -> Optional.of(rawTarget);
            case "args", "query_string" -> args.isEmpty() ? Optional.empty() : Optional.of(args);
            case "is_args" -> Optional.of(isArgs);
            case "host" -> Optional.of(hostVar());
            case "route_id" -> Optional.of(route.id());
            // APISIX's ctx vars for the node its balancer picked (set before post-resp's own upstream call)
            case "balancer_ip" -> balancerIp.isEmpty() ? Optional.empty() : Optional.of(balancerIp);
            case "balancer_port" -> balancerPort == 0 ? Optional.empty() : Optional.of(String.valueOf(balancerPort));
            case "upstream_uri" -> upstreamUri;
            case "upstream_host" -> Optional.of(upstreamHost);
            case "content_type" -> header("content-type");
            case "content_length" -> header("content-length");
            case "request_body" ->
                body.length == 0 ? Optional.empty() : Optional.of(new String(body, StandardCharsets.ISO_8859_1));
            default -> prefixedVar(name);
        };
    }

    private Optional<String> prefixedVar(String name) {
        if (name.startsWith("http_")) {
            String wanted = name.substring(5);
            List<String> values = headers.stream()
                    .filter(h ->
                            h.name().toLowerCase(Locale.ROOT).replace('-', '_').equals(wanted))
                    .map(Header::value)
                    .toList();
            return values.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", values));
        }
        if (name.startsWith("arg_")) {
            String wanted = name.substring(4);
            for (String part : args.split("&")) {
                int eq = part.indexOf('=');
                String n = eq < 0 ? part : part.substring(0, eq);
                if (n.equalsIgnoreCase(wanted)) {
                    return Optional.of(eq < 0 ? "" : part.substring(eq + 1));
                }
            }
            return Optional.empty();
        }
        if (name.startsWith("cookie_")) {
            String wanted = name.substring(7);
            return header("cookie")
                    .flatMap(c -> java.util.Arrays.stream(c.split(";\\s*"))
                            .filter(p -> p.startsWith(wanted + "="))
                            .map(p -> p.substring(wanted.length() + 1))
                            .findFirst());
        }
        return Optional.empty();
    }

    /** nginx's {@code $host}: the Host header's name, lower-case, without the port (s03: Vars.Example -> vars.example). */
    private String hostVar() {
        String host = header("host").orElse(local.getAddress().getHostAddress());
        int colon = host.lastIndexOf(':');
        if (colon >= 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        return host.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return method + " " + rawTarget + " route " + route.id() + " headers "
                + headers.stream().map(Header::name).collect(Collectors.joining(","));
    }
}
