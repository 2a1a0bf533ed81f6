package io.github.jettysqlite.sessions.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A log line shows enough of a session id to tell sessions apart and never enough to present it as a cookie. */
class RedactionSessionIdTest {
    @Test
    void aSessionIdOfJettysLengthShowsItsStartOnly() {
        String id = "node0x4mqd1w9z0k5l1r7fh2c3vb8n6";

        String shown = Redaction.sessionId(id);

        assertThat(shown).isEqualTo("node0x4mqd...");
        assertThat(shown).doesNotContain(id.substring(10, 12));
    }

    @Test
    void anIdTooShortToUseIsShownAsItIs() {
        assertThat(Redaction.sessionId("s1")).isEqualTo("s1");
        assertThat(Redaction.sessionId(null)).isNull();
    }
}
