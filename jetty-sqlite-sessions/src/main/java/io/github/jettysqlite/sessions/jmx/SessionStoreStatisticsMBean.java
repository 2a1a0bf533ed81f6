package io.github.jettysqlite.sessions.jmx;

import io.github.jettysqlite.sessions.SessionStoreStatistics;
import org.eclipse.jetty.jmx.ObjectMBean;

/**
 * Gives each store's statistics bean its context in the {@code context} key of its JMX name: the canonical path
 * ({@code _shop}, or {@code ROOT} for the root context), which Jetty 12.0 uses as the whole key and Jetty 12.1 puts
 * last, after the names of the beans above it ({@code <server>@<identity hash>/_shop/_shop}). Left to Jetty, 12.0
 * would give the bean no context at all and 12.1 only the part that changes with every start, leaving a metrics
 * exporter no stable label. Two contexts with one path on different virtual hosts share the key (their {@code id}
 * tells them apart). Jetty's {@code MBeanContainer} finds this class by its
 * name when it registers a {@link SessionStoreStatistics}; without jetty-jmx, nothing loads it.
 */
// Extends Jetty's ObjectMBean, from a module this one requires only statically: whoever loads this class has it.
@SuppressWarnings("exports")
public class SessionStoreStatisticsMBean extends ObjectMBean {
    public SessionStoreStatisticsMBean(Object managedObject) {
        super(managedObject);
    }

    @Override
    public String getObjectContextBasis() {
        String context = ((SessionStoreStatistics) getManagedObject()).getContext();
        if (context == null) {
            return super.getObjectContextBasis();
        }
        // Jetty's canonical form of a server's root context "/" is "_" (no other path beginning with "/" gives it: the
        // form keeps the length); "" is the context of a store used without a server.
        return context.isEmpty() || context.equals("_") ? "ROOT" : context;
    }
}
