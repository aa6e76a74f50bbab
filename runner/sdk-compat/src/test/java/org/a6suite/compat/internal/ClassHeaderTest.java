package org.a6suite.compat.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClassHeaderTest {

    private static byte[] classFile(Class<?> type) throws IOException {
        try (var in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            return in.readAllBytes();
        }
    }

    @Test
    void shouldReadNameSuperclassAndInterfacesWithoutLoading() throws IOException {
        var header = ClassHeader.read(classFile(CompletingChain.class)).orElseThrow();

        assertThat(header.name()).isEqualTo("org/a6suite/compat/internal/CompletingChain");
        assertThat(header.superName()).contains("org/apache/apisix/plugin/runner/filter/PluginFilterChain");
        assertThat(header.isPublicConcreteClass()).isTrue();
        assertThat(header.binaryName()).isEqualTo(CompletingChain.class.getName());
    }

    @Test
    void shouldReadInterfacesAndRecogniseNonConcreteTypes() throws IOException {
        var header = ClassHeader.read(classFile(ClassHeader.class)).orElseThrow();

        assertThat(header.interfaces()).isEmpty();
        assertThat(header.superName()).contains("java/lang/Record");
        try (var in = Runnable.class.getResourceAsStream("Runnable.class")) {
            var runnable = ClassHeader.read(in.readAllBytes()).orElseThrow();
            assertThat(runnable.isPublicConcreteClass()).isFalse();
        }
    }

    @Test
    void shouldRejectTruncatedOrForeignBytes() throws IOException {
        byte[] bytes = classFile(CompletingChain.class);

        assertThat(ClassHeader.read(Arrays.copyOf(bytes, bytes.length / 3))).isEmpty();
        assertThat(ClassHeader.read("PK not a class".getBytes())).isEmpty();
        assertThat(ClassHeader.read(new byte[0])).isEmpty();
    }
}
