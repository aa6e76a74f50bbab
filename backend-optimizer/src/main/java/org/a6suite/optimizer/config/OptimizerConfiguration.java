package org.a6suite.optimizer.config;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.InetAddress;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.etcd.EtcdMirror;
import org.a6suite.optimizer.leader.LeaderElector;
import org.a6suite.optimizer.leader.Leadership;
import org.a6suite.optimizer.service.OptimizerService;
import org.a6suite.optimizer.service.OptimizerState;
import org.a6suite.optimizer.writer.UpstreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires the optimizer's parts from {@link OptimizerProperties}. */
@Configuration(proxyBeanMethods = false)
public class OptimizerConfiguration {

    private static final int MAX_INBOUND_BYTES = 64 * 1024 * 1024;
    private static final Logger log = LoggerFactory.getLogger(OptimizerConfiguration.class);

    @Bean
    Clock optimizerClock() {
        return Clock.systemUTC();
    }

    @Bean(destroyMethod = "close")
    Client etcdClient(OptimizerProperties properties) {
        OptimizerProperties.Etcd etcd = properties.etcd();
        ClientBuilder builder = Client.builder()
                .endpoints(etcd.endpoints().toArray(String[]::new))
                .connectTimeout(etcd.connectTimeout())
                // A watch response may batch several health documents of up to 1.5 MiB each.
                .maxInboundMessageSize(MAX_INBOUND_BYTES);
        if (etcd.user() != null) {
            builder.user(Etcd.bytes(etcd.user())).password(Etcd.bytes(etcd.password()));
        }
        if (etcd.caFile() != null || etcd.certFile() != null) {
            try {
                SslContextBuilder ssl = GrpcSslContexts.forClient();
                if (etcd.caFile() != null) {
                    ssl.trustManager(new File(etcd.caFile()));
                }
                if (etcd.certFile() != null) {
                    ssl.keyManager(new File(etcd.certFile()), new File(etcd.keyFile()));
                }
                builder.sslContext(ssl.build());
            } catch (Exception e) {
                throw new IllegalArgumentException(
                        "a6.optimizer.etcd.ca-file: " + etcd.caFile()
                                + " (expected: readable PEM files for ca-file / cert-file / key-file: " + e.getMessage()
                                + ")",
                        e);
            }
        }
        return builder.build();
    }

    @Bean(destroyMethod = "shutdownNow")
    @Qualifier("optimizerScheduler")
    ScheduledExecutorService optimizerScheduler() {
        AtomicInteger n = new AtomicInteger();
        return Executors.newScheduledThreadPool(3, r -> {
            Thread t = new Thread(r, "a6-optimizer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Pings etcd every second (1 s timeout); health counts it reachable for 3 s after the last answer. */
    @Bean(destroyMethod = "close")
    EtcdProbe etcdProbe(
            Client client,
            OptimizerProperties properties,
            Clock clock,
            @Qualifier("optimizerScheduler") ScheduledExecutorService scheduler) {
        return new EtcdProbe(
                        client.getKVClient(),
                        Etcd.bytes(Etcd.dir(properties.statePrefix()) + "ping"),
                        clock,
                        scheduler,
                        java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofSeconds(3))
                .start();
    }

    @Bean(destroyMethod = "close")
    EtcdMirror etcdMirror(
            Client client,
            OptimizerProperties properties,
            Clock clock,
            MeterRegistry meters,
            @Qualifier("optimizerScheduler") ScheduledExecutorService scheduler) {
        EtcdMirror mirror = new EtcdMirror(
                client,
                properties.apisixPrefix(),
                properties.healthPrefix(),
                properties.statePrefix(),
                clock,
                meters,
                scheduler);
        mirror.start();
        return mirror;
    }

    @Bean
    Leadership leadership(
            Client client,
            OptimizerProperties properties,
            @Qualifier("optimizerScheduler") ScheduledExecutorService scheduler) {
        String id =
                properties.leader().replicaId() != null ? properties.leader().replicaId() : defaultReplicaId();
        if (!properties.leader().enabled()) {
            log.info("leader election off: {} applies changes alone", id);
            return Leadership.solo(id);
        }
        LeaderElector elector = new LeaderElector(
                client,
                Etcd.dir(properties.statePrefix()) + "leader",
                id,
                properties.leader().leaseTtl(),
                scheduler);
        elector.start();
        return elector;
    }

    @Bean
    UpstreamWriter upstreamWriter(Client client, OptimizerProperties properties, Clock clock, MeterRegistry meters) {
        return new UpstreamWriter(
                client,
                properties.apisixPrefix(),
                properties.statePrefix(),
                clock,
                properties.writeAttempts(),
                properties.historyLimit(),
                meters);
    }

    @Bean
    OptimizerState optimizerState(EtcdMirror mirror, Client client, OptimizerProperties properties) {
        return new OptimizerState(mirror, client, properties.basePolicy());
    }

    @Bean
    OptimizerService optimizerService(
            EtcdMirror mirror,
            OptimizerState state,
            UpstreamWriter writer,
            Leadership leadership,
            Clock clock,
            OptimizerProperties properties,
            MeterRegistry meters,
            @Qualifier("optimizerScheduler") ScheduledExecutorService scheduler) {
        OptimizerService service = new OptimizerService(
                mirror,
                state,
                writer,
                leadership,
                clock,
                properties.healthStaleIntervals(),
                properties.seriesLimit(),
                meters);
        long every = properties.interval().toMillis();
        scheduler.scheduleWithFixedDelay(service::tick, every, every, TimeUnit.MILLISECONDS);
        return service;
    }

    private static String defaultReplicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "optimizer";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
