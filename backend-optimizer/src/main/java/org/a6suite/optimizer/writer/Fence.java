package org.a6suite.optimizer.writer;

/**
 * Proof of leadership checked inside the write transaction: the election key must still exist with the create
 * revision it had when this replica won. A deposed leader's writes fail instead of racing the new leader's.
 */
public record Fence(String key, long createRevision) {}
