package org.a6suite.plugins.fallback.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseView;
import org.a6suite.plugins.fallback.KeySpec;

/**
 * The request parts the cache key and the credential rule need, read the same way in both phases: from the request
 * in pre-req, and from APISIX variables in post-resp (HTTPRespCall carries no request line).
 *
 * <p>Header values are joined with {@code ", "} ({@code "; "} for cookie) as nginx's {@code $http_*} does for
 * repeated headers, so both phases build the same key. Query values are decoded in both phases ({@code $arg_*} is raw
 * in nginx, so post-resp decodes it).
 */
public record RequestFacts(
        String method,
        String path,
        List<Optional<String>> argValues,
        List<Optional<String>> headerValues,
        boolean hasAuthorization,
        boolean hasCookie) {

    static final String VAR_METHOD = "request_method";
    static final String VAR_URI = "uri";
    static final String VAR_AUTHORIZATION = "http_authorization";
    static final String VAR_COOKIE = "http_cookie";

    public RequestFacts {
        argValues = List.copyOf(argValues);
        headerValues = List.copyOf(headerValues);
    }

    /** The variables post-resp needs to rebuild the facts for {@code key}. */
    public static Set<String> varsFor(KeySpec key) {
        Set<String> vars = new java.util.LinkedHashSet<>(List.of(VAR_METHOD, VAR_URI, VAR_AUTHORIZATION, VAR_COOKIE));
        key.args().forEach(a -> vars.add("arg_" + a));
        key.headers().forEach(h -> vars.add(headerVar(h)));
        return vars;
    }

    static String headerVar(String lowerName) {
        return "http_" + lowerName.replace('-', '_');
    }

    public static RequestFacts of(RequestView request, KeySpec key) {
        List<Optional<String>> args = new ArrayList<>(key.args().size());
        for (String a : key.args()) {
            args.add(
                    request.args().contains(a)
                            ? Optional.of(request.args().first(a).orElse(""))
                            : Optional.empty());
        }
        List<Optional<String>> headers = new ArrayList<>(key.headers().size());
        for (String h : key.headers()) {
            List<String> all = request.headers().all(h);
            headers.add(
                    all.isEmpty() ? Optional.empty() : Optional.of(String.join(h.equals("cookie") ? "; " : ", ", all)));
        }
        return new RequestFacts(
                request.method().name(),
                request.path(),
                args,
                headers,
                request.headers().contains("authorization"),
                request.headers().contains("cookie"));
    }

    /** Empty when APISIX did not give the method or path (the response cannot be keyed then). */
    public static Optional<RequestFacts> of(ResponseView response, KeySpec key) {
        Optional<String> method = response.var(VAR_METHOD);
        Optional<String> path = response.var(VAR_URI);
        if (method.isEmpty() || path.isEmpty()) {
            return Optional.empty();
        }
        List<Optional<String>> args = new ArrayList<>(key.args().size());
        for (String a : key.args()) {
            args.add(response.var("arg_" + a).map(RequestFacts::decodeArg));
        }
        List<Optional<String>> headers = new ArrayList<>(key.headers().size());
        for (String h : key.headers()) {
            headers.add(response.var(headerVar(h)));
        }
        return Optional.of(new RequestFacts(
                method.get().toUpperCase(Locale.ROOT),
                path.get(),
                args,
                headers,
                response.var(VAR_AUTHORIZATION).isPresent(),
                response.var(VAR_COOKIE).isPresent()));
    }

    private static String decodeArg(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw; // a malformed escape: nginx leaves it as is too
        }
    }

    /**
     * Whether a response to this request may be cached or a cached one served: requests carrying credentials
     * ({@code Authorization}, {@code Cookie}) only when the key names that header, so one user's response is never
     * served to another.
     */
    public boolean keyable(KeySpec key) {
        return (!hasAuthorization || key.namesHeader("authorization")) && (!hasCookie || key.namesHeader("cookie"));
    }

    public CacheKey cacheKey() {
        return new CacheKey(method, path, argValues, headerValues);
    }
}
