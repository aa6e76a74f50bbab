package org.a6suite.testing.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.GetResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EtcdServerTest {

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Test
    void shouldServePutAndGetAndKeepDataAcrossRestart() throws Exception {
        EtcdServer etcd = EtcdServer.start();
        try (etcd) {
            assertThat(etcd.endpoint()).startsWith("http://127.0.0.1:");
            try (Client client = etcd.newClient()) {
                client.getKVClient().put(bytes("/a6/test/k"), bytes("v1")).get(10, TimeUnit.SECONDS);
                GetResponse got = client.getKVClient().get(bytes("/a6/test/k")).get(10, TimeUnit.SECONDS);
                assertThat(got.getKvs())
                        .singleElement()
                        .satisfies(kv -> assertThat(kv.getValue().toString(StandardCharsets.UTF_8))
                                .isEqualTo("v1"));
            }

            etcd.restart();
            assertThat(etcd.isRunning()).isTrue();

            try (Client client = etcd.newClient()) {
                GetResponse got = client.getKVClient().get(bytes("/a6/test/k")).get(10, TimeUnit.SECONDS);
                assertThat(got.getKvs())
                        .singleElement()
                        .satisfies(kv -> assertThat(kv.getValue().toString(StandardCharsets.UTF_8))
                                .isEqualTo("v1"));
            }
        }
        assertThat(etcd.isRunning()).isFalse();
        assertThat(Files.exists(etcd.dataDir())).isFalse();
    }

    @Test
    void shouldRunTwoServersOnDistinctPorts() {
        try (EtcdServer a = EtcdServer.start();
                EtcdServer b = EtcdServer.start()) {
            assertThat(a.clientPort()).isNotEqualTo(b.clientPort());
            assertThat(a.isRunning()).isTrue();
            assertThat(b.isRunning()).isTrue();
        }
    }

    @Test
    void shouldBeIdempotentOnStopAndClose() {
        EtcdServer etcd = EtcdServer.start();
        etcd.stop();
        etcd.stop();
        assertThat(etcd.isRunning()).isFalse();
        etcd.close();
        etcd.close();
    }
}
