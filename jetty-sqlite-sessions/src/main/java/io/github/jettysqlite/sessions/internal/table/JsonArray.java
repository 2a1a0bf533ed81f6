package io.github.jettysqlite.sessions.internal.table;

import java.util.Collection;

/** Encodes strings as a JSON array for SQLite's {@code json_each}, escaping as RFC 8259 requires. */
final class JsonArray {
    private JsonArray() {}

    static String of(Collection<String> values) {
        StringBuilder json = new StringBuilder(values.size() * 36 + 2).append('[');
        boolean first = true;
        for (String value : values) {
            if (!first) {
                json.append(',');
            }
            first = false;
            appendString(json, value);
        }
        return json.append(']').toString();
    }

    private static void appendString(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char ch = value.charAt(i);
            switch (ch) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                default -> {
                    if (ch < 0x20) {
                        json.append(String.format("\\u%04x", (int) ch));
                    } else {
                        json.append(ch);
                    }
                }
            }
        }
        json.append('"');
    }
}
