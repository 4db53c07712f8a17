package dev.tiered.table.testing;

import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowUtils;
import org.apache.flink.util.CloseableIterator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs SQL statements as a SQL client would and returns their rows, fields by name. */
public final class Sql {
    private Sql() {}

    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'([^']*)'");
    private static final Pattern RESET = Pattern.compile("(?is)RESET\\s+'([^']+)'");

    /** Runs an unbounded query, reads its first {@code n} rows and cancels it. */
    public static List<Row> first(TableEnvironment env, String sql, int n) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = env.executeSql(sql).collect()) {
            while (rows.size() < n && it.hasNext()) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    /** Runs one statement; SET and RESET change the session as the SQL client does. */
    public static List<Row> run(TableEnvironment env, String sql) throws Exception {
        Matcher set = SET.matcher(sql.trim());
        if (set.matches()) {
            env.getConfig().set(set.group(1), set.group(2));
            return List.of();
        }
        Matcher reset = RESET.matcher(sql.trim());
        if (reset.matches()) {
            env.getConfig().getConfiguration().removeKey(reset.group(1));
            return List.of();
        }
        TableResult result = env.executeSql(sql);
        String verb = sql.trim().split("\\s+")[0].toUpperCase(Locale.ROOT);
        List<Row> rows = new ArrayList<>();
        if (verb.equals("INSERT")) {
            result.await();
            return rows;
        }
        List<String> names = result.getResolvedSchema().getColumnNames();
        LinkedHashMap<String, Integer> positions = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            positions.put(names.get(i), i);
        }
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                Object[] fields = new Object[names.size()];
                for (int i = 0; i < fields.length; i++) {
                    fields[i] = row.getField(i);
                }
                // Fields by name and by position.
                rows.add(RowUtils.createRowWithNamedPositions(row.getKind(), fields, positions));
            }
        }
        return rows;
    }
}
