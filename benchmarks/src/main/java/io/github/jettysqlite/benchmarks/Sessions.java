package io.github.jettysqlite.benchmarks;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import org.eclipse.jetty.session.SessionContext;
import org.eclipse.jetty.session.SessionData;
import org.eclipse.jetty.util.ClassLoadingObjectInputStream;

/** The one context every store in the benchmark serves, and Jetty's attribute (de)serialization. */
final class Sessions {
    static final String NODE = "node1";
    /** As Jetty canonicalizes the context path {@code /app} (the file store puts it in file names). */
    static final String CONTEXT_PATH = "_app";

    static final String VHOST = "0.0.0.0";

    private Sessions() {}

    static SessionContext context() {
        return new FixedContext();
    }

    /** Serializes attributes exactly as Jetty's {@code ObjectStreamSessionDataStore} does. */
    static byte[] serialize(SessionData data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
        ObjectOutputStream out = new ObjectOutputStream(bytes);
        SessionData.serializeAttributes(data, out);
        out.flush();
        return bytes.toByteArray();
    }

    /** Deserializes attributes exactly as Jetty's {@code ObjectStreamSessionDataStore} does. */
    static void deserialize(SessionData data, byte[] attributes) throws IOException, ClassNotFoundException {
        ClassLoadingObjectInputStream in = new ClassLoadingObjectInputStream(new ByteArrayInputStream(attributes));
        SessionData.deserializeAttributes(data, in);
    }

    /** Epoch milliseconds as SQLite's {@code julianday()} counts, the scale of the store's {@code expires_at}. */
    static double julianDay(long epochMillis) {
        return epochMillis / 86_400_000.0 + 2_440_587.5;
    }

    /** A session context without a web application: Jetty runs store calls directly in the calling thread. */
    static final class FixedContext extends SessionContext {
        FixedContext() {
            _workerName = NODE;
            _canonicalContextPath = CONTEXT_PATH;
            _vhost = VHOST;
        }
    }
}
