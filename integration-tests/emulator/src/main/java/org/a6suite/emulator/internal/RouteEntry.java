package org.a6suite.emulator.internal;

import org.a6suite.emulator.EmulatorRoute;
import org.a6suite.emulator.ExtPluginConf.Phase;

/**
 * A route as APISIX's router holds it. {@code confType#confId#plugin#confVersion} is the PrepareConf key
 * ({@code route#1#ext-plugin-pre-req#42}, or {@code route&service#1&2#...#42&40} when a service is merged in).
 */
record RouteEntry(
        EmulatorRoute route,
        String confType,
        String confId,
        String confVersion,
        RoundRobinBalancer balancer,
        boolean fromEtcd,
        String healthName) {

    /** The PrepareConf key of this route's {@code phase} plugin. */
    String confKey(Phase phase) {
        return confType + "#" + confId + "#" + phase.pluginName() + "#" + confVersion;
    }
}
