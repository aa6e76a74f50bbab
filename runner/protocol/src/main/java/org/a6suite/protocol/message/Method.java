package org.a6suite.protocol.message;

/** A6 {@code Method}, wire values 0..14 in declaration order. */
public enum Method {
    GET,
    HEAD,
    POST,
    PUT,
    DELETE,
    MKCOL,
    COPY,
    MOVE,
    OPTIONS,
    PROPFIND,
    PROPPATCH,
    LOCK,
    UNLOCK,
    PATCH,
    TRACE
}
