package org.a6suite.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SecretRedactorTest {

    private final SecretRedactor redactor = new SecretRedactor(() -> List.of("plain-secret-value-42", "short"));

    @Test
    void shouldReplaceEveryKnownCredentialValueWhereverItAppears() {
        assertThat(redactor.redact("you sent plain-secret-value-42 twice: plain-secret-value-42"))
                .isEqualTo("you sent [redacted] twice: [redacted]");
    }

    @Test
    void shouldReplaceValuesThatLookLikeCredentialsEvenWhenUnknown() {
        assertThat(redactor.redact("authorization: Bearer abcdef123456; accept: */*"))
                .isEqualTo("authorization: Bearer [redacted]; accept: */*");
        assertThat(redactor.redact("{\"api-key\": \"0f3a9c7e5b2d4f6a8c1e3b5d7f9a2c4e\"}"))
                .doesNotContain("0f3a9c7e5b2d4f6a8c1e3b5d7f9a2c4e");
        assertThat(redactor.redact("x-api-key: sk-ant-api03-AbCdEfGhIjKlMnOp")).doesNotContain("AbCdEfGhIjKlMnOp");
        assertThat(redactor.redact("key AIzaSyA1234567890abcdefghijklmnopqrstuv was rejected"))
                .isEqualTo("key [redacted] was rejected");
        assertThat(redactor.redact("Incorrect API key provided: sk-proj-1234567890abcdef"))
                .isEqualTo("Incorrect API key provided: [redacted]");
        assertThat(redactor.redact("x-goog-api-key=abcdefgh12345678&alt=sse")).doesNotContain("abcdefgh12345678");
    }

    @Test
    void shouldLeaveOrdinaryProviderTextAlone() {
        String text = "The model `gpt-4o-mini` does not exist or you do not have access to it; max_tokens is too large";
        assertThat(redactor.redact(text)).isEqualTo(text);
        // Values too short to be keys are not masked everywhere ("short" appears in ordinary words).
        assertThat(redactor.redact("a short answer")).isEqualTo("a short answer");
        assertThat(redactor.redact(null)).isEmpty();
    }
}
