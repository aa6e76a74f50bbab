package org.a6suite.protocol.message;

/**
 * What APISIX sends a runner: the messages that start a call and the ExtraInfo answers. A runner's switch over these
 * is exhaustive, with no default branch hiding a message type added later.
 */
public sealed interface FromApisix extends A6Message permits PrepareConfRequest, CallRequest, ExtraInfoResponse {}
