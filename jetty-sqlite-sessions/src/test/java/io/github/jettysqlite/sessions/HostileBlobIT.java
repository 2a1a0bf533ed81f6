package io.github.jettysqlite.sessions;

import static io.github.jettysqlite.sessions.StoreFixture.NODE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.internal.attributes.AttributeCodec;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSeal;
import io.github.jettysqlite.sessions.internal.attributes.AttributeSerializer;
import io.github.jettysqlite.sessions.internal.attributes.DeserializationFilter;
import io.github.jettysqlite.sessions.support.ChildJvm;
import io.github.jettysqlite.sessions.support.HostileBlobReader;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.session.SessionData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows of a few hundred bytes that declare huge arrays, which Java would allocate before reading one element, are
 * read in a JVM with a small heap: each is refused as unreadable, the JVM stays healthy, and a 10 MiB attribute
 * still loads. Without the bound, the first of them alone takes gigabytes.
 */
class HostileBlobIT {
    /** The JDK's own array limit in the default filter: every declared length here passes it. */
    private static final int SIXTEEN_MI = 16 * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void rowsDeclaringHugeArraysAreUnreadableInASmallHeapAndLargeAttributesStillLoad() throws Exception {
        Path file = dir.resolve("sessions.db");
        Map<String, byte[]> hostile = new HashMap<>();
        AttributeSerializer serializer = new AttributeSerializer(DeserializationFilter.create("*"));
        try (SQLiteFixture fixture = new SQLiteFixture(file)) {
            SQLiteSessionDataStore store = fixture.store();
            Object nested = "bottom";
            for (int i = 0; i < 100; i++) {
                nested = new Object[] {nested};
            }
            hostile.put("nested-objects", contained(store, "nested-objects", huge(serializer.serialize(nested))));
            hostile.put("nested-objects-jetty-format", huge(jettyStream(store, nested)));
            hostile.put("long-array", contained(store, "long-array", huge(serializer.serialize(new long[1]))));
            hostile.put(
                    "byte-arrays-in-object-arrays",
                    contained(store, "byte-arrays-in-object-arrays", huge(serializer.serialize(new Object[] {
                        new Object[] {new byte[1]}
                    }))));
            HashMap<String, Object> map = new HashMap<>();
            map.put("k", new Object[] {new Object[] {"v"}});
            hostile.put(
                    "object-arrays-in-a-map",
                    contained(store, "object-arrays-in-a-map", huge(serializer.serialize(map))));
            HashMap<String, String> claimsMillions = new HashMap<>();
            claimsMillions.put("k", "v");
            hostile.put(
                    "map-claiming-millions",
                    contained(store, "map-claiming-millions", claimMappings(serializer.serialize(claimsMillions))));

            for (Map.Entry<String, byte[]> row : hostile.entrySet()) {
                plant(store, row.getKey(), row.getValue());
            }
            SessionData large = StoreFixture.session(store, "ten-mib", 0, NODE);
            byte[] tenMiB = new byte[10 * 1024 * 1024];
            tenMiB[tenMiB.length - 1] = 42;
            large.setAttribute("payload", tenMiB);
            StoreFixture.put(store, large);
            assertThat(hostile.values()).allMatch(blob -> blob.length < 2_000);
        }

        List<String> ids = new ArrayList<>(hostile.keySet());
        ids.add("ten-mib");
        List<String> lines = new ArrayList<>();
        try (ChildJvm reader = ChildJvm.start("128m", HostileBlobReader.class, prepend(file.toString(), ids))) {
            String line;
            while ((line = reader.nextLine(120, TimeUnit.SECONDS)) != null && !line.startsWith("DONE")) {
                lines.add(line);
            }
            assertThat(line).as(reader.output()).isEqualTo("DONE healthy");
        }
        for (String id : hostile.keySet()) {
            assertThat(lines).as(id).anyMatch(l -> l.startsWith("UNREADABLE " + id + " ") && l.contains("REJECTED"));
        }
        assertThat(lines).contains("LOADED ten-mib 10485760 42");
        assertThat(lines).noneMatch(l -> l.startsWith("OOM"));
    }

    /** Every array length in the stream (each declared as 1) made 16 Mi: the blob stays a few hundred bytes. */
    private static byte[] huge(byte[] stream) {
        return DeclaredArrayLengths.rewrite(stream, lengthAt -> SIXTEEN_MI);
    }

    /**
     * A HashMap of one mapping that says it has 12 Mi of them, so reading it sizes its table for that many: 16 Mi
     * buckets, just within the JDK's array limit.
     */
    private static byte[] claimMappings(byte[] stream) {
        byte[] patched = stream.clone();
        // HashMap writes its bucket count (16) and mapping count (1) as eight bytes of block data.
        byte[] marker = {0x77, 0x08, 0, 0, 0, 0x10, 0, 0, 0, 1};
        for (int i = 0; i + marker.length <= patched.length; i++) {
            if (java.util.Arrays.equals(patched, i, i + marker.length, marker, 0, marker.length)) {
                ByteBuffer.wrap(patched).putInt(i + 6, SIXTEEN_MI / 4 * 3);
                return patched;
            }
        }
        throw new AssertionError("HashMap stream without its mapping count");
    }

    /** The attribute as a row of the per-attribute layout holds it. */
    private static byte[] contained(SQLiteSessionDataStore store, String id, byte[] attributeStream) {
        return AttributeCodec.unsealed()
                .encode(
                        Map.of("payload", attributeStream),
                        new AttributeSeal.SessionKey(
                                "jetty_sessions", "/app", org.eclipse.jetty.session.SessionContext.NULL_VHOST, id, 0));
    }

    /** The value as Jetty's own stores write a whole attribute map, as rows written before the layout hold. */
    private static byte[] jettyStream(SQLiteSessionDataStore store, Object value) throws Exception {
        SessionData data = store.newSessionData("x", 0, 0, 0, 0);
        data.setAttribute("payload", value);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            SessionData.serializeAttributes(data, out);
        }
        return bytes.toByteArray();
    }

    private static void plant(SQLiteSessionDataStore store, String id, byte[] blob) throws Exception {
        StoreFixture.put(store, StoreFixture.session(store, id, 0, NODE));
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + store.getDatabaseFile());
                var s = c.prepareStatement("UPDATE jetty_sessions SET attributes = ? WHERE session_id = ?")) {
            s.setBytes(1, blob);
            s.setString(2, id);
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    private static String[] prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
    }
}
