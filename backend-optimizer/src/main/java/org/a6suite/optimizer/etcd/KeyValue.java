package org.a6suite.optimizer.etcd;

/** One etcd key as the optimizer keeps it: the value (UTF-8) and its {@code mod_revision}. */
public record KeyValue(String key, String value, long modRevision) {}
