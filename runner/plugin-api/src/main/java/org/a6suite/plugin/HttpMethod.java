package org.a6suite.plugin;

/** The request methods APISIX can send (A6 {@code Method}); APISIX cannot encode any other method. */
public enum HttpMethod {
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
