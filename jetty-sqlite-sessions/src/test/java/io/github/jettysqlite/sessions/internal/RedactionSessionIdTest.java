package io.github.jettysqlite.sessions.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A log line shows enough of a session id to tell sessions apart and never enough to present it as a cookie. */
class RedactionSessionIdTest {
    @Test
    void aSessionIdOfJettysLengthShowsItsStartAndAShortHashOnly() {
        String id = "node0x4mqd1w9z0k5l1r7fh2c3vb8n6";

        String shown = Redaction.sessionId(id);

        assertThat(shown).matches("node0x4mqd\\.\\.\\.#[0-9a-f]{8}");
        assertThat(shown).doesNotContain(id.substring(10, 14));
        assertThat(Redaction.sessionId(id))
                .as("the same on every call, so on every node")
                .isEqualTo(shown);
    }

    /** A worker name of ten characters or more (a host name) begins every id: the hash still tells them apart. */
    @Test
    void idsBehindALongWorkerNameAreToldApart() {
        String one = Redaction.sessionId("web-7d9f4c-x2k1m9q0p8r7s6t5");
        String other = Redaction.sessionId("web-7d9f4c-a9b8c7d6e5f4g3h2");

        assertThat(one).startsWith("web-7d9f4c...#");
        assertThat(other).startsWith("web-7d9f4c...#");
        assertThat(one).isNotEqualTo(other);
    }

    @Test
    void anIdTooShortToUseIsShownAsItIs() {
        assertThat(Redaction.sessionId("s1")).isEqualTo("s1");
        assertThat(Redaction.sessionId(null)).isNull();
    }
}
