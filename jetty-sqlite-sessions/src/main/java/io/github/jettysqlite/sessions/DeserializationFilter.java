package io.github.jettysqlite.sessions;

import java.io.ObjectInputFilter;

/**
 * The {@link ObjectInputFilter} every attribute blob is read through, so that a planted or tampered row cannot
 * run a gadget chain or exhaust memory while Jetty loads a session.
 *
 * <p>The default bounds the shape of the object graph generously enough for any real session (attributes up to
 * tens of MiB) and rejects the class families used by published Java deserialization gadget chains, none of which
 * a session attribute has a reason to hold. Classes the pattern does not name stay allowed, because a session holds
 * the webapp's own classes, which no fixed allow-list can know.
 */
final class DeserializationFilter {
    static final String DEFAULT_PATTERN = String.join(
            ";",
            "maxdepth=100",
            "maxrefs=1000000",
            "maxarray=16777216",
            "maxbytes=67108864",
            "!org.apache.commons.collections.functors.*",
            "!org.apache.commons.collections4.functors.*",
            "!org.apache.commons.beanutils.BeanComparator",
            "!org.apache.commons.fileupload.disk.DiskFileItem",
            "!org.apache.wicket.util.upload.DiskFileItem",
            "!org.apache.xalan.xsltc.trax.*",
            "!com.sun.org.apache.xalan.internal.xsltc.trax.*",
            "!org.codehaus.groovy.runtime.*",
            "!org.springframework.beans.factory.**",
            "!org.springframework.core.SerializableTypeWrapper*",
            "!org.springframework.aop.**",
            "!com.mchange.v2.c3p0.**",
            "!com.sun.rowset.*",
            "!com.sun.jndi.**",
            "!javax.naming.**",
            "!javax.management.**",
            "!java.rmi.**",
            "!sun.rmi.**",
            "!sun.reflect.annotation.AnnotationInvocationHandler",
            "!java.beans.EventHandler",
            "!javax.script.**",
            "!jdk.nashorn.**",
            "!org.mozilla.javascript.**",
            "!org.python.**",
            "!bsh.**",
            "!clojure.**",
            "!net.sf.json.**",
            "!com.rometools.rome.feed.impl.*",
            "!com.sun.syndication.feed.impl.*",
            "!org.hibernate.property.**",
            "!org.hibernate.tuple.**",
            "!com.alibaba.fastjson.**",
            "!javassist.**");

    private DeserializationFilter() {}

    /**
     * Builds the filter from a pattern in the JDK's {@code jdk.serialFilter} syntax, merged with the JVM-wide
     * filter when one is set, so that configuring this store never weakens a filter the operator set for the JVM.
     *
     * @throws IllegalArgumentException naming the fault when the pattern is malformed
     */
    static ObjectInputFilter create(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException(
                    "deserializationFilter must not be empty; use \"*\" to allow every class deliberately");
        }
        ObjectInputFilter configured = ObjectInputFilter.Config.createFilter(pattern);
        ObjectInputFilter jvmWide = ObjectInputFilter.Config.getSerialFilter();
        return jvmWide == null ? configured : ObjectInputFilter.merge(configured, jvmWide);
    }
}
