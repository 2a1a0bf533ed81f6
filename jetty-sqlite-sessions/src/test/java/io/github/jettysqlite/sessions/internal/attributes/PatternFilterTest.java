package io.github.jettysqlite.sessions.internal.attributes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ObjectInputFilter;
import java.io.ObjectInputFilter.Status;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.junit.jupiter.api.Test;

/** The pattern filter with remembered class verdicts answers as the JDK's filter of the same pattern, every time. */
class PatternFilterTest {
    private static final List<String> PATTERNS = List.of(
            DeserializationFilter.DEFAULT_PATTERN,
            "maxdepth=3;maxrefs=5;maxbytes=100;maxarray=10;java.util.*;java.lang.*;!*",
            "!java.util.HashMap;java.util.**",
            "java.lang.String;!java.lang.*",
            "java.base/java.util.*;!*;maxdepth=5;maxdepth=7",
            "*");

    private static final List<Class<?>> CLASSES = List.of(
            String.class,
            Long.class,
            Number.class,
            HashMap.class,
            ArrayList.class,
            Locale.class,
            InvokerTransformer.class,
            javax.management.BadAttributeValueExpException.class,
            java.rmi.MarshalledObject.class,
            java.beans.EventHandler.class,
            int.class,
            int[].class,
            byte[][].class,
            String[].class,
            InvokerTransformer[].class,
            HashMap[][].class,
            Object[].class);

    @Test
    void everyAnswerIsTheJdksOwnForTheSamePattern() {
        long[] counts = {-1, 0, 1, 4, 5, 6, 99, 100, 101, 1_000_000, 1_000_001, Long.MAX_VALUE};
        for (String pattern : PATTERNS) {
            ObjectInputFilter jdk = ObjectInputFilter.Config.createFilter(pattern);
            for (ObjectInputFilter ours : List.of(
                    PatternFilter.of(pattern),
                    PatternFilter.withJdkLimits(pattern, ObjectInputFilter.Config.createFilter(pattern)))) {
                answersAsTheJdk(pattern, jdk, ours, counts);
            }
        }
    }

    private static void answersAsTheJdk(String pattern, ObjectInputFilter jdk, ObjectInputFilter ours, long[] counts) {
        List<Class<?>> classes = new ArrayList<>(CLASSES);
        classes.add(null);
        for (int round = 0; round < 2; round++) { // the second round answers from remembered verdicts
            for (Class<?> type : classes) {
                for (long n : counts) {
                    for (Info info : List.of(
                            new Info(type, -1, n, 1, 1),
                            new Info(type, -1, 1, n, 1),
                            new Info(type, -1, 1, 1, n),
                            new Info(type, n, 1, 1, 1))) {
                        assertThat(ours.checkInput(info))
                                .as("%s under %s", info, pattern)
                                .isEqualTo(jdk.checkInput(info));
                    }
                }
            }
        }
    }

    @Test
    void theDefaultPatternStillRefusesGadgetsAndOversizedStreams() {
        ObjectInputFilter ours = PatternFilter.of(DeserializationFilter.DEFAULT_PATTERN);
        assertThat(ours.checkInput(new Info(InvokerTransformer.class, -1, 1, 1, 10)))
                .isEqualTo(Status.REJECTED);
        assertThat(ours.checkInput(new Info(InvokerTransformer[].class, 3, 1, 1, 10)))
                .isEqualTo(Status.REJECTED);
        assertThat(ours.checkInput(new Info(String.class, -1, 101, 1, 10))).isEqualTo(Status.REJECTED);
        assertThat(ours.checkInput(new Info(HashMap.class, -1, 1, 1, 10))).isEqualTo(Status.UNDECIDED);
    }

    @Test
    void aMalformedPatternIsRefusedAsTheJdkRefusesIt() {
        assertThatThrownBy(() -> PatternFilter.of("maxdepth=-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PatternFilter.of("maxdepth=x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PatternFilter.of(";;"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no entries");
    }

    private record Info(Class<?> serialClass, long arrayLength, long depth, long references, long streamBytes)
            implements ObjectInputFilter.FilterInfo {}
}
