package io.github.jettysqlite.sessions.spring;

import io.github.jettysqlite.sessions.SessionTableDataStoreFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.List;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.session.AbstractSessionManager;
import org.eclipse.jetty.session.FileSessionDataStore;
import org.eclipse.jetty.session.SessionCache;
import org.eclipse.jetty.session.SessionCacheFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.beans.factory.support.RootBeanDefinition;

/**
 * Registers a Jetty server customizer that adds the session store's factory, and with it the session cache's, to
 * Boot's Jetty {@link Server}, and takes back from Boot the session caches it set on its contexts itself. Boot applies
 * every bean of its {@code JettyServerCustomizer} type, which lives in {@code org.springframework.boot.jetty} since
 * Boot 4.0 and in {@code org.springframework.boot.web.embedded.jetty} before: the bean implements whichever this
 * application has, so one starter serves both without compiling against either.
 */
final class JettyServerCustomizerRegistrar implements BeanDefinitionRegistryPostProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(JettyServerCustomizerRegistrar.class);
    static final String BEAN_NAME = "jettySessionStoreServerCustomizer";

    private static final List<String> CUSTOMIZER_TYPES = List.of(
            "org.springframework.boot.jetty.JettyServerCustomizer",
            "org.springframework.boot.web.embedded.jetty.JettyServerCustomizer");

    @Override
    public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
        Class<?> type = customizerType();
        if (type == null || !(registry instanceof ListableBeanFactory beans)) {
            return;
        }
        registry.registerBeanDefinition(BEAN_NAME, definition(type, beans));
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {}

    @SuppressWarnings("unchecked")
    private static <T> RootBeanDefinition definition(Class<T> type, ListableBeanFactory beans) {
        return new RootBeanDefinition(type, () -> (T) customizer(type, beans));
    }

    /**
     * A customizer of Boot's type that puts the store's factory bean, if the application has one, on the server, and
     * the cache's factory bean beside it (a cache of this library needs a store of it beneath).
     */
    private static Object customizer(Class<?> type, ListableBeanFactory beans) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "customize" -> {
                Server server = (Server) args[0];
                beans.getBeanProvider(SessionTableDataStoreFactory.class).ifAvailable(factory -> {
                    server.addBean(factory);
                    beans.getBeanProvider(SessionCacheFactory.class).ifAvailable(server::addBean);
                    takeOverPersistentSessions(server);
                    beans.getBeanProvider(StoreOnJettyCheck.class).ifAvailable(check -> check.addedToJetty(server));
                });
                yield null;
            }
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "jetty-sqlite-sessions session store customizer";
            default -> throw new UnsupportedOperationException(method.toString());
        };
        return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    /**
     * With {@code server.servlet.session.persistent=true} (which Spring Boot DevTools sets), Boot gives each context a
     * {@code DefaultSessionCache} over a {@code FileSessionDataStore} of its own, and a session manager that has a
     * cache never asks the server's factories: the store configured here would be bypassed without a word. Boot
     * configures the contexts before it runs the server customizers, so the cache can be taken away here, before the
     * server starts; each session manager then builds its cache and store from the factories put on the server above.
     * Sessions survive a restart all the same, in the store.
     */
    private static void takeOverPersistentSessions(Server server) {
        for (AbstractSessionManager manager : server.getContainedBeans(AbstractSessionManager.class)) {
            SessionCache preset = manager.getSessionCache();
            if (preset != null && preset.getSessionDataStore() instanceof FileSessionDataStore files) {
                LOG.info(
                        "server.servlet.session.persistent=true (Spring Boot DevTools sets it) would keep sessions in"
                                + " {}; they go to the jetty-sqlite-sessions store instead",
                        files.getStoreDir());
                manager.setSessionCache(null);
            }
        }
    }

    private static Class<?> customizerType() {
        for (String name : CUSTOMIZER_TYPES) {
            try {
                return Class.forName(name, false, JettyServerCustomizerRegistrar.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                // not this Boot
            }
        }
        return null;
    }
}
