package io.github.jettysqlite.sessions.internal.attributes;

import java.io.ObjectInputFilter;
import java.io.ObjectInputFilter.Status;

/**
 * The {@link ObjectInputFilter} every attribute blob is read through, so that a planted or tampered row cannot
 * run a gadget chain or exhaust memory while Jetty loads a session.
 *
 * <p>The default bounds the shape of the object graph generously enough for any real session (attributes up to
 * tens of MiB) and rejects the class families used by published Java deserialization gadget chains, none of which
 * a session attribute has a reason to hold. Classes the pattern does not name stay allowed, because a session holds
 * the webapp's own classes, which no fixed allow-list can know.
 */
public final class DeserializationFilter {
    public static final String DEFAULT_PATTERN = String.join(
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
            "!javassist.**",
            // Further families from the public ysoserial and marshalsec chain lists.
            "!org.apache.commons.collections.keyvalue.TiedMapEntry",
            "!org.apache.commons.collections.map.LazyMap",
            "!org.apache.commons.collections4.keyvalue.TiedMapEntry",
            "!org.apache.commons.collections4.map.LazyMap",
            "!org.apache.commons.collections4.comparators.TransformingComparator",
            "!org.apache.commons.io.output.DeferredFileOutputStream",
            "!org.apache.tomcat.util.http.fileupload.disk.DiskFileItem",
            "!org.apache.myfaces.view.facelets.el.ValueExpressionMethodExpression",
            "!org.springframework.transaction.jta.JtaTransactionManager",
            "!org.springframework.jndi.**",
            "!org.apache.click.control.Column*",
            "!com.vaadin.data.util.NestedMethodProperty",
            "!com.vaadin.data.util.PropertysetItem",
            "!org.aspectj.weaver.tools.cache.SimpleCache*",
            "!org.jboss.interceptor.**",
            "!org.jboss.weld.interceptor.**",
            "!org.hibernate.engine.spi.TypedValue",
            "!org.apache.xbean.naming.**",
            "!com.caucho.naming.**",
            "!org.apache.wicket.util.io.DeferredFileOutputStream",
            "!com.sun.org.apache.bcel.internal.util.ClassLoader",
            "!com.sun.org.apache.xpath.internal.objects.*",
            "!org.apache.xpath.objects.*",
            "!java.beans.beancontext.*",
            "!javax.swing.**",
            "!sun.swing.**",
            "!com.sun.corba.**",
            "!org.apache.commons.configuration.**",
            "!org.apache.commons.dbcp.**",
            "!org.apache.commons.dbcp2.**",
            "!org.apache.tomcat.dbcp.**");

    private DeserializationFilter() {}

    /**
     * The filter, plus two bounds the JDK's limits cannot express. An array's declared length must fit in the bytes
     * the stream has left: Java allocates an array from its declared length before reading a single element, so
     * without this a blob of a few hundred bytes can declare nested arrays of millions of elements each (all within
     * {@code maxarray}) and make every load of that row allocate gigabytes. A primitive array's elements are all in
     * the stream, and a hash table's buckets are a small multiple of the entries that follow ({@link #mostElements}),
     * so a longer array than the rest of the stream could account for is a lie.
     * And since nested arrays left unfinished could each claim the whole remainder, the heap all the stream's arrays
     * declare together is bounded too, at {@value #HEAP_PER_STREAM_BYTE} times the stream's length (plus a MiB):
     * generous for any real attribute, whose arrays hold what the stream carries. Collections that size their tables
     * from a stored count (HashMap, ArrayList, ...) ask the filter the same way.
     */
    public static ObjectInputFilter boundedBy(ObjectInputFilter filter, long streamLength) {
        return boundedBy(filter, streamLength, HeapBudget.forBytes(streamLength));
    }

    /**
     * As above, with the heap bound shared by every stream of one row: a row's attributes together may declare at
     * most {@value #HEAP_PER_STREAM_BYTE} bytes of arrays per byte of the row (plus one MiB), however many attributes
     * it splits into, so a row of many tiny attributes gets no more than one row of their total size.
     */
    public static ObjectInputFilter boundedBy(ObjectInputFilter filter, long streamLength, HeapBudget budget) {
        return info -> {
            long length = info.arrayLength();
            if (length >= 0) {
                if (length > mostElements(info.serialClass(), streamLength - info.streamBytes())) {
                    return Status.REJECTED;
                }
                if (!budget.declare(length * heapBytes(info.serialClass()))) {
                    return Status.REJECTED;
                }
            }
            return filter.checkInput(info);
        };
    }

    /** The heap the arrays of one row (or one stream) may declare, shared by every stream read against it. */
    public static final class HeapBudget {
        private final long bound;
        private long declared;

        private HeapBudget(long bound) {
            this.bound = bound;
        }

        /** {@value #HEAP_PER_STREAM_BYTE} bytes per byte of the row or stream, plus one MiB. */
        public static HeapBudget forBytes(long bytes) {
            return new HeapBudget(HEAP_PER_STREAM_BYTE * bytes + (1L << 20));
        }

        /** Counts an array's heap; false once the total passes the bound. */
        boolean declare(long heap) {
            declared += heap;
            return declared <= bound;
        }
    }

    /**
     * The most elements an honest array of this class can declare with this many stream bytes left. A primitive
     * array's elements are all in the stream, each its full width. An array of references may be a hash table's
     * buckets, which are sized ahead of the entries that follow: a HashMap of one entry asks for 16, a HashSet read
     * with a small load factor for up to eight per element, and an entry takes at least one byte; so up to
     * {@value #BUCKETS_PER_STREAM_BYTE} per byte left, plus {@value #MIN_TABLE}. The heap bound below still caps
     * what all of them declare together.
     */
    private static long mostElements(Class<?> arrayClass, long bytesLeft) {
        Class<?> element = arrayClass == null ? null : arrayClass.getComponentType();
        if (element != null && element.isPrimitive()) {
            return bytesLeft / elementBytes(arrayClass);
        }
        return BUCKETS_PER_STREAM_BYTE * bytesLeft + MIN_TABLE;
    }

    private static final int BUCKETS_PER_STREAM_BYTE = 8;
    private static final int MIN_TABLE = 16;

    /** How many bytes of heap every byte of a stream may declare in arrays, all of them together. */
    public static final int HEAP_PER_STREAM_BYTE = 16;

    /** The heap one element of an array of this class takes: its width, or a reference's at most. */
    private static int heapBytes(Class<?> arrayClass) {
        Class<?> element = arrayClass == null ? null : arrayClass.getComponentType();
        if (element == null || !element.isPrimitive()) {
            return 8;
        }
        return elementBytes(arrayClass);
    }

    /** The fewest stream bytes one element of an array of this class takes. */
    private static int elementBytes(Class<?> arrayClass) {
        Class<?> element = arrayClass == null ? null : arrayClass.getComponentType();
        if (element == long.class || element == double.class) {
            return 8;
        }
        if (element == int.class || element == float.class) {
            return 4;
        }
        if (element == short.class || element == char.class) {
            return 2;
        }
        return 1;
    }

    /**
     * True when reading a pattern's filter can never refuse a lone string, number, boolean or byte array of a few
     * MiB: it is the default pattern, and neither a JVM-wide filter nor a filter factory adds to it. Such values may
     * then be read without an object stream (see {@code CommonValues}); under any other filter only strings are,
     * which an object stream never shows a filter either.
     */
    public static boolean allowsCommonValues(String pattern) {
        return DEFAULT_PATTERN.equals(pattern)
                && ObjectInputFilter.Config.getSerialFilter() == null
                && ObjectInputFilter.Config.getSerialFilterFactory()
                        .getClass()
                        .getName()
                        .startsWith(ObjectInputFilter.Config.class.getName());
    }

    /**
     * Builds the filter from a pattern in the JDK's {@code jdk.serialFilter} syntax, merged with the JVM-wide
     * filter when one is set (which is asked every time, as the JDK would), so that configuring this store never
     * weakens a filter the operator set for the JVM.
     *
     * @throws IllegalArgumentException naming the fault when the pattern is malformed
     */
    public static ObjectInputFilter create(String pattern) {
        if (pattern == null || pattern.isBlank()) {
            throw new IllegalArgumentException(
                    "deserializationFilter must not be empty; use \"*\" to allow every class deliberately");
        }
        ObjectInputFilter configured = PatternFilter.of(pattern);
        ObjectInputFilter jvmWide = ObjectInputFilter.Config.getSerialFilter();
        return jvmWide == null ? configured : ObjectInputFilter.merge(configured, jvmWide);
    }
}
