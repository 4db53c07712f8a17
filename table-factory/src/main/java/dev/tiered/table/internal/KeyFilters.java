package dev.tiered.table.internal;

import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;
import org.apache.flink.table.types.logical.LogicalType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;

/**
 * Recognizes the filters the tiered source can push down: {@code column = literal} and comparisons
 * of the primary key with a literal, literal on either side. Anything else is not recognized.
 */
final class KeyFilters {
    private KeyFilters() {}

    /** A column filters are matched against. */
    record Column(String name, LogicalType type) {}

    /** Inclusive bounds on the key, null for unbounded. */
    record Bound(Serializable lower, Serializable upper) {}

    /** The value of {@code column = '<v>'} (either way round), or null. */
    static String equality(ResolvedExpression filter, Column column) {
        Comparison c = comparison(filter, column);
        if (c == null || c.function != BuiltInFunctionDefinitions.EQUALS) {
            return null;
        }
        return c.value instanceof String s ? s : null;
    }

    /**
     * The inclusive key bounds a comparison of the key with a literal implies (or a conjunction of
     * such comparisons, as the planner makes of a range: {@code id >= 2 AND id < 4}), or null.
     */
    static Bound bound(ResolvedExpression filter, Column column) {
        if (filter instanceof CallExpression call
                && call.getFunctionDefinition() == BuiltInFunctionDefinitions.AND) {
            // Any recognized part of a conjunction bounds it.
            Serializable lower = null;
            Serializable upper = null;
            boolean found = false;
            for (ResolvedExpression part : call.getResolvedChildren()) {
                Bound b = bound(part, column);
                if (b != null) {
                    found = true;
                    lower = tighterLower(lower, b.lower());
                    upper = tighterUpper(upper, b.upper());
                }
            }
            return found ? new Bound(lower, upper) : null;
        }
        Comparison c = comparison(filter, column);
        if (c == null) {
            return null;
        }
        FunctionDefinition f = c.function;
        if (f == BuiltInFunctionDefinitions.EQUALS) {
            return new Bound(c.value, c.value);
        }
        boolean lower =
                f == BuiltInFunctionDefinitions.GREATER_THAN
                        || f == BuiltInFunctionDefinitions.GREATER_THAN_OR_EQUAL;
        boolean upper =
                f == BuiltInFunctionDefinitions.LESS_THAN
                        || f == BuiltInFunctionDefinitions.LESS_THAN_OR_EQUAL;
        if (c.literalFirst) {
            boolean swap = lower;
            lower = upper;
            upper = swap;
        }
        if (lower) {
            return new Bound(c.value, null);
        }
        if (upper) {
            return new Bound(null, c.value);
        }
        return null;
    }

    static Serializable tighterLower(Serializable current, Serializable candidate) {
        if (candidate == null) {
            return current;
        }
        return current == null || compare(candidate, current) > 0 ? candidate : current;
    }

    static Serializable tighterUpper(Serializable current, Serializable candidate) {
        if (candidate == null) {
            return current;
        }
        return current == null || compare(candidate, current) < 0 ? candidate : current;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Serializable a, Serializable b) {
        return ((Comparable) a).compareTo(b);
    }

    private record Comparison(
            FunctionDefinition function, Serializable value, boolean literalFirst) {}

    private static Comparison comparison(ResolvedExpression filter, Column column) {
        if (!(filter instanceof CallExpression call)) {
            return null;
        }
        List<ResolvedExpression> args = call.getResolvedChildren();
        if (args.size() != 2) {
            return null;
        }
        boolean literalFirst = args.get(0) instanceof ValueLiteralExpression;
        ResolvedExpression field = literalFirst ? args.get(1) : args.get(0);
        ResolvedExpression literal = literalFirst ? args.get(0) : args.get(1);
        if (!(field instanceof FieldReferenceExpression ref)
                || !ref.getName().equals(column.name())
                || !(literal instanceof ValueLiteralExpression value)) {
            return null;
        }
        Class<?> javaClass = javaClass(column.type());
        if (javaClass == null) {
            return null;
        }
        Object v = value.getValueAs(javaClass).orElse(null);
        if (v == null) {
            v = widened(value, javaClass);
        }
        if (!(v instanceof Serializable s)) {
            return null;
        }
        return new Comparison(call.getFunctionDefinition(), s, literalFirst);
    }

    /** A numeric literal of another type (an INT literal against a BIGINT key), or null. */
    private static Object widened(ValueLiteralExpression value, Class<?> target) {
        if (!Number.class.isAssignableFrom(target)) {
            return null;
        }
        for (Class<?> c : List.of(Long.class, Integer.class, Short.class, Byte.class)) {
            Object v = value.getValueAs(c).orElse(null);
            if (v instanceof Number n) {
                long l = n.longValue();
                if (target == Long.class) {
                    return l;
                } else if (target == Integer.class && l == (int) l) {
                    return (int) l;
                } else if (target == Short.class && l == (short) l) {
                    return (short) l;
                } else if (target == Byte.class && l == (byte) l) {
                    return (byte) l;
                } else if (target == BigDecimal.class) {
                    return BigDecimal.valueOf(l);
                }
                return null;
            }
        }
        return null;
    }

    /** The Java class {@code TieredSourceBuilder#withKeyRange} takes for a key type, or null. */
    private static Class<?> javaClass(LogicalType type) {
        return switch (type.getTypeRoot()) {
            case CHAR, VARCHAR -> String.class;
            case TINYINT -> Byte.class;
            case SMALLINT -> Short.class;
            case INTEGER -> Integer.class;
            case BIGINT -> Long.class;
            case DECIMAL -> BigDecimal.class;
            case DATE -> LocalDate.class;
            case TIMESTAMP_WITHOUT_TIME_ZONE -> LocalDateTime.class;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE -> Instant.class;
            default -> null;
        };
    }
}
