package org.a6suite.compat.internal;

import java.net.InetAddress;
import java.nio.charset.Charset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;
import org.apache.apisix.plugin.runner.HttpRequest;

/**
 * The SDK's {@link HttpRequest}, reading our {@link RequestView} instead of a FlatBuffers table.
 *
 * <p>The SDK's class decodes its {@code HTTPReqCall.Req} table lazily, getter by getter. Building that table per call
 * meant turning every header and arg of the view into a String and encoding it again, whether the filter read any of
 * them or not (most read none, or one header). This subclass overrides exactly the getters that read the table and
 * answers them from the view, the way the SDK answers from the table: a map of every entry on first use (last
 * duplicate wins, names as APISIX sent them), a flag arg as {@code null}, the source address as its bytes joined with
 * dots. {@code getHeader}/{@code getArg} stay the SDK's (a case-sensitive scan of those maps). The body is read in
 * place from the view's {@link Body} (the SDK would copy it into its own array first, then into a String). Everything
 * else (config, vars, the setters that record on the response) is the SDK's own code, fed through its public
 * {@code initCtx}/{@code setVars}/{@code setBody}. The table stays {@code null}, so a getter this class did not
 * override would throw: {@code ViewRequestsTest} calls every public method of the SDK's class to make sure none does.
 */
final class ViewHttpRequest extends HttpRequest {

    private static final Method[] METHODS = Method.values();

    private final RequestView view;
    private final long requestId;
    private Map<String, String> headers;
    private Map<String, String> args;
    private String sourceIp;
    /** The call's body, read in place until the filter sets its own; null: the SDK's field decides. */
    private Body body;

    ViewHttpRequest(RequestView view, long requestId) {
        super(null);
        this.view = view;
        this.requestId = requestId;
        this.body = view.body().orElse(null);
    }

    @Override
    public long getRequestId() {
        return requestId;
    }

    /** The official runner reads the conf token of the call's table; the filter's table never had one. */
    @Override
    public long getConfToken() {
        return 0;
    }

    @Override
    public String getSourceIP() {
        if (sourceIp == null) {
            sourceIp = dotted(view.sourceIp());
        }
        return sourceIp;
    }

    @Override
    public Method getMethod() {
        // Our HttpMethod mirrors the A6 Method enum value for value (GET 0 .. TRACE 14), as does the SDK's.
        return METHODS[view.method().ordinal()];
    }

    @Override
    public String getPath() {
        return view.path();
    }

    @Override
    public Map<String, String> getHeaders() {
        if (headers == null) {
            headers = headerMap(view.headers());
        }
        return headers;
    }

    @Override
    public Map<String, String> getArgs() {
        if (args == null) {
            Map<String, String> map = new HashMap<>();
            for (QueryArgs.Arg arg : view.args().entries()) {
                map.put(arg.name(), arg.value().orElse(null));
            }
            args = map;
        }
        return args;
    }

    /** The SDK's {@code new String(body)}, without first copying the body into the SDK's own array. */
    @Override
    public String getBody() {
        return body != null ? body.asString(Charset.defaultCharset()) : super.getBody();
    }

    @Override
    public String getBody(Charset charset) {
        return body != null ? body.asString(charset) : super.getBody(charset);
    }

    @Override
    public void setBody(String body) {
        this.body = null;
        super.setBody(body);
    }

    @Override
    public void setBody(byte[] body) {
        this.body = null;
        super.setBody(body);
    }

    /** A mutable map of every header, the last of duplicates winning, as the SDK builds it. */
    static Map<String, String> headerMap(Headers view) {
        Map<String, String> map = new HashMap<>();
        for (Headers.Header header : view) {
            map.put(header.name(), header.value());
        }
        return map;
    }

    /** The SDK's rendering: each address byte as an unsigned number, joined with dots; none gives {@code null}. */
    private static String dotted(Optional<InetAddress> address) {
        if (address.isEmpty()) {
            return null;
        }
        byte[] bytes = address.get().getAddress();
        var text = new StringBuilder(bytes.length * 4);
        for (int i = 0; i < bytes.length; i++) {
            if (i > 0) {
                text.append('.');
            }
            text.append(bytes[i] & 0xFF);
        }
        return text.isEmpty() ? null : text.toString();
    }
}
