package org.a6suite.emulator.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.a6suite.protocol.message.TextEntry;

/**
 * The URI transformations nginx and APISIX apply, each tied to what the transcripts showed. Strings carry raw bytes
 * decoded as UTF-8; invalid sequences become U+FFFD (the protocol records hold {@code String}s, so the raw
 * {@code \xff} bytes of transcript s10's third request cannot be reproduced exactly).
 */
public final class UriCodec {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriCodec() {}

    /**
     * nginx's {@code $uri}: the path percent-decoded ({@code %2F} becomes {@code /}, {@code +} stays), repeated slashes
     * merged and dot segments resolved (transcripts s01 {@code p%41th} -> {@code pAth}, s10 {@code /./x/../y} -> {@code /y}).
     */
    public static String decodedNormalizedPath(String rawPath) {
        String decoded = new String(percentDecode(rawPath, false), StandardCharsets.UTF_8);
        boolean trailingSlash = decoded.endsWith("/") || decoded.endsWith("/.") || decoded.endsWith("/..");
        Deque<String> out = new ArrayDeque<>();
        for (String segment : decoded.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                out.pollLast();
                continue;
            }
            out.addLast(segment);
        }
        StringBuilder sb = new StringBuilder();
        for (String s : out) {
            sb.append('/').append(s);
        }
        if (sb.isEmpty() || trailingSlash) {
            sb.append('/');
        }
        return sb.toString();
    }

    /** Percent-decodes to bytes; with {@code plusIsSpace} a {@code +} becomes a space (query strings). */
    static byte[] percentDecode(String s, boolean plusIsSpace) {
        // Wire strings hold one char per raw byte (Netty decodes request lines and headers as ISO-8859-1).
        byte[] in = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            byte b = in[i];
            if (b == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
                out.write(hex(in[i + 1]) << 4 | hex(in[i + 2]));
                i += 2;
            } else if (b == '+' && plusIsSpace) {
                out.write(' ');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    /**
     * {@code ngx.req.get_uri_args()}: {@code ?z} gives an absent value, {@code ?y=} gives "", a repeat gives one entry
     * per value, {@code +} and {@code %XX} are decoded (transcripts README §3, transcripts s01 and s10). Entries keep wire
     * order (APISIX sends Lua hash order, which is not reproducible and which runners must not rely on).
     */
    public static List<TextEntry> parseArgs(String query) {
        List<TextEntry> args = new ArrayList<>();
        if (query == null || query.isEmpty()) {
            return args;
        }
        for (String part : query.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            if (eq < 0) {
                args.add(TextEntry.absent(decodeComponent(part)));
            } else {
                args.add(TextEntry.of(decodeComponent(part.substring(0, eq)), decodeComponent(part.substring(eq + 1))));
            }
        }
        return args;
    }

    private static String decodeComponent(String s) {
        return new String(percentDecode(s, true), StandardCharsets.UTF_8);
    }

    /**
     * Applies Rewrite.args to the current args (transcripts README §6): an absent value deletes the name, the first entry per
     * name replaces every current value, later entries for that name append. Names keep their first position; new
     * names go last.
     */
    public static Map<String, List<Optional<String>>> rewriteArgs(List<TextEntry> current, List<TextEntry> rewrite) {
        Map<String, List<Optional<String>>> args = new LinkedHashMap<>();
        for (TextEntry e : current) {
            args.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e.value());
        }
        Map<String, Boolean> changed = new LinkedHashMap<>();
        for (TextEntry e : rewrite) {
            if (e.value().isEmpty()) {
                args.remove(e.name());
                continue;
            }
            if (changed.containsKey(e.name())) {
                args.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e.value());
            } else {
                List<Optional<String>> values = new ArrayList<>();
                values.add(e.value());
                args.put(e.name(), values);
            }
            changed.put(e.name(), Boolean.TRUE);
        }
        return args;
    }

    /**
     * {@code ngx.encode_args}: the WHOLE query re-serialized after an args rewrite, a flag as a bare name, spaces as
     * {@code %20} and everything but {@code A-Za-z0-9-._~} escaped (transcripts s01, s10).
     */
    public static String encodeArgs(Map<String, List<Optional<String>>> args) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, List<Optional<String>>> e : args.entrySet()) {
            for (Optional<String> v : e.getValue()) {
                if (!sb.isEmpty()) {
                    sb.append('&');
                }
                escapeComponent(sb, e.getKey());
                if (v.isPresent()) {
                    sb.append('=');
                    escapeComponent(sb, v.get());
                }
            }
        }
        return sb.toString();
    }

    private static void escapeComponent(StringBuilder sb, String s) {
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c >= 'A' && c <= 'Z'
                    || c >= 'a' && c <= 'z'
                    || c >= '0' && c <= '9'
                    || c == '-'
                    || c == '.'
                    || c == '_'
                    || c == '~') {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
        }
    }

    /**
     * APISIX's {@code core.utils.uri_safe_encode} of Rewrite.path: bytes that are unsafe in a request target are
     * escaped, {@code /} is kept (transcript s10: {@code /echo/ü s?q#h%41} -> {@code /echo/%C3%BC%20s%3Fq%23h%2541}).
     */
    public static String uriSafeEncode(String path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if (c <= 0x20 || c >= 0x7F || "\"#%<>?\\^`{|}".indexOf(c) >= 0) {
                sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }
}
