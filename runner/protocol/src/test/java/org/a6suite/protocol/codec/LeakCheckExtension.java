package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reports a ByteBuf leak. The surefire run sets
 * {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is tracked; after the class, garbage is collected
 * and a few buffers are allocated, which is when Netty reports collected-but-unreleased buffers to the listener.
 */
final class LeakCheckExtension implements BeforeAllCallback, AfterAllCallback {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean installed;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        install();
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        for (int round = 0; round < 5 && LEAKS.isEmpty(); round++) {
            System.gc();
            System.runFinalization();
            // Leak reports are drained when a new tracked buffer is created.
            for (int i = 0; i < 64; i++) {
                UnpooledByteBufAllocator.DEFAULT.directBuffer(8).release();
                PooledByteBufAllocator.DEFAULT.directBuffer(8).release();
                UnpooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
            }
            Thread.sleep(20);
        }
        assertThat(LEAKS).as("ByteBuf leaks reported by Netty").isEmpty();
    }

    private static synchronized void install() throws ReflectiveOperationException {
        if (installed) {
            return;
        }
        assertThat(ResourceLeakDetector.getLevel())
                .as("run with -Dio.netty.leakDetection.level=paranoid")
                .isEqualTo(ResourceLeakDetector.Level.PARANOID);
        Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
        field.setAccessible(true);
        @SuppressWarnings("unchecked")
        ResourceLeakDetector<ByteBuf> detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
        detector.setLeakListener((type, records) -> LEAKS.add(type + ": " + records));
        installed = true;
    }
}
