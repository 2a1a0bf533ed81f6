package io.github.jettysqlite.sessions.internal.attributes;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectOutputStream;
import java.util.Objects;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.util.ClassLoadingObjectInputStream;

/**
 * One attribute value to its own Java serialization stream and back, through the webapp's class loader and the
 * deserialization filter.
 *
 * <p>As Jetty's own stores do, each stream first records whether the value's class belongs to the server (it is not
 * the class the webapp's loader would give for that name) or to the webapp, so that reading it back asks the right
 * loader. Runs on the thread Jetty calls the store on, whose context class loader is the webapp's.
 */
public final class AttributeSerializer {
    private static final ClassLoader SERVER_LOADER = SessionData.class.getClassLoader();

    private final ObjectInputFilter filter;
    private final boolean commonValuesBeyondStrings;

    /** A serializer that reads only strings without an object stream; everything else goes through the filter. */
    public AttributeSerializer(ObjectInputFilter filter) {
        this(filter, false);
    }

    /**
     * @param commonValuesBeyondStrings whether numbers, booleans and byte arrays may be read without an object stream
     *     too: only when the filter cannot refuse them (see {@link DeserializationFilter#allowsCommonValues})
     */
    public AttributeSerializer(ObjectInputFilter filter, boolean commonValuesBeyondStrings) {
        this.filter = filter;
        this.commonValuesBeyondStrings = commonValuesBeyondStrings;
    }

    public byte[] serialize(Object value) throws IOException {
        boolean serverClass =
                isServerClass(value.getClass(), Thread.currentThread().getContextClassLoader());
        byte[] common = CommonValues.write(value, serverClass);
        if (common != null) {
            return common;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeBoolean(serverClass);
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    /** Reads one attribute value; every class and array in it passes the filter, bounded by the stream's length. */
    public Object deserialize(byte[] stream) throws IOException, ClassNotFoundException {
        return deserialize(stream, DeserializationFilter.HeapBudget.forBytes(stream.length));
    }

    /**
     * As above, the heap its arrays declare counted against a budget shared with the row's other attributes.
     */
    public Object deserialize(byte[] stream, DeserializationFilter.HeapBudget rowBudget)
            throws IOException, ClassNotFoundException {
        ObjectInputFilter bounded = DeserializationFilter.boundedBy(filter, stream.length, rowBudget);
        Object common = CommonValues.read(stream, bounded, commonValuesBeyondStrings);
        if (common != CommonValues.NOT_COMMON) {
            return common;
        }
        try (ClassLoadingObjectInputStream in = new AttributeObjectInput(new ByteSource(stream))) {
            in.setObjectInputFilter(bounded);
            boolean server = in.readBoolean();
            return in.readObject(server ? SERVER_LOADER : Thread.currentThread().getContextClassLoader());
        }
    }

    /**
     * Reads a row written before the per-attribute layout: Jetty's own stream of the whole map.
     *
     * @param data receives the attributes
     */
    public void deserializeJettyStream(SessionData data, byte[] stream) throws IOException, ClassNotFoundException {
        try (ClassLoadingObjectInputStream in = new AttributeObjectInput(new ByteArrayInputStream(stream))) {
            in.setObjectInputFilter(DeserializationFilter.boundedBy(filter, stream.length));
            SessionData.deserializeAttributes(data, in);
        }
    }

    /**
     * A class is the server's when the webapp's loader does not resolve its name to this very class: it is then read
     * back through the server's loader, whatever the webapp has of the same name.
     */
    private static boolean isServerClass(Class<?> type, ClassLoader webapp) {
        ClassLoader own = type.getClassLoader();
        if (own == webapp) {
            return false;
        }
        if (webapp == null) {
            return true;
        }
        if (own == null && !type.isHidden() && type.getName().startsWith("java.")) {
            // The JVM lets no loader but the JDK's own define a class in a "java." package, so every loader that
            // resolves this name resolves it to this very class. Asking the webapp's loader would only say so again,
            // at the price of a lookup in its tables for every attribute of every write (a twentieth of an update).
            // A hidden class (a lambda the JDK made) has no name any loader resolves: asked, as before.
            return false;
        }
        try {
            return Class.forName(type.getName(), false, webapp) != type;
        } catch (ClassNotFoundException | LinkageError e) {
            return true;
        }
    }

    /**
     * The bytes of one stream, read without the lock {@code ByteArrayInputStream} takes on every call: an object
     * stream reads its input in many small pieces, and this one is only ever read by the thread that made it.
     */
    private static final class ByteSource extends InputStream {
        private final byte[] bytes;
        private int at;

        ByteSource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xFF : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            Objects.checkFromIndexSize(offset, length, into.length);
            if (length == 0) {
                return 0;
            }
            int left = bytes.length - at;
            if (left <= 0) {
                return -1;
            }
            int n = Math.min(length, left);
            System.arraycopy(bytes, at, into, offset, n);
            at += n;
            return n;
        }

        @Override
        public long skip(long n) {
            int skipped = (int) Math.max(0, Math.min(n, bytes.length - at));
            at += skipped;
            return skipped;
        }

        @Override
        public int available() {
            return bytes.length - at;
        }
    }
}
