package io.github.jettysqlite.sessions.internal.attributes;

import java.io.ObjectInputFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The JDK's filter of a {@code jdk.serialFilter} pattern, answering exactly as it does, with the verdict on each class
 * remembered.
 *
 * <p>The JDK's filter asks each of the pattern's class patterns in turn, every time an object stream shows it a class
 * (the default pattern has about seventy); a session's attribute of a map or a list shows it a handful, and that
 * checking cost as much as the rest of reading them (measured: a small map of a list, a locale, a long and a string read
 * in 12 µs, 8 µs with the verdicts remembered, 7.4 µs with no filter at all). Its answer is two independent parts: the
 * limits ({@code maxdepth}, {@code maxrefs}, {@code maxbytes}, {@code maxarray}), which depend on where the stream is,
 * and then, for a class, the first class pattern that matches it (an array's by its element type), which depends on
 * the class alone. The limits are checked here on every call, as the JDK's filter checks them (a filter of the limit
 * entries alone still built a stream over its empty list of class patterns each time: a twelfth of a load of ten
 * attributes); the class verdict is asked of the whole pattern's filter once per class, with nothing near any limit,
 * and kept beside the class (a {@link ClassValue}: it holds no class loader). The JDK parses and validates the
 * pattern first, so only a pattern it accepts reaches the limits' own reading.
 */
final class PatternFilter implements ObjectInputFilter {
    private final Predicate<FilterInfo> pastLimits;
    private final ClassValue<Status> verdicts;

    private PatternFilter(Predicate<FilterInfo> pastLimits, ObjectInputFilter whole) {
        this.pastLimits = pastLimits;
        this.verdicts = new ClassValue<>() {
            @Override
            protected Status computeValue(Class<?> type) {
                return whole.checkInput(new ClassAlone(type));
            }
        };
    }

    /**
     * @throws IllegalArgumentException when the JDK refuses the pattern
     */
    static ObjectInputFilter of(String pattern) {
        ObjectInputFilter whole = ObjectInputFilter.Config.createFilter(pattern);
        if (whole == null) {
            // The JDK gives no filter for a pattern of empty entries (";"): refused here, at start, not at each read.
            throw new IllegalArgumentException("the pattern \"" + pattern + "\" has no entries");
        }
        Limits limits = Limits.of(pattern);
        // A limit this class does not know (a later JDK may add one) is left to that JDK's filter of the limits.
        return limits != null ? new PatternFilter(limits::exceededBy, whole) : withJdkLimits(pattern, whole);
    }

    /** The filter with its limits checked by the JDK's filter of the pattern's limit entries, on every call. */
    static ObjectInputFilter withJdkLimits(String pattern, ObjectInputFilter whole) {
        List<String> entries = limitEntries(pattern);
        // With no limit given, every limit is the JDK's default (none); the filter still refuses negative counts.
        ObjectInputFilter jdkLimits = ObjectInputFilter.Config.createFilter(
                entries.isEmpty() ? "maxdepth=" + Long.MAX_VALUE : String.join(";", entries));
        return new PatternFilter(info -> jdkLimits.checkInput(info) == Status.REJECTED, whole);
    }

    /** The pattern's limit entries, in order: by the JDK's own rule, an entry with '=' is a limit. */
    private static List<String> limitEntries(String pattern) {
        List<String> entries = new ArrayList<>();
        for (String entry : pattern.split(";")) {
            if (entry.indexOf('=') >= 0) {
                entries.add(entry);
            }
        }
        return entries;
    }

    @Override
    public Status checkInput(FilterInfo info) {
        if (pastLimits.test(info)) {
            return Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        return type == null ? Status.UNDECIDED : verdicts.get(type);
    }

    /**
     * The pattern's four limits, each unbounded unless an entry sets it (a later entry for the same limit wins, as
     * with the JDK). The JDK has accepted the pattern before it is read here.
     */
    private record Limits(long maxDepth, long maxReferences, long maxStreamBytes, long maxArrayLength) {
        private static final Set<String> KNOWN = Set.of("maxdepth", "maxrefs", "maxbytes", "maxarray");

        /** The pattern's limits; null when it sets one this class does not know. */
        static Limits of(String pattern) {
            long depth = Long.MAX_VALUE;
            long references = Long.MAX_VALUE;
            long bytes = Long.MAX_VALUE;
            long array = Long.MAX_VALUE;
            for (String entry : limitEntries(pattern)) {
                int equals = entry.indexOf('=');
                String name = entry.substring(0, equals);
                if (!KNOWN.contains(name)) {
                    return null;
                }
                long value = Long.parseLong(entry.substring(equals + 1));
                if (value < 0) {
                    throw new IllegalArgumentException("negative limit: " + entry);
                }
                switch (name) {
                    case "maxdepth" -> depth = value;
                    case "maxrefs" -> references = value;
                    case "maxbytes" -> bytes = value;
                    default -> array = value;
                }
            }
            return new Limits(depth, references, bytes, array);
        }

        /** True when the stream has gone past a limit, or reports a negative count (which the JDK refuses too). */
        boolean exceededBy(FilterInfo info) {
            long depth = info.depth();
            long references = info.references();
            long bytes = info.streamBytes();
            if (depth < 0 || references < 0 || bytes < 0) {
                return true;
            }
            if (depth > maxDepth || references > maxReferences || bytes > maxStreamBytes) {
                return true;
            }
            Class<?> type = info.serialClass();
            return type != null && type.isArray() && info.arrayLength() > maxArrayLength;
        }
    }

    /** A class shown to a filter with nothing read yet: only its class patterns can decide. */
    private record ClassAlone(Class<?> serialClass) implements FilterInfo {
        @Override
        public long arrayLength() {
            return -1;
        }

        @Override
        public long depth() {
            return 0;
        }

        @Override
        public long references() {
            return 0;
        }

        @Override
        public long streamBytes() {
            return 0;
        }
    }
}
