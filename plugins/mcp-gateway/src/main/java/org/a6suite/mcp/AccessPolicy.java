package org.a6suite.mcp;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Set;
import org.a6suite.mcp.internal.Glob;

/**
 * Which consumers may see and call which tools. Applied identically to {@code tools/list} (hidden tools are not
 * shown) and {@code tools/call} (a hidden tool is reported as unknown, so its existence is not revealed).
 *
 * <p>For a tool, the rules whose patterns match it are collected. A consumer named in any matching rule's
 * {@code deny} is refused (deny wins). Otherwise, if any matching rule has a non-empty {@code allow}, the consumer must
 * be named in one of them. Otherwise {@code default_allow} decides. In lists, {@code *} stands for every identified
 * consumer; the anonymous principal ({@code ""}) is matched only by the name {@code anonymous}.
 */
public record AccessPolicy(boolean defaultAllow, List<Rule> rules) {

    public static final AccessPolicy ALLOW_ALL = new AccessPolicy(true, List.of());

    public AccessPolicy {
        rules = List.copyOf(rules);
    }

    /** One rule; {@code tools} are name patterns where {@code *} matches any run of characters. */
    public record Rule(List<String> tools, Set<String> allow, Set<String> deny) {
        public Rule {
            tools = List.copyOf(tools);
            allow = Set.copyOf(allow);
            deny = Set.copyOf(deny);
        }

        boolean matches(String tool) {
            return tools.stream().anyMatch(p -> Glob.matches(p, tool));
        }
    }

    public boolean permits(String principal, String tool) {
        requireNonNull(principal, "principal");
        requireNonNull(tool, "tool");
        boolean anyAllowList = false;
        boolean allowed = false;
        for (Rule rule : rules) {
            if (!rule.matches(tool)) {
                continue;
            }
            if (names(rule.deny, principal)) {
                return false;
            }
            if (!rule.allow.isEmpty()) {
                anyAllowList = true;
                allowed |= names(rule.allow, principal);
            }
        }
        return anyAllowList ? allowed : defaultAllow;
    }

    private static boolean names(Set<String> list, String principal) {
        if (principal.isEmpty()) {
            return list.contains("anonymous");
        }
        return list.contains("*") || list.contains(principal);
    }
}
