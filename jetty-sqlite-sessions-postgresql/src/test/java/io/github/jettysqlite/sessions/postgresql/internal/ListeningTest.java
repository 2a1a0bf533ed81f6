package io.github.jettysqlite.sessions.postgresql.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.jettysqlite.sessions.support.PostgreSQLRequired;
import io.github.jettysqlite.sessions.support.PostgreSQLServer;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGNotification;

/**
 * The listening connection's round trip on a real PostgreSQL server, through a socket that records how the driver
 * uses it.
 */
@ExtendWith(PostgreSQLRequired.class)
class ListeningTest {
    private final String url = PostgreSQLServer.get().freshSchemaUrl();
    private final String tag = "listening-" + UUID.randomUUID();
    /** A channel is the whole database's: another build's tests on the same server must not reach this one. */
    private final String channel = "listening_test_" + tag.substring(tag.length() - 12);

    @AfterEach
    void forgetTimeouts() {
        RecordingSocketFactory.forget(tag);
    }

    /**
     * The driver's own way to collect notifications also polls the socket for ones not yet arrived, a read that waits
     * 1 ms and then fails: every round trip, and every request waiting for it, would wait that long for nothing. The
     * round trip's answer already brought every notification it must see.
     */
    @Test
    void aRoundTripSetsNoShortSocketTimeoutToPollForMore() throws Exception {
        Listening listening = Listening.on(recordedConnection(), channel, 5_000);
        try {
            List<Integer> timeouts = RecordingSocketFactory.timeoutsSet(tag);
            assertThat(timeouts)
                    .as("the listening connection's own timeout, set through the recording socket")
                    .contains(5_000);
            timeouts.clear();
            for (int i = 0; i < 20; i++) {
                listening.roundTrip();
            }
            assertThat(timeouts)
                    .as("socket timeouts the driver set during the round trips")
                    .isEmpty();
        } finally {
            listening.abort();
        }
    }

    @Test
    void aRoundTripBringsEveryNotificationCommittedBeforeItBegan() throws Exception {
        Listening listening = Listening.on(recordedConnection(), channel, 5_000);
        try (Connection other = DriverManager.getConnection(url);
                Statement notify = other.createStatement()) {
            for (int i = 0; i < 50; i++) {
                notify.execute("SELECT pg_notify('" + channel + "', 'n" + i + "')");
                List<String> received = new ArrayList<>();
                for (PGNotification n : listening.roundTrip()) {
                    received.add(n.getParameter());
                }
                assertThat(received).as("round trip %d", i).containsExactly("n" + i);
            }
        } finally {
            listening.abort();
        }
    }

    private Connection recordedConnection() throws Exception {
        Properties properties = new Properties();
        properties.setProperty("ApplicationName", tag);
        properties.setProperty("socketFactory", RecordingSocketFactory.class.getName());
        properties.setProperty("socketFactoryArg", tag);
        return DriverManager.getConnection(url, properties);
    }

    /** Made by the driver by name, with the test's tag; remembers every socket timeout set on its sockets. */
    public static final class RecordingSocketFactory extends SocketFactory {
        private static final Map<String, List<Integer>> TIMEOUTS = new ConcurrentHashMap<>();
        private final String tag;

        public RecordingSocketFactory(String tag) {
            this.tag = tag;
        }

        static List<Integer> timeoutsSet(String tag) {
            return TIMEOUTS.computeIfAbsent(tag, t -> new CopyOnWriteArrayList<>());
        }

        static void forget(String tag) {
            TIMEOUTS.remove(tag);
        }

        @Override
        public Socket createSocket() {
            List<Integer> timeouts = timeoutsSet(tag);
            return new Socket() {
                @Override
                public synchronized void setSoTimeout(int timeout) throws SocketException {
                    timeouts.add(timeout);
                    super.setSoTimeout(timeout);
                }
            };
        }

        // The driver connects an unconnected socket itself; these are never asked for.
        @Override
        public Socket createSocket(String host, int port) {
            throw notUsed();
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) {
            throw notUsed();
        }

        @Override
        public Socket createSocket(InetAddress host, int port) {
            return createSocket(host.getHostAddress(), port);
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) {
            return createSocket(address.getHostAddress(), port, local, localPort);
        }

        private static UnsupportedOperationException notUsed() {
            return new UnsupportedOperationException("the driver connects an unconnected socket");
        }
    }
}
