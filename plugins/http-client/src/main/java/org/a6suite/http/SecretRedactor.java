package org.a6suite.http;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that came back over an outbound call (a provider's or backend's error message, a stream
 * error event) before it reaches a client, a log line or a metric label: some servers echo the request's headers or
 * body in their errors, which would hand the route's API key to whoever made the request.
 *
 * <p>Two passes: every credential value the plugin has resolved is replaced wherever it appears, then anything that
 * looks like a credential is (a bearer token, a {@code key: value} pair whose name says secret, OpenAI- and
 * Anthropic-style {@code sk-} keys, Google {@code AIza} keys), so a key the plugin never saw (another tenant's, a
 * provider's internal one) does not leak either.
 */
public final class SecretRedactor {

    static final String MASK = "[redacted]";
    /** Shorter values are not treated as secrets: replacing "abc" everywhere would garble text and protect nothing. */
    private static final int MIN_SECRET_LENGTH = 8;

    private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern NAMED = Pattern.compile(
            "(?i)((?:authorization|proxy-authorization|api[-_]?key|x-api-key|x-goog-api-key|access[-_]?token"
                    + "|secret|password)\\\\?[\"']?\\s*[:=]\\s*\\\\?[\"']?)(?!\\[redacted]|(?:bearer|basic)\\b)[^\\s\"'\\\\,;}]{6,}");
    private static final Pattern SK_KEY = Pattern.compile("\\bsk-[A-Za-z0-9_-]{10,}");
    private static final Pattern GOOGLE_KEY = Pattern.compile("\\bAIza[0-9A-Za-z_-]{30,}");

    private final Supplier<? extends Collection<String>> knownSecrets;

    /** @param knownSecrets the credential values resolved so far (read on every call, so rotations are covered) */
    public SecretRedactor(Supplier<? extends Collection<String>> knownSecrets) {
        this.knownSecrets = requireNonNull(knownSecrets, "knownSecrets");
    }

    /** {@code text} with every known or likely secret replaced by {@value #MASK}. */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text == null ? "" : text;
        }
        String out = text;
        for (String secret : knownSecrets.get()) {
            if (secret != null && secret.length() >= MIN_SECRET_LENGTH && out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        out = BEARER.matcher(out).replaceAll("$1" + MASK);
        out = NAMED.matcher(out).replaceAll("$1" + MASK);
        out = SK_KEY.matcher(out).replaceAll(MASK);
        return GOOGLE_KEY.matcher(out).replaceAll(MASK);
    }
}
