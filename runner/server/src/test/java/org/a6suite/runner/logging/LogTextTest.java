package org.a6suite.runner.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void shouldRenderNewlinesAndAnsiEscapesVisibly() {
        assertThat(LogText.escape("route#1\n2026-01-01 INFO forged\r\u001b[31mred\u001b[0m\t\\"))
                .isEqualTo("route#1\\n2026-01-01 INFO forged\\r\\u001b[31mred\\u001b[0m\\t\\\\");
    }

    @Test
    void shouldEscapeC1ControlsLineSeparatorsAndBidiOverrides() {
        assertThat(LogText.escape("a\u0085b\u2028c\u202Ed\u007f")).isEqualTo("a\\u0085b\\u2028c\\u202ed\\u007f");
    }

    @Test
    void shouldReturnCleanTextUnchanged() {
        String clean = "route#1#ext-plugin-pre-req#7 ünïcödé";
        assertThat(LogText.escape(clean)).isSameAs(clean);
    }

    @Test
    void shouldCapTheLengthAndSayHowMuchWasCut() {
        String escaped = LogText.escape("x".repeat(10_000));
        assertThat(escaped).startsWith("x".repeat(LogText.DEFAULT_MAX_CHARS)).endsWith("...(9744 more chars)");
        assertThat(escaped.length()).isLessThan(300);
    }

    @Test
    void shouldEscapeTheMessagesOfAThrowableAndItsCausesButKeepTheStackTrace() {
        IllegalStateException original =
                new IllegalStateException("bad\nINFO forged", new RuntimeException("\u001b[2J"));
        Throwable escaped = LogText.escapeThrowable(original);
        assertThat(escaped.getMessage()).isEqualTo("java.lang.IllegalStateException: bad\\nINFO forged");
        assertThat(escaped.getCause().getMessage()).isEqualTo("java.lang.RuntimeException: \\u001b[2J");
        assertThat(escaped.getStackTrace()).isEqualTo(original.getStackTrace());
    }
}
