package org.a6suite.emulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Command line for the APISIX emulator, a TEST AND DEVELOPMENT FIXTURE (never a gateway), for the local stack:
 * {@code java -cp ... org.a6suite.emulator.EmulatorMain --port 9080 --runner-socket /path [--routes routes.json]
 * [--etcd http://127.0.0.1:2379[,more]] [--etcd-prefix /apisix] [--metrics-port 9091] [--control-port 9090] [--read-timeout-ms 60000]}. {@code routes.json} is either an object {@code {"<id>": <route>, ...}} or an array of
 * routes that each carry an {@code "id"}; each route is APISIX route JSON (see {@link EmulatorRoute#fromJson}).
 */
public final class EmulatorMain {

    private EmulatorMain() {}

    public static void main(String[] args) throws Exception {
        int port = 9080;
        Path socket = null;
        Path routesFile = null;
        Duration readTimeout = Duration.ofSeconds(60);
        List<String> etcd = List.of();
        String etcdPrefix = "/apisix";
        int metricsPort = -1;
        int controlPort = -1;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(require(args[i], value));
                case "--runner-socket" -> socket = Path.of(require(args[i], value));
                case "--routes" -> routesFile = Path.of(require(args[i], value));
                case "--read-timeout-ms" -> readTimeout = Duration.ofMillis(Long.parseLong(require(args[i], value)));
                case "--etcd" -> etcd = List.of(require(args[i], value).split(","));
                case "--etcd-prefix" -> etcdPrefix = require(args[i], value);
                case "--metrics-port" -> metricsPort = Integer.parseInt(require(args[i], value));
                case "--control-port" -> controlPort = Integer.parseInt(require(args[i], value));
                default ->
                    fail("unknown argument: " + args[i] + " (expected: --port, --runner-socket, --routes, "
                            + "--etcd, --etcd-prefix, --metrics-port, --control-port, --read-timeout-ms)");
            }
            i++;
        }
        if (socket == null) {
            fail("--runner-socket: missing (expected: the runner's unix socket path)");
        }
        ApisixEmulator.Builder builder =
                ApisixEmulator.builder().runnerSocket(socket).port(port).readTimeout(readTimeout);
        if (routesFile != null) {
            readRoutes(routesFile).forEach(builder::route);
        }
        if (!etcd.isEmpty()) {
            builder.etcd(etcd, etcdPrefix);
        }
        if (metricsPort >= 0) {
            builder.metricsPort(metricsPort);
        }
        if (controlPort >= 0) {
            builder.controlPort(controlPort);
        }
        ApisixEmulator emulator = builder.build().start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            emulator.close();
                            stopped.countDown();
                        },
                        "emulator-shutdown"));
        stopped.await();
    }

    /** Reads a routes file: {@code {"<id>": route}} or {@code [{"id": ..., ...route}]}. */
    static List<EmulatorRoute> readRoutes(Path file) throws IOException {
        JsonMapper json = JsonMapper.builder().build();
        JsonNode root = json.readTree(Files.readString(file));
        List<EmulatorRoute> routes = new ArrayList<>();
        if (root.isObject()) {
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                routes.add(EmulatorRoute.fromJson(e.getKey(), json.writeValueAsString(e.getValue())));
            }
        } else if (root.isArray()) {
            for (JsonNode r : root.values()) {
                if (!r.path("id").isString() && !r.path("id").isNumber()) {
                    throw new IllegalArgumentException(
                            file + ": route without \"id\" (expected: every route has an id)");
                }
                routes.add(EmulatorRoute.fromJson(r.path("id").asString(), json.writeValueAsString(r)));
            }
        } else {
            throw new IllegalArgumentException(file + ": " + root.getNodeType() + " (expected: an object or an array)");
        }
        return routes;
    }

    private static String require(String flag, String value) {
        if (value == null) {
            fail(flag + ": missing value");
        }
        return value;
    }

    private static void fail(String message) {
        System.err.println("a6 APISIX emulator (test fixture): " + message);
        System.exit(2);
    }
}
