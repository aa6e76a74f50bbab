package org.a6suite.runner.plugins;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NettyIoLoopsTest {

    private final EventLoopGroup group =
            new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("test-io", true), EpollIoHandler.newFactory());
    private final NettyIoLoops loops = new NettyIoLoops(group);

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void shouldOfferTheCallingLoopAsCurrentOnEachOfItsThreads() throws Exception {
        for (EventExecutor loop : group) {
            Optional<ScheduledExecutorService> current =
                    loop.submit(loops::current).get(5, TimeUnit.SECONDS);

            assertThat(current).containsSame(loop);
        }
    }

    @Test
    void shouldOfferNoCurrentLoopOnAThreadThatIsNotOneOfTheLoops() {
        assertThat(loops.current()).isEmpty();
    }

    @Test
    void shouldUnwrapToTheNettyGroupOnlyWhenAskedForANettyGroup() {
        assertThat(loops.unwrap(EventLoopGroup.class)).containsSame(group);
        assertThat(loops.unwrap(String.class)).isEmpty();
    }
}
