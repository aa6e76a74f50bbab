package org.a6suite.compat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.a6suite.plugin.RequestDecision;
import org.a6suite.plugin.ResponseDecision;
import org.apache.apisix.plugin.runner.HttpResponse;
import org.apache.apisix.plugin.runner.PostResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RecordingResponsesTest {

    /** The public setters a class declares itself (not inherited). */
    private static List<String> declaredSetters(Class<?> type) {
        return Arrays.stream(type.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && m.getName().startsWith("set"))
                .map(Method::getName)
                .sorted()
                .toList();
    }

    @Test
    void shouldOverrideEverySetterOfTheSdkResponsesSoThatNoChangeGoesUnnoticed() {
        assertThat(declaredSetters(RecordingHttpResponse.class)).isEqualTo(declaredSetters(HttpResponse.class));
        // setCharset records nothing by itself: it only says how a body set later is encoded.
        assertThat(declaredSetters(RecordingPostResponse.class))
                .isEqualTo(declaredSetters(PostResponse.class).stream()
                        .filter(name -> !Set.of("setCharset").contains(name))
                        .toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"setReqHeader", "setArg", "setPath", "setHeader", "setBody", "setStatusCode"})
    void shouldReadARecordedRequestChangeFromTheEncodedReply(String setter) {
        var response = new RecordingHttpResponse(7);
        assertThat(SdkDecisions.requestDecision(response)).isEqualTo(RequestDecision.proceed());

        request(setter).accept(response);

        assertThat(response.recorded()).isTrue();
        assertThat(SdkDecisions.requestDecision(response)).isNotEqualTo(RequestDecision.proceed());
    }

    @ParameterizedTest
    @ValueSource(strings = {"setHeader", "setBody", "setStatusCode"})
    void shouldReadARecordedResponseChangeFromTheEncodedReply(String setter) {
        var response = new RecordingPostResponse(7);
        assertThat(SdkDecisions.responseDecision(response)).isEqualTo(ResponseDecision.pass());

        switch (setter) {
            case "setHeader" -> response.setHeader("x-a", "1");
            case "setBody" -> response.setBody("changed");
            default -> response.setStatusCode(418);
        }

        assertThat(response.recorded()).isTrue();
        assertThat(SdkDecisions.responseDecision(response)).isNotEqualTo(ResponseDecision.pass());
    }

    @Test
    void shouldDecideLikeThePlainSdkResponseWhenNothingWasRecorded() {
        assertThat(SdkDecisions.requestDecision(new RecordingHttpResponse(1)))
                .isEqualTo(SdkDecisions.requestDecision(new HttpResponse(1)));
        assertThat(SdkDecisions.responseDecision(new RecordingPostResponse(1)))
                .isEqualTo(SdkDecisions.responseDecision(new PostResponse(1)));
    }

    private static Consumer<HttpResponse> request(String setter) {
        return switch (setter) {
            case "setReqHeader" -> r -> r.setReqHeader("x-a", "1");
            case "setArg" -> r -> r.setArg("a", "1");
            case "setPath" -> r -> r.setPath("/changed");
            case "setHeader" -> r -> r.setHeader("x-a", "1");
            case "setBody" -> r -> r.setBody("stopped");
            default -> r -> r.setStatusCode(403);
        };
    }
}
