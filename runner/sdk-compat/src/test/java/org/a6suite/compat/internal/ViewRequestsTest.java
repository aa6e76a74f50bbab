package org.a6suite.compat.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.flatbuffers.FlatBufferBuilder;
import io.github.api7.A6.TextEntry;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.a6suite.plugin.Body;
import org.a6suite.plugin.Headers;
import org.a6suite.plugin.HttpMethod;
import org.a6suite.plugin.QueryArgs;
import org.a6suite.plugin.RequestView;
import org.a6suite.plugin.ResponseView;
import org.apache.apisix.plugin.runner.HttpRequest;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostRequest;
import org.junit.jupiter.api.Test;

/**
 * The view-backed SDK requests against the SDK's own classes reading the same call from an A6 table, built here the
 * way APISIX's frame would carry it: every getter a filter can call must answer the same.
 */
class ViewRequestsTest {

    private static final long ID = 4194305L;

    private static RequestView view(byte[] address) throws Exception {
        return RequestView.builder(HttpMethod.PATCH, "/orders/7")
                .args(QueryArgs.of(
                        List.of(QueryArgs.Arg.of("a", "1"), QueryArgs.Arg.of("a", "2"), QueryArgs.Arg.flag("debug"))))
                .headers(Headers.of("x-foo", "bar", "x-dup", "first", "x-dup", "last", "host", "example.com"))
                .sourceIp(address == null ? null : InetAddress.getByAddress(address))
                .vars(Map.of("remote_addr", "10.0.0.9"))
                .body(Body.of("{\"n\":1}"))
                .build();
    }

    /** The SDK's HttpRequest over an A6 {@code HTTPReqCall.Req} table of {@code view}. */
    private static HttpRequest tableRequest(RequestView view) {
        var b = new FlatBufferBuilder(256);
        int srcIp = view.sourceIp()
                .map(ip -> io.github.api7.A6.HTTPReqCall.Req.createSrcIpVector(b, ip.getAddress()))
                .orElse(0);
        int path = b.createString(view.path());
        int[] args = new int[view.args().entries().size()];
        for (int i = 0; i < args.length; i++) {
            QueryArgs.Arg a = view.args().entries().get(i);
            int name = b.createString(a.name());
            args[i] = TextEntry.createTextEntry(
                    b, name, a.value().map(b::createString).orElse(0));
        }
        int argsVector = io.github.api7.A6.HTTPReqCall.Req.createArgsVector(b, args);
        int headersVector = io.github.api7.A6.HTTPReqCall.Req.createHeadersVector(b, entries(b, view.headers()));
        io.github.api7.A6.HTTPReqCall.Req.startReq(b);
        io.github.api7.A6.HTTPReqCall.Req.addId(b, ID);
        if (srcIp != 0) {
            io.github.api7.A6.HTTPReqCall.Req.addSrcIp(b, srcIp);
        }
        io.github.api7.A6.HTTPReqCall.Req.addMethod(b, view.method().ordinal());
        io.github.api7.A6.HTTPReqCall.Req.addPath(b, path);
        io.github.api7.A6.HTTPReqCall.Req.addArgs(b, argsVector);
        io.github.api7.A6.HTTPReqCall.Req.addHeaders(b, headersVector);
        b.finish(io.github.api7.A6.HTTPReqCall.Req.endReq(b));
        return new HttpRequest(io.github.api7.A6.HTTPReqCall.Req.getRootAsReq(b.dataBuffer()));
    }

    private static int[] entries(FlatBufferBuilder b, Headers headers) {
        int[] offsets = new int[headers.size()];
        for (int i = 0; i < offsets.length; i++) {
            Headers.Header h = headers.entries().get(i);
            offsets[i] = TextEntry.createTextEntry(b, b.createString(h.name()), b.createString(h.value()));
        }
        return offsets;
    }

    private static List<Object> requestGetters(HttpRequest r) {
        return Arrays.asList(
                r.getRequestId(),
                r.getConfToken(),
                r.getMethod(),
                r.getPath(),
                r.getSourceIP(),
                r.getHeaders(),
                r.getHeader("x-dup"),
                r.getHeader("X-Foo"),
                r.getArgs(),
                r.getArg("a"),
                r.getArg("debug"),
                r.getArg("missing"),
                r.getType());
    }

    @Test
    void shouldAnswerEveryRequestGetterAsTheSdkReadingTheTableDoes() throws Exception {
        for (byte[] address : new byte[][] {
            {127, 0, 0, 1},
            {(byte) 192, (byte) 168, 0, (byte) 254},
            InetAddress.getByName("::1").getAddress(),
            null
        }) {
            RequestView view = view(address);
            HttpRequest ours = SdkObjects.httpRequest(view, ID, new HttpResponse(ID), Map.of(), Set.of(), false);

            assertThat(requestGetters(ours)).isEqualTo(requestGetters(tableRequest(view)));
        }
    }

    @Test
    void shouldKeepAFiltersChangesToTheHeaderMapAsTheSdkDoes() throws Exception {
        HttpRequest ours = SdkObjects.httpRequest(
                view(new byte[] {127, 0, 0, 1}), ID, new HttpResponse(ID), Map.of(), Set.of(), false);

        ours.getHeaders().put("x-added", "1");
        ours.getArgs().remove("a");

        assertThat(ours.getHeader("x-added")).isEqualTo("1");
        assertThat(ours.getArg("a")).isNull();
    }

    @Test
    void shouldReadTheBodyInPlaceUntilTheFilterSetsItsOwn() throws Exception {
        HttpRequest ours = SdkObjects.httpRequest(
                view(new byte[] {127, 0, 0, 1}), ID, new HttpResponse(ID), Map.of(), Set.of(), false);

        assertThat(ours.getBody()).isEqualTo("{\"n\":1}");
        assertThat(ours.getBody(StandardCharsets.UTF_16BE))
                .isEqualTo(new String("{\"n\":1}".getBytes(), StandardCharsets.UTF_16BE));
        ours.setBody("replaced");
        assertThat(ours.getBody()).isEqualTo("replaced");
        ours.setBody("again".getBytes(StandardCharsets.UTF_8));
        assertThat(ours.getBody(StandardCharsets.UTF_8)).isEqualTo("again");
    }

    @Test
    void shouldReadAnAbsentBodyAsTheSdkDoes() throws Exception {
        RequestView noBody = view(null).toBuilder().body(null).build();

        HttpRequest required = SdkObjects.httpRequest(noBody, ID, new HttpResponse(ID), Map.of(), Set.of(), true);
        HttpRequest unrequested = SdkObjects.httpRequest(noBody, ID, new HttpResponse(ID), Map.of(), Set.of(), false);

        assertThat(required.getBody()).isEmpty();
        // The SDK's getBody() is new String(null): a filter that reads a body it never asked for fails there too.
        assertThatThrownBy(unrequested::getBody).isInstanceOf(NullPointerException.class);
    }

    @Test
    void shouldAnswerEveryPostRequestGetterAsTheSdkReadingTheTableDoes() {
        var view = new ResponseView(
                502,
                Headers.of("content-type", "application/json", "set-cookie", "a=1", "set-cookie", "b=2"),
                Map.of(),
                Optional.of(Body.of("upstream says no")));
        var b = new FlatBufferBuilder(256);
        int headers = io.github.api7.A6.HTTPRespCall.Req.createHeadersVector(b, entries(b, view.headers()));
        io.github.api7.A6.HTTPRespCall.Req.startReq(b);
        io.github.api7.A6.HTTPRespCall.Req.addId(b, ID);
        io.github.api7.A6.HTTPRespCall.Req.addStatus(b, view.status());
        io.github.api7.A6.HTTPRespCall.Req.addHeaders(b, headers);
        b.finish(io.github.api7.A6.HTTPRespCall.Req.endReq(b));
        var table = new PostRequest(io.github.api7.A6.HTTPRespCall.Req.getRootAsReq(b.dataBuffer()));
        table.setBody("upstream says no".getBytes(StandardCharsets.UTF_8));

        PostRequest ours = SdkObjects.postRequest(view, ID, Map.of(), Set.of(), false);

        assertThat(List.of(
                        ours.getRequestId(),
                        ours.getConfToken(),
                        ours.getUpstreamStatusCode(),
                        ours.getUpstreamHeaders(),
                        ours.getBody(),
                        ours.getType()))
                .isEqualTo(List.of(
                        table.getRequestId(),
                        table.getConfToken(),
                        table.getUpstreamStatusCode(),
                        table.getUpstreamHeaders(),
                        table.getBody(),
                        table.getType()));
    }

    /**
     * The view-backed classes leave the SDK's table {@code null}, so no public method of the SDK's classes may reach
     * it through them: a new SDK getter that reads the table would fail here rather than in a filter.
     */
    @Test
    void shouldNeverReachTheSdksTable() throws Exception {
        RequestView request = view(new byte[] {127, 0, 0, 1});
        var response = new ResponseView(200, Headers.EMPTY, Map.of(), Optional.empty());

        assertThat(tableReaders(
                        HttpRequest.class,
                        SdkObjects.httpRequest(request, ID, new HttpResponse(ID), Map.of(), Set.of(), false)))
                .isEmpty();
        assertThat(tableReaders(PostRequest.class, SdkObjects.postRequest(response, ID, Map.of(), Set.of(), true)))
                .isEmpty();
    }

    /** The public methods of {@code type} that, called on {@code instance}, fail on the SDK's null table. */
    private static List<String> tableReaders(Class<?> type, Object instance) {
        List<String> readers = new ArrayList<>();
        for (Method m : type.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Object[] arguments = new Object[m.getParameterCount()];
            for (int i = 0; i < arguments.length; i++) {
                Class<?> parameter = m.getParameterTypes()[i];
                arguments[i] = parameter == String.class ? "x" : parameter == byte[].class ? new byte[0] : null;
            }
            try {
                m.invoke(instance, arguments);
            } catch (InvocationTargetException e) {
                // Helpful NullPointerException messages name the field: "... because "this.req" is null".
                if (e.getCause() instanceof NullPointerException npe
                        && String.valueOf(npe.getMessage()).contains("\"this.req\"")) {
                    readers.add(m.getName());
                }
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
        return readers;
    }
}
