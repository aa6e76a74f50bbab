package org.a6suite.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeadersTest {

    private final Headers headers = Headers.of("x-dup", "one", "X-Dup", "two", "content-type", "text/plain");

    @Test
    void shouldFindValuesIgnoringCase() {
        assertThat(headers.first("X-DUP")).contains("one");
        assertThat(headers.all("x-dup")).containsExactly("one", "two");
        assertThat(headers.first("missing")).isEmpty();
    }

    @Test
    void shouldKeepReceivedOrderAndCase() {
        assertThat(headers.entries())
                .extracting(Headers.Header::name)
                .containsExactly("x-dup", "X-Dup", "content-type");
    }

    @Test
    void shouldReplaceEveryValueWhenSettingAName() {
        Headers changed = headers.with("X-DUP", "three");
        assertThat(changed.all("x-dup")).containsExactly("three");
        assertThat(headers.all("x-dup")).as("original is immutable").containsExactly("one", "two");
    }

    @Test
    void shouldNotRevealValuesInToString() {
        assertThat(Headers.of("authorization", "Bearer secret").toString()).doesNotContain("secret");
    }

    @Test
    void shouldRejectOddNameValueList() {
        assertThatThrownBy(() -> Headers.of("a")).hasMessageContaining("expected: name, value pairs");
    }
}
