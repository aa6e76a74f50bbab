package org.a6suite.optimizer.leader;

import static java.util.Objects.requireNonNull;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.election.LeaderKey;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.a6suite.optimizer.etcd.Etcd;
import org.a6suite.optimizer.writer.Fence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election through etcd's election API. Every replica campaigns with a lease of {@code ttl}; the winner holds
 * the election key while its lease lives. If the leader dies its lease expires within one TTL and the next campaign
 * in line wins. A replica that loses its lease (keep-alive failed) stops leading at once and campaigns again.
 *
 * <p>Only the leader applies changes, and every write carries a {@link Fence} (the election key and its create
 * revision) checked inside the write's transaction: a deposed leader that has not noticed yet cannot write.
 */
public final class LeaderElector implements Leadership, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaderElector.class);
    private static final Duration RETRY = Duration.ofMillis(500);

    private final Client client;
    private final String electionName;
    private final String candidateId;
    private final Duration ttl;
    private final ScheduledExecutorService scheduler;

    private final Object lock = new Object();
    private long term;
    private long leaseId;
    private CloseableClient keepAlive;
    private volatile LeaderKey leaderKey;
    private volatile boolean closed;

    public LeaderElector(
            Client client, String electionName, String candidateId, Duration ttl, ScheduledExecutorService scheduler) {
        this.client = requireNonNull(client, "client");
        this.electionName = requireNonNull(electionName, "electionName");
        this.candidateId = requireNonNull(candidateId, "candidateId");
        this.ttl = requireNonNull(ttl, "ttl");
        if (ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: >= 1 s)");
        }
        this.scheduler = requireNonNull(scheduler, "scheduler");
    }

    /** Starts campaigning in the background. */
    public void start() {
        scheduler.execute(this::campaign);
    }

    @Override
    public boolean isLeader() {
        return leaderKey != null;
    }

    public String candidateId() {
        return candidateId;
    }

    /** The fence to put in writes while leading. */
    @Override
    public Optional<Fence> fence() {
        LeaderKey k = leaderKey;
        return k == null ? Optional.empty() : Optional.of(new Fence(Etcd.string(k.getKey()), k.getRevision()));
    }

    /** Who leads now, as etcd says (any replica can ask). */
    @Override
    public Optional<String> currentLeader() {
        try {
            var r = client.getElectionClient().leader(Etcd.bytes(electionName)).get(2, TimeUnit.SECONDS);
            return Optional.of(Etcd.string(r.getKv().getValue()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (Exception e) {
            return Optional.empty(); // no leader, or etcd unreachable
        }
    }

    private void campaign() {
        long myTerm;
        synchronized (lock) {
            if (closed) {
                return;
            }
            myTerm = ++term;
        }
        try {
            long lease = client.getLeaseClient()
                    .grant(ttl.toSeconds())
                    .get(5, TimeUnit.SECONDS)
                    .getID();
            CloseableClient ka = client.getLeaseClient().keepAlive(lease, new StreamObserver<>() {
                @Override
                public void onNext(LeaseKeepAliveResponse value) {
                    if (value.getTTL() <= 0) {
                        lost(myTerm, "lease expired");
                    }
                }

                @Override
                public void onError(Throwable t) {
                    lost(myTerm, "keep-alive failed: " + t);
                }

                @Override
                public void onCompleted() {
                    lost(myTerm, "keep-alive completed");
                }
            });
            boolean stale;
            synchronized (lock) {
                stale = closed || myTerm != term;
                if (!stale) {
                    leaseId = lease;
                    keepAlive = ka;
                }
            }
            if (stale) {
                ka.close();
                return;
            }
            // Blocks (asynchronously) until this candidate wins.
            client.getElectionClient()
                    .campaign(Etcd.bytes(electionName), lease, Etcd.bytes(candidateId))
                    .whenComplete((response, error) -> {
                        Runnable cleanup = () -> {};
                        synchronized (lock) {
                            if (closed || myTerm != term) {
                                return;
                            }
                            if (error != null) {
                                cleanup = retry("campaign failed: " + error);
                            } else {
                                leaderKey = response.getLeader();
                                log.info("{} is now the optimizer leader (lease {})", candidateId, leaseId);
                            }
                        }
                        cleanup.run();
                    });
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            Runnable cleanup = () -> {};
            synchronized (lock) {
                if (!closed && myTerm == term) {
                    cleanup = retry("campaign setup failed: " + e);
                }
            }
            cleanup.run();
        }
    }

    private void lost(long myTerm, String why) {
        Runnable cleanup;
        synchronized (lock) {
            if (closed || myTerm != term) {
                return;
            }
            cleanup = retry(why);
        }
        cleanup.run();
    }

    /**
     * Drops leadership of this term and schedules a new campaign; the caller holds {@code lock}. Returns the clean-up
     * (close the keep-alive, revoke the old lease) to run after releasing it: jetcd calls our observers while holding
     * its own locks, so calling jetcd under ours could deadlock.
     */
    private Runnable retry(String why) {
        if (leaderKey != null) {
            log.warn("{} stops leading: {}", candidateId, why);
        } else {
            log.info("{} campaigns again: {}", candidateId, why);
        }
        leaderKey = null;
        term++;
        CloseableClient ka = keepAlive;
        keepAlive = null;
        long old = leaseId;
        leaseId = 0;
        try {
            scheduler.schedule(this::campaign, RETRY.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("scheduler stopped: not campaigning again");
        }
        return () -> {
            if (ka != null) {
                ka.close();
            }
            if (old != 0) {
                // Our old election key would otherwise stand in front of our new campaign until the lease expires.
                try {
                    client.getLeaseClient().revoke(old).exceptionally(e -> null);
                } catch (RuntimeException e) {
                    log.debug("revoke of lease {} failed: {}", old, e.toString());
                }
            }
        };
    }

    /** Resigns (if leading) and revokes the lease so another replica takes over at once. */
    @Override
    public void close() {
        LeaderKey key;
        long lease;
        CloseableClient ka;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            term++;
            key = leaderKey;
            leaderKey = null;
            lease = leaseId;
            ka = keepAlive;
            keepAlive = null;
        }
        if (ka != null) {
            ka.close();
        }
        try {
            if (key != null) {
                client.getElectionClient().resign(key).get(2, TimeUnit.SECONDS);
            }
            if (lease != 0) {
                client.getLeaseClient().revoke(lease).get(2, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("resign/revoke on close failed (the lease expires anyway): {}", e.toString());
        }
    }
}
