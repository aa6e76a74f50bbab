package org.a6suite.runner.logging;

/**
 * Makes a string that came from a peer safe to put in a log line: one line, no terminal control, bounded length.
 *
 * <p>Route keys, conf names and values, plugin names and header names arrive from APISIX (and, through it, from
 * clients); paths and headers arrive on the lane. Logged raw, a newline followed by a timestamp forges a log line and
 * an ANSI escape rewrites the operator's terminal. {@link #escape} renders every control character visibly instead:
 *
 * <pre>
 *   "\n" -> \n    "\r" -> \r    "\t" -> \t    "\" -> \\
 *   other C0, DEL, C1 controls, U+2028/U+2029 and bidi overrides -> \u001b form (4 hex digits)
 * </pre>
 *
 * <p>and cuts the result at {@link #DEFAULT_MAX_CHARS} with a marker naming how much was left out. The backslash is
 * doubled so an escaped string can never be mistaken for a raw one.
 */
public final class LogText {

    /** Enough for any route key or plugin name APISIX sends; more is an attack or a bug, and both are cut. */
    public static final int DEFAULT_MAX_CHARS = 256;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {}

    /** {@code value} escaped and cut at {@link #DEFAULT_MAX_CHARS} characters; {@code null} gives {@code null}. */
    public static String escape(CharSequence value) {
        return escape(value, DEFAULT_MAX_CHARS);
    }

    /**
     * {@code value} escaped and cut at {@code maxChars} characters of input (the escaped form may be longer).
     *
     * @throws IllegalArgumentException when {@code maxChars} is negative
     */
    public static String escape(CharSequence value, int maxChars) {
        if (maxChars < 0) {
            throw new IllegalArgumentException("maxChars: " + maxChars + " (expected: >= 0)");
        }
        if (value == null) {
            return "null";
        }
        int length = value.length();
        int end = Math.min(length, maxChars);
        if (end == length && isClean(value)) {
            return value.toString();
        }
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (needsEscape(c)) {
                        out.append("\\u")
                                .append(HEX[c >> 12 & 0xF])
                                .append(HEX[c >> 8 & 0xF])
                                .append(HEX[c >> 4 & 0xF])
                                .append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (end < length) {
            out.append("...(").append(length - end).append(" more chars)");
        }
        return out.toString();
    }

    private static boolean isClean(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20
                || (c >= 0x7F && c <= 0x9F)
                // Line and paragraph separators end a line in some viewers; bidi controls reorder what is shown.
                || c == '\u2028'
                || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E')
                || (c >= '\u2066' && c <= '\u2069');
    }

    /**
     * A stand-in for {@code error} whose message (and its causes' messages) is escaped, with the same stack trace, so
     * a log line can keep the trace without printing what the exception's text copied from a request.
     */
    public static Throwable escapeThrowable(Throwable error) {
        return error == null ? null : new EscapedThrowable(error, 0);
    }

    /** Carries the original class name in its message since logback prints this class's name. */
    private static final class EscapedThrowable extends Exception {
        private static final int MAX_CAUSES = 8;

        EscapedThrowable(Throwable original, int depth) {
            super(
                    original.getClass().getName()
                            + (original.getMessage() == null ? "" : ": " + escape(original.getMessage(), 1024)),
                    original.getCause() == null || depth >= MAX_CAUSES
                            ? null
                            : new EscapedThrowable(original.getCause(), depth + 1),
                    false,
                    true);
            setStackTrace(original.getStackTrace());
        }

        @Override
        public String toString() {
            return getMessage();
        }
    }
}
