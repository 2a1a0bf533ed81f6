package io.github.jettysqlite.sessions.jmx;

import io.github.jettysqlite.sessions.SessionStoreStatistics;
import org.eclipse.jetty.jmx.ObjectMBean;

/**
 * Gives each store's statistics bean its context as the {@code context} key of its JMX name ({@code _shop}, or
 * {@code ROOT} for the root context), the same on Jetty 12.0 and 12.1. Left to Jetty, the key would be inherited from
 * the beans above it: on 12.1 {@code <server>@<identity hash>/<path>}, which changes with every start, and on 12.0
 * nothing at all, leaving a metrics exporter no stable label. Jetty's {@code MBeanContainer} finds this class by its
 * name when it registers a {@link SessionStoreStatistics}; without jetty-jmx, nothing loads it.
 */
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
        return context.isEmpty() ? "ROOT" : context;
    }
}
