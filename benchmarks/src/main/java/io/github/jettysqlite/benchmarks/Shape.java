package io.github.jettysqlite.benchmarks;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.jetty.session.SessionData;

/**
 * The attributes each benchmark session holds ({@code --shapes}). Every shape has {@code v}, the Integer version an
 * update bumps, and a byte array that {@code --sizes} scales: {@link #TWO} holds just those; {@link #FIVE} and
 * {@link #TEN} hold what a web application keeps in a session (strings, tokens, a flag, a list, a security context),
 * their byte array shortened so the serialized attributes come to about the size asked for (1 KiB at 1024).
 */
enum Shape {
    /** {@code payload} (a byte array of exactly the size) and {@code v}. */
    TWO(0),
    /** Three strings, {@code v} and a byte array of the size minus 232 bytes (792 at 1024). */
    FIVE(232),
    /**
     * The five, two random tokens, a Boolean, a list of strings and a map standing in for a security context (a
     * principal name, a list of roles, a Locale, a timestamp); its byte array is the size minus 940 bytes (84 at 1024).
     */
    TEN(940);

    private final int overhead;

    Shape(int overhead) {
        this.overhead = overhead;
    }

    String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Shape parse(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT));
    }

    /** The length of the byte array for attributes of about {@code size} bytes serialized. */
    int payloadLength(int size) {
        return Math.max(16, size - overhead);
    }

    /** Sets this shape's attributes on a fresh session, {@code v} at 0. */
    void fill(SessionData data, int size) {
        data.setAttribute(BenchSession.PAYLOAD, Payloads.of(payloadLength(size)));
        data.setAttribute(BenchSession.VERSION, 0);
        if (this == TWO) {
            return;
        }
        String user = "user-" + Integer.toHexString(data.getId().hashCode());
        data.setAttribute("user", user);
        data.setAttribute("displayName", "Alex Example");
        data.setAttribute("theme", "dark-high-contrast");
        if (this == FIVE) {
            return;
        }
        data.setAttribute("csrfToken", token());
        data.setAttribute("rememberMe", Boolean.TRUE);
        data.setAttribute("recentPages", new ArrayList<>(List.of("/home", "/orders/1234", "/account/settings")));
        Map<String, Object> security = new HashMap<>();
        security.put("principal", user + "@example.com");
        security.put("roles", new ArrayList<>(List.of("USER", "CUSTOMER", "BETA_TESTER")));
        security.put("locale", Locale.UK);
        security.put("authenticatedAt", data.getCreated());
        data.setAttribute("securityContext", security);
        data.setAttribute("refreshToken", token());
    }

    private static String token() {
        byte[] bytes = new byte[24];
        ThreadLocalRandom.current().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * True when {@code loaded} holds exactly the attributes of {@code expected}, each equal in value (arrays by
     * content), except {@code v}, which must equal {@code version}.
     */
    static boolean sameAttributes(SessionData expected, SessionData loaded, int version) {
        if (loaded == null || !expected.getKeys().equals(loaded.getKeys())) {
            return false;
        }
        for (String name : expected.getKeys()) {
            Object want = name.equals(BenchSession.VERSION) ? Integer.valueOf(version) : expected.getAttribute(name);
            if (!Objects.deepEquals(want, loaded.getAttribute(name))) {
                return false;
            }
        }
        return true;
    }
}
