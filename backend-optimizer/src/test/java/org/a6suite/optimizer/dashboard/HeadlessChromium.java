package org.a6suite.optimizer.dashboard;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Debian's chromium run headless once per page: the DOM after the page's scripts ran, what the page wrote to the
 * console, every URL the browser requested (from its NetLog) and, if asked, a screenshot.
 */
final class HeadlessChromium {

    static final Path BINARY = Paths.get("/usr/bin/chromium");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Pattern CONSOLE = Pattern.compile(":CONSOLE[^\\]]*\\] (.*)");

    /**
     * What one page load left behind.
     *
     * @param dom     the serialised DOM
     * @param console console messages, as chromium logs them ({@code "message", source: url (line)})
     * @param urls    every URL requested for the page (its navigation and what it loaded or fetched), in order;
     *                not the browser's own background requests (time sync, updates, accounts)
     */
    record Page(String dom, List<String> console, List<String> urls) {}

    private HeadlessChromium() {}

    static boolean available() {
        return Files.isExecutable(BINARY);
    }

    /** Loads {@code url} in a {@code width}x{@code height} window and dumps its DOM. */
    static Page load(String url, int width, int height) throws IOException, InterruptedException {
        return run(url, width, height, List.of("--dump-dom"));
    }

    /** Loads {@code url} in a {@code width}x{@code height} window and saves a PNG of it to {@code png}. */
    static Page screenshot(String url, int width, int height, Path png) throws IOException, InterruptedException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        return run(url, width, height, List.of("--hide-scrollbars", "--screenshot=" + png.toAbsolutePath()));
    }

    private static Page run(String url, int width, int height, List<String> action)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("a6-chromium-");
        try {
            Path netlog = dir.resolve("netlog.json");
            Path stderr = dir.resolve("stderr.txt");
            List<String> cmd = new ArrayList<>(List.of(
                    BINARY.toString(),
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-default-apps",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--user-data-dir=" + dir.resolve("profile"),
                    "--window-size=" + width + "," + height,
                    "--enable-logging=stderr",
                    "--v=0",
                    "--log-net-log=" + netlog,
                    "--virtual-time-budget=8000"));
            cmd.addAll(action);
            cmd.add(url);
            Process p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectError(stderr.toFile())
                    .start();
            try {
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("chromium did not finish within 60 s");
                }
                return new Page(new String(out, StandardCharsets.UTF_8), console(stderr), urls(netlog, url));
            } finally {
                p.destroyForcibly();
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static List<String> console(Path stderr) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(stderr, StandardCharsets.UTF_8)) {
            Matcher m = CONSOLE.matcher(line);
            if (m.find()) {
                lines.add(m.group(1));
            }
        }
        return lines;
    }

    /**
     * The URLs of the requests made for the page at {@code pageUrl}: NetLog's {@code URL_REQUEST_START_JOB} events
     * whose initiator is the page's origin or whose network isolation key is the page's site. The browser's own
     * requests have neither, so they are left out; a script or stylesheet the page pulled from a CDN would be in.
     */
    private static List<String> urls(Path netlog, String pageUrl) throws IOException {
        List<String> urls = new ArrayList<>();
        if (!Files.exists(netlog)) {
            return urls;
        }
        String text = Files.readString(netlog, StandardCharsets.UTF_8).strip();
        if (!text.endsWith("}")) {
            // Chromium may exit before closing the event array.
            text = text.replaceAll(",\\s*$", "") + "]}";
        }
        JsonNode log = JSON.readTree(text);
        int startJob = log.get("constants")
                .get("logEventTypes")
                .get("URL_REQUEST_START_JOB")
                .asInt();
        URI page = URI.create(pageUrl);
        String origin = page.getScheme() + "://" + page.getAuthority();
        String site = page.getScheme() + "://" + page.getHost();
        for (JsonNode event : log.get("events")) {
            JsonNode params = event.get("params");
            if (event.get("type").asInt() != startJob || params == null || !params.has("url")) {
                continue;
            }
            String initiator = params.path("initiator").asString("");
            String isolation = params.path("network_isolation_key").asString("");
            if (initiator.equals(origin) || isolation.startsWith(site + " ")) {
                urls.add(params.get("url").asString());
            }
        }
        return urls;
    }
}
