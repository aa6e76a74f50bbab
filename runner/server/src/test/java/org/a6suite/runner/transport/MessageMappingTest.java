package org.a6suite.runner.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.a6suite.plugin.HttpMethod;
import org.a6suite.protocol.message.Method;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MessageMappingTest {

    @ParameterizedTest
    @EnumSource(Method.class)
    void shouldMapEveryWireMethodToThePluginMethodOfTheSameName(Method method) {
        assertThat(MessageMapping.method(method).name()).isEqualTo(method.name());
    }

    @ParameterizedTest
    @EnumSource(HttpMethod.class)
    void shouldLeaveNoPluginMethodWithoutAWireMethod(HttpMethod method) {
        // valueOf throws for a name the wire enum lacks.
        assertThat(Method.valueOf(method.name()).name()).isEqualTo(method.name());
    }
}
