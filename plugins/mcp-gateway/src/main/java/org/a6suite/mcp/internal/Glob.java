package org.a6suite.mcp.internal;

/** Tool-name patterns: {@code *} matches any run of characters, everything else matches itself. */
public final class Glob {

    private Glob() {}

    public static boolean matches(String pattern, String text) {
        // Iterative wildcard match with one backtrack point: linear in practice, no regex compilation per call.
        int p = 0;
        int t = 0;
        int star = -1;
        int mark = 0;
        while (t < text.length()) {
            if (p < pattern.length() && pattern.charAt(p) == '*') {
                star = p++;
                mark = t;
            } else if (p < pattern.length() && pattern.charAt(p) == text.charAt(t)) {
                p++;
                t++;
            } else if (star >= 0) {
                p = star + 1;
                t = ++mark;
            } else {
                return false;
            }
        }
        while (p < pattern.length() && pattern.charAt(p) == '*') {
            p++;
        }
        return p == pattern.length();
    }
}
