package org.a6suite.runner.plugins;

import static java.util.Objects.requireNonNull;

import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import org.a6suite.plugin.IoLoops;

/** The runner's epoll event loops as plugins see them ({@link org.a6suite.plugin.PluginEnvironment#ioLoops()}). */
public final class NettyIoLoops implements IoLoops {

    private final EventLoopGroup group;
    /** The group's loops, listed once: {@link #current()} runs per request and must not allocate an iterator. */
    private final EventExecutor[] loops;

    public NettyIoLoops(EventLoopGroup group) {
        this.group = requireNonNull(group, "group");
        List<EventExecutor> all = new ArrayList<>();
        group.forEach(all::add);
        this.loops = all.toArray(EventExecutor[]::new);
    }

    @Override
    public Optional<ScheduledExecutorService> current() {
        for (EventExecutor loop : loops) {
            if (loop.inEventLoop()) {
                return Optional.of(loop);
            }
        }
        return Optional.empty();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        requireNonNull(type, "type");
        return type.isInstance(group) ? Optional.of(type.cast(group)) : Optional.empty();
    }
}
