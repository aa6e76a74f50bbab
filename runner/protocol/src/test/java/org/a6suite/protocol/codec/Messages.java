package org.a6suite.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.a6suite.protocol.message.A6Message;

/** Message equality for tests: the records hold byte arrays, whose {@code equals} is identity. */
final class Messages {
    private Messages() {
    }

    static void assertSameMessage(A6Message actual, A6Message expected) {
        assertThat(actual).isInstanceOf(expected.getClass());
        assertThat(actual).usingRecursiveComparison().isEqualTo(expected);
    }
}
