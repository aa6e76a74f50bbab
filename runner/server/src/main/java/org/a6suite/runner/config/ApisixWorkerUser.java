package org.a6suite.runner.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.a6suite.runner.config.SocketOwnerPolicy.WorkerUser;

/**
 * Reads {@code nginx_config.user} from APISIX's configuration file, to learn which user nginx's workers run as.
 *
 * <p>Where the file is, as APISIX 3.x decides (checked in its Lua source): the runner is spawned by the privileged
 * agent ({@code ngx_pipe.spawn}, {@code apisix/plugins/ext-plugin/init.lua}) in the agent's working directory, and
 * APISIX's socket path is {@code abspath("./conf/apisix-<master pid>.sock")} in that same directory
 * ({@code apisix/plugins/ext-plugin/helper.lua}), which is APISIX's home whenever the runner can bind at all. So the
 * conf directory is the socket's directory when the socket has APISIX's own name, else {@code ./conf}. In it
 * ({@code apisix/core/profile.lua}, {@code apisix/cli/file.lua}): {@code .customized_config_path} names the file when
 * APISIX was started with {@code -c}; otherwise {@code config-<APISIX_PROFILE>.yaml} when that variable is set (nginx
 * passes it on: {@code env APISIX_PROFILE;} in {@code ngx_tpl.lua}), else {@code config.yaml}.
 *
 * <p>Only what is needed is parsed, without a YAML library: the top-level block {@code nginx_config:} in block style
 * and its direct child {@code user:}, a plain or quoted scalar, with APISIX's {@code ${{VAR}}} and
 * {@code ${{VAR:=default}}} substitution. Anything else (flow style, an anchor) is reported as unreadable rather than
 * guessed at.
 */
public final class ApisixWorkerUser {

    private static final Pattern APISIX_SOCKET_NAME = Pattern.compile("apisix-\\d+\\.sock");
    private static final Pattern TOP_LEVEL_KEY = Pattern.compile("^([A-Za-z0-9_-]+)\\s*:(.*)$");
    private static final Pattern CHILD_KEY = Pattern.compile("^(\\s+)([A-Za-z0-9_-]+)\\s*:(.*)$");
    private static final Pattern ENV_REF = Pattern.compile("\\$\\{\\{\\s*([A-Za-z0-9_]+)\\s*(?::=\\s*([^}]*?))?\\s*}}");

    private ApisixWorkerUser() {}

    /** APISIX's conf directory for a runner listening on {@code socketPath} in working directory {@code cwd}. */
    public static Path confDir(Path socketPath, Path cwd) {
        requireNonNull(socketPath, "socketPath");
        requireNonNull(cwd, "cwd");
        Path parent = socketPath.getParent();
        if (parent != null
                && APISIX_SOCKET_NAME
                        .matcher(socketPath.getFileName().toString())
                        .matches()) {
            return parent;
        }
        return cwd.toAbsolutePath().resolve("conf");
    }

    /** Finds and reads APISIX's configuration file in {@code confDir}. Never throws for a bad or missing file. */
    public static WorkerUser read(Path confDir, Function<String, String> env) {
        requireNonNull(confDir, "confDir");
        requireNonNull(env, "env");
        Path file;
        try {
            Path customized = confDir.resolve(".customized_config_path");
            if (Files.isRegularFile(customized)) {
                file = Path.of(
                        Files.readString(customized, StandardCharsets.UTF_8).strip());
            } else {
                String profile = env.apply("APISIX_PROFILE");
                file = confDir.resolve(
                        profile == null || profile.isBlank() ? "config.yaml" : "config-" + profile + ".yaml");
            }
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString(), env);
        } catch (IOException | RuntimeException e) {
            return new WorkerUser.Unreadable("APISIX config in " + confDir + ": " + e);
        }
    }

    /** Reads {@code nginx_config.user} from the text of a config file; {@code source} names it in the result. */
    static WorkerUser parse(String yaml, String source, Function<String, String> env) {
        List<String> lines = yaml.lines().toList();
        int i = 0;
        while (i < lines.size()) {
            Matcher top = TOP_LEVEL_KEY.matcher(lines.get(i));
            i++;
            if (!top.matches() || !top.group(1).equals("nginx_config")) {
                continue;
            }
            String rest = stripComment(top.group(2)).strip();
            if (!rest.isEmpty()) {
                return new WorkerUser.Unreadable(source + ": nginx_config is not a block mapping (" + rest + ")");
            }
            String childIndent = null;
            for (; i < lines.size(); i++) {
                String line = lines.get(i);
                if (line.isBlank() || line.stripLeading().startsWith("#")) {
                    continue;
                }
                if (!Character.isWhitespace(line.charAt(0))) {
                    break;
                }
                Matcher child = CHILD_KEY.matcher(line);
                if (!child.matches()) {
                    continue;
                }
                if (childIndent == null) {
                    childIndent = child.group(1);
                }
                if (child.group(1).equals(childIndent) && child.group(2).equals("user")) {
                    return userValue(stripComment(child.group(3)).strip(), source, env);
                }
            }
            return new WorkerUser.NotConfigured(source);
        }
        return new WorkerUser.NotConfigured(source);
    }

    private static WorkerUser userValue(String raw, String source, Function<String, String> env) {
        String value = raw;
        if (value.length() >= 2
                && (value.startsWith("\"") && value.endsWith("\"") || value.startsWith("'") && value.endsWith("'"))) {
            value = value.substring(1, value.length() - 1);
        } else if (value.startsWith("&")
                || value.startsWith("*")
                || value.startsWith("{")
                || value.startsWith("[")
                || value.startsWith("|")
                || value.startsWith(">")) {
            return new WorkerUser.Unreadable(source + ": nginx_config.user is not a plain value (" + raw + ")");
        }
        Matcher ref = ENV_REF.matcher(value);
        StringBuilder resolved = new StringBuilder();
        while (ref.find()) {
            String v = env.apply(ref.group(1));
            if (v == null) {
                v = ref.group(2);
            }
            if (v == null) {
                return new WorkerUser.Unreadable(
                        source + ": nginx_config.user names ${{" + ref.group(1) + "}}, which is not set");
            }
            ref.appendReplacement(resolved, Matcher.quoteReplacement(v));
        }
        ref.appendTail(resolved);
        value = resolved.toString().strip();
        if (value.isEmpty() || value.equals("~") || value.equals("null")) {
            // ngx_tpl.lua writes no user directive for an empty value.
            return new WorkerUser.NotConfigured(source);
        }
        // nginx's syntax is "user name [group];".
        String[] words = value.split("\\s+");
        try {
            SocketOwner owner = words.length == 1
                    ? SocketOwner.of(words[0])
                    : words.length == 2 ? new SocketOwner(words[0], Optional.of(words[1])) : null;
            if (owner == null) {
                return new WorkerUser.Unreadable(source + ": nginx_config.user is not \"user [group]\"");
            }
            return new WorkerUser.Configured(owner, source);
        } catch (RunnerConfigException e) {
            return new WorkerUser.Unreadable(source + ": nginx_config.user: " + e.getMessage());
        }
    }

    /** Cuts a {@code # comment} that follows whitespace, outside quotes. */
    private static String stripComment(String s) {
        boolean single = false;
        boolean dbl = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(s.charAt(i - 1)))) {
                return s.substring(0, i);
            }
        }
        return s;
    }
}
