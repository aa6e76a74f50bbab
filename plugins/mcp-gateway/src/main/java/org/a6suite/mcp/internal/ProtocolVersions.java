package org.a6suite.mcp.internal;

import java.util.List;

/** The MCP protocol revisions the gateway speaks, newest first. */
public final class ProtocolVersions {

    public static final String LATEST = "2025-11-25";
    /** What a request without {@code MCP-Protocol-Version} is assumed to speak (spec: backwards compatibility). */
    public static final String ASSUMED_WHEN_ABSENT = "2025-03-26";

    public static final List<String> SUPPORTED = List.of(LATEST, "2025-06-18", "2025-03-26");

    private ProtocolVersions() {}

    /** The client's version when supported, else the latest (the client then decides whether to go on). */
    public static String negotiate(String requested) {
        return SUPPORTED.contains(requested) ? requested : LATEST;
    }

    public static boolean isSupported(String version) {
        return SUPPORTED.contains(version);
    }
}
