package org.a6suite.mcp.config;

import static java.util.Objects.requireNonNull;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A resource URI template of RFC 6570 level 1 ({@code orders://{id}}, {@code docs://{team}/{page}}): literal text and
 * simple {@code {name}} expressions. A client expands each expression percent-encoded (simple expansion), so a value
 * never holds {@code /}, {@code ?} or {@code #}; {@link #match} reverses that: each expression matches one run of
 * characters other than those, decoded. Level 2+ operators ({@code {+x}}, {@code {?x}}, ...) are refused at
 * configuration time rather than half-supported.
 */
public final class UriTemplate {

    private static final Pattern EXPRESSION = Pattern.compile("\\{([A-Za-z0-9_.-]+)}");
    /** A URI (or template) starts with a scheme (RFC 3986). */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:.*");

    private final String text;
    private final List<String> variables;
    private final Pattern pattern;

    private UriTemplate(String text, List<String> variables, Pattern pattern) {
        this.text = text;
        this.variables = List.copyOf(variables);
        this.pattern = pattern;
    }

    /** Parses {@code text}; empty when it is not a level-1 template with at least one expression and a scheme. */
    public static Optional<UriTemplate> parse(String text) {
        requireNonNull(text, "text");
        if (!SCHEME.matcher(text).matches() || text.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
            return Optional.empty();
        }
        List<String> variables = new ArrayList<>();
        StringBuilder regex = new StringBuilder();
        Matcher m = EXPRESSION.matcher(text);
        int last = 0;
        while (m.find()) {
            regex.append(Pattern.quote(text.substring(last, m.start()))).append("([^/?#]+)");
            if (variables.contains(m.group(1))) {
                return Optional.empty();
            }
            variables.add(m.group(1));
            last = m.end();
        }
        String rest = text.substring(last);
        String literal = EXPRESSION.matcher(text).replaceAll("");
        if (variables.isEmpty() || literal.contains("{") || literal.contains("}")) {
            return Optional.empty();
        }
        regex.append(Pattern.quote(rest));
        return Optional.of(new UriTemplate(text, variables, Pattern.compile(regex.toString())));
    }

    /** Whether {@code uri} is a plain URI: a scheme, no braces, no spaces or control characters. */
    public static boolean isUri(String uri) {
        return SCHEME.matcher(uri).matches()
                && uri.indexOf('{') < 0
                && uri.indexOf('}') < 0
                && uri.chars().noneMatch(c -> c <= 0x20 || c == 0x7f);
    }

    public String text() {
        return text;
    }

    public List<String> variables() {
        return variables;
    }

    /** The variables' decoded values when {@code uri} is an expansion of this template. */
    public Optional<Map<String, String>> match(String uri) {
        Matcher m = pattern.matcher(uri);
        if (!m.matches()) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < variables.size(); i++) {
            try {
                values.put(
                        variables.get(i),
                        URLDecoder.decode(m.group(i + 1).replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return Optional.empty(); // a malformed %-escape is not an expansion of ours
            }
        }
        return Optional.of(values);
    }

    /** Expands with {@code values} (simple expansion: everything but unreserved characters percent-encoded). */
    public String expand(Map<String, String> values) {
        Matcher m = EXPRESSION.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(encode(values.getOrDefault(m.group(1), ""))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** RFC 3986 percent-encoding of everything but unreserved characters. */
    public static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
