package org.a6suite.bench;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.a6suite.protocol.codec.A6MessageCodec;
import org.a6suite.protocol.codec.DecodeResult;
import org.a6suite.protocol.codec.Side;
import org.a6suite.protocol.message.ExtraInfoRequest;
import org.a6suite.protocol.message.PrepareConfResponse;

/**
 * Closed-loop load driver that plays APISIX against a runner: one PrepareConf on its own connection, then per
 * connection a sequential loop of HTTPReqCalls (HTTPRespCalls for {@code postresp}; one RPC in flight per
 * connection, as APISIX does), answering the
 * runner's ExtraInfo requests. Prints one JSON line with throughput and latency percentiles.
 *
 * <p>Usage: {@code A6LoadDriver --socket PATH --target ours|ours-sdk|official|echo --workload noop|vars|body|postresp
 * --connections N [--warmup 3] [--seconds 10] [--server-pid PID --clock-ticks HZ]}
 *
 * <p>With {@code --server-pid}, the server process's CPU time (user + system, all threads, from {@code
 * /proc/PID/stat}) is read when measurement starts and when it ends, so {@code server_cpu_measured_s} covers exactly
 * the measured window: the steady-state cost per call, without the JIT compilation and class loading that a fresh
 * server does in its first seconds (which a per-point figure over warm-up charges to whichever point comes first).
 * The same window's user and system time and each thread group's share ({@link ProcessCpu}) say where it went.
 */
public final class A6LoadDriver {

    private final Path socket;
    private final Workload.Target target;
    private final Workload workload;
    private final int connections;
    private final long warmupNanos;
    private final long measureNanos;
    private final ProcessCpu server;
    private final double clockTicks;

    private A6LoadDriver(Map<String, String> args) {
        this.socket = Path.of(required(args, "socket"));
        this.target = Workload.Target.valueOf(
                required(args, "target").toUpperCase(Locale.ROOT).replace('-', '_'));
        this.workload = Workload.valueOf(required(args, "workload").toUpperCase(Locale.ROOT));
        this.connections = Integer.parseInt(args.getOrDefault("connections", "1"));
        this.warmupNanos = (long) (Double.parseDouble(args.getOrDefault("warmup", "3")) * 1e9);
        this.measureNanos = (long) (Double.parseDouble(args.getOrDefault("seconds", "10")) * 1e9);
        String pid = args.get("server-pid");
        this.server = pid == null ? null : new ProcessCpu(pid);
        this.clockTicks = Double.parseDouble(args.getOrDefault("clock-ticks", "100"));
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        System.out.println(new A6LoadDriver(args).run());
    }

    private static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + ": missing (expected: see class Javadoc)");
        }
        return v;
    }

    String run() throws Exception {
        long token = prepare();
        byte[] call = Frames.call(workload, token);
        Map<String, byte[]> varAnswers = new HashMap<>();
        for (String v : List.of("remote_addr", "server_port", "route_id")) {
            varAnswers.put(v, Frames.answer(new ExtraInfoRequest.Var(v)));
        }
        byte[] bodyAnswer = Frames.answer(ExtraInfoRequest.ReqBody.INSTANCE);

        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        List<Histogram> histograms = new ArrayList<>();
        LongAdder errors = new LongAdder();
        LongAdder allCalls = new LongAdder();
        CountDownLatch done = new CountDownLatch(connections);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            Histogram h = new Histogram(60_000_000_000L, 3);
            histograms.add(h);
            threads.add(Thread.ofPlatform().name("driver-" + c).start(() -> {
                try {
                    loop(call, varAnswers, bodyAnswer, measureFrom, end, h, errors, allCalls);
                } finally {
                    done.countDown();
                }
            }));
        }
        String cpuMeasured = "";
        if (server != null) {
            sleepUntil(measureFrom);
            ProcessCpu.Snapshot before = server.read();
            sleepUntil(end);
            ProcessCpu.Snapshot after = server.read();
            cpuMeasured = String.format(
                    Locale.ROOT,
                    ",\"server_cpu_measured_s\":%.3f,%s",
                    (after.totalTicks() - before.totalTicks()) / clockTicks,
                    after.jsonSince(before, clockTicks));
        }
        done.await();
        Histogram all = new Histogram(60_000_000_000L, 3);
        histograms.forEach(all::add);
        double seconds = measureNanos / 1e9;
        return String.format(
                Locale.ROOT,
                "{\"target\":\"%s\",\"workload\":\"%s\",\"connections\":%d,\"calls\":%d,\"all_calls\":%d,"
                        + "\"errors\":%d,\"calls_per_s\":%.0f,\"p50_us\":%.1f,\"p99_us\":%.1f,\"p999_us\":%.1f%s}",
                target.name().toLowerCase(Locale.ROOT).replace('_', '-'),
                workload.name().toLowerCase(Locale.ROOT),
                connections,
                all.getTotalCount(),
                allCalls.sum(),
                errors.sum(),
                all.getTotalCount() / seconds,
                all.getValueAtPercentile(50) / 1e3,
                all.getValueAtPercentile(99) / 1e3,
                all.getValueAtPercentile(99.9) / 1e3,
                cpuMeasured);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    private long prepare() throws IOException {
        // PrepareConf on its own connection, as APISIX does; the official runner answers twice, so the connection
        // is closed afterwards instead of being reused (APISIX's pool drops it for the unread bytes too).
        try (SocketChannel ch = open()) {
            FrameIo io = new FrameIo(ch);
            io.write(Frames.prepareConf(workload.pluginName(target)));
            FrameIo.Frame f = io.read();
            if (f.type() != 1) {
                throw new IOException("PrepareConf failed: reply type " + f.type());
            }
            DecodeResult r = A6MessageCodec.decode(f.type(), f.payload(), Side.APISIX);
            if (r instanceof DecodeResult.Decoded(PrepareConfResponse resp)) {
                return resp.confToken();
            }
            throw new IOException("PrepareConf reply not understood: " + r);
        }
    }

    private SocketChannel open() throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return ch;
    }

    private void loop(
            byte[] call,
            Map<String, byte[]> varAnswers,
            byte[] bodyAnswer,
            long measureFrom,
            long end,
            Histogram histogram,
            LongAdder errors,
            LongAdder allCalls) {
        SocketChannel ch = null;
        try {
            while (System.nanoTime() < end) {
                if (ch == null) {
                    ch = open();
                }
                FrameIo io = new FrameIo(ch);
                long t0 = System.nanoTime();
                boolean ok;
                try {
                    ok = oneCall(io, call, varAnswers, bodyAnswer);
                } catch (IOException e) {
                    ok = false;
                    ch.close();
                    ch = null;
                }
                long t1 = System.nanoTime();
                if (!ok) {
                    errors.increment();
                    continue;
                }
                allCalls.increment();
                if (t0 >= measureFrom && t1 <= end) {
                    histogram.recordValue(t1 - t0);
                }
            }
        } catch (IOException e) {
            errors.increment();
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // closing after the run; nothing to report
                }
            }
        }
    }

    private boolean oneCall(FrameIo io, byte[] call, Map<String, byte[]> varAnswers, byte[] bodyAnswer)
            throws IOException {
        io.write(ByteBuffer.wrap(call));
        while (true) {
            FrameIo.Frame f = io.read();
            switch (f.type()) {
                case 2, 4 -> {
                    return true;
                }
                case 3 -> {
                    DecodeResult r = A6MessageCodec.decode(3, f.payload(), Side.APISIX);
                    if (!(r instanceof DecodeResult.Decoded(ExtraInfoRequest req))) {
                        return false;
                    }
                    byte[] answer = switch (req.info()) {
                        case ExtraInfoRequest.Var v ->
                            varAnswers.getOrDefault(v.name(), Frames.answer(new ExtraInfoRequest.Var(v.name())));
                        case ExtraInfoRequest.ReqBody b -> bodyAnswer;
                        case ExtraInfoRequest.RespBody b -> Frames.answer(b);
                    };
                    io.write(ByteBuffer.wrap(answer));
                }
                default -> {
                    return false;
                }
            }
        }
    }
}
