package io.github.jettysqlite.sessions.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration as operators write it: a number with s, m, h or d, or 0; ISO-8601 ({@code PT90M}) also works. Never
 * negative: a margin before now cannot lie in the future.
 */
final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration duration = parse(value);
        if (duration.isNegative()) {
            throw new TypeConversionException("'" + value + "' is negative; give 0 or more, such as 90s, 15m, 1h");
        }
        return duration;
    }

    private static Duration parse(String value) {
        String text = value.trim().toLowerCase(Locale.ROOT);
        try {
            if (text.startsWith("p")) {
                return Duration.parse(text.toUpperCase(Locale.ROOT));
            }
            if (text.equals("0")) {
                return Duration.ZERO;
            }
            long amount = Long.parseLong(text.substring(0, text.length() - 1));
            return switch (text.charAt(text.length() - 1)) {
                case 's' -> Duration.ofSeconds(amount);
                case 'm' -> Duration.ofMinutes(amount);
                case 'h' -> Duration.ofHours(amount);
                case 'd' -> Duration.ofDays(amount);
                default -> throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 15m, 1h");
            };
        } catch (RuntimeException e) {
            if (e instanceof TypeConversionException t) {
                throw t;
            }
            throw new TypeConversionException("'" + value + "' is not a duration such as 90s, 15m, 1h");
        }
    }
}
