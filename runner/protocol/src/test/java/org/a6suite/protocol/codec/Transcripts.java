package org.a6suite.protocol.codec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The frames recorded between real APISIX 3.18.0 and the official Java runner, read from this module's test
 * resources ({@code src/test/resources/transcripts/*}{@code /frames.jsonl}, with the recording's README). A missing
 * directory is an error, not a skip: these are the conformance tests.
 */
final class Transcripts {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One recorded frame. */
    record Frame(String scenario, int line, int conn, String dir, int type, int len, byte[] bytes, JsonNode decoded) {
        Side side() {
            return switch (dir) {
                case "apisix->runner" -> Side.RUNNER;
                case "runner->apisix" -> Side.APISIX;
                default ->
                    throw new IllegalStateException("dir: " + dir + " (expected: apisix->runner or runner->apisix)");
            };
        }

        String msg() {
            return decoded.get("msg").asString();
        }

        @Override
        public String toString() {
            return scenario + "#" + line + " " + dir + " " + msg();
        }
    }

    private Transcripts() {}

    static Path directory() {
        // Maven runs tests from the module directory; the recordings are a test resource of this module.
        Path transcripts = Path.of("src", "test", "resources", "transcripts").toAbsolutePath();
        if (!Files.isDirectory(transcripts)) {
            throw new IllegalStateException("transcripts: " + transcripts
                    + " missing (expected: the recordings under runner/protocol/src/test/resources/transcripts)");
        }
        return transcripts;
    }

    static List<Frame> all() {
        List<Frame> frames = new ArrayList<>();
        try (Stream<Path> scenarios = Files.list(directory())) {
            for (Path file : scenarios
                    .map(s -> s.resolve("frames.jsonl"))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList()) {
                List<String> lines = Files.readAllLines(file);
                String scenario = file.getParent().getFileName().toString();
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(lines.get(i));
                    frames.add(new Frame(
                            scenario,
                            i + 1,
                            n.get("conn").asInt(),
                            n.get("dir").asString(),
                            n.get("type").asInt(),
                            n.get("len").asInt(),
                            HexFormat.of().parseHex(n.get("hex").asString()),
                            n.get("decoded")));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (frames.size() < 100) {
            throw new IllegalStateException("transcripts: only " + frames.size() + " frames (expected: about 200)");
        }
        return frames;
    }
}
