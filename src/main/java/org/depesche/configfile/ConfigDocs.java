package org.depesche.configfile;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import org.depesche.config.Config;
import org.depesche.config.Doc;

/**
 * Generates the configuration reference (Markdown, for the README) and a
 * commented example file from the {@link Config} records, their {@link Doc}
 * annotations and the defaults the loader applies, so that neither can
 * drift from the code. ConfigDocsTest fails when the README is stale.
 */
public final class ConfigDocs {
    public static final String START = "<!-- config-reference:start -->";
    public static final String END = "<!-- config-reference:end -->";
    public static final String REGENERATE = "./depesche config-docs --write README.md";

    private static final PropertyNamingStrategies.NamingBase SNAKE =
            (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

    private ConfigDocs() {
    }

    /** One documented key: its TOML name, its value in TOML syntax and its documentation. */
    private record Key(String name, String value, String doc) {
    }

    /** A TOML table ("" for the top level) with its documentation and keys. */
    private record Section(String name, String doc, List<Key> keys) {
    }

    /** The defaults exactly as the loader applies them to an empty file (paths relative). */
    public static Config defaults() {
        try {
            return ConfigLoader.parse(Path.of("depesche.toml"), "");
        } catch (ConfigException e) {
            throw new IllegalStateException("an empty config file must load: " + e.getMessage(), e);
        }
    }

    /** The Markdown that belongs between the README markers (without the markers). */
    public static String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("<!-- Generated from the @Doc annotations in org.depesche.config; regenerate with `")
                .append(REGENERATE).append("`. -->\n\n");
        out.append("Durations are written like `\"30s\"`, `\"5m\"`, `\"1h30m\"`, `\"5d\"` (or an integer number of ")
                .append("seconds); sizes like `\"50M\"` or `\"1G\"` (binary units, or an integer number of bytes). ")
                .append("A listener set to `\"\"` is disabled; port 0 picks any free port.\n");
        for (Section s : sections(defaults())) {
            out.append("\n#### ").append(s.name.isEmpty() ? "Top level" : "`[" + s.name + "]`").append("\n\n");
            out.append(s.doc).append("\n\n");
            out.append("| Key | Default | Meaning |\n| --- | --- | --- |\n");
            for (Key k : s.keys) {
                out.append("| `").append(k.name).append("` | `").append(k.value).append("` | ")
                        .append(k.doc.replace("|", "\\|")).append(" |\n");
            }
        }
        return out.toString();
    }

    /** A complete config file with every key set to its value in {@code config} and its documentation as comments. */
    public static String exampleToml(Config config, String header) {
        StringBuilder out = new StringBuilder();
        for (String line : header.split("\n", -1)) out.append(line.isEmpty() ? "#" : "# " + line).append('\n');
        out.append("# Every key is documented in the README (\"Configuration reference\"); a key left out takes its default.\n");
        for (Section s : sections(config)) {
            out.append('\n');
            if (!s.name.isEmpty()) {
                comment(out, s.doc, "");
                out.append('[').append(s.name).append("]\n");
            }
            for (Key k : s.keys) {
                comment(out, k.doc, "");
                // a key without a default value (a path that is built in when absent) stays commented out
                if (k.value.equals("\"\"") || k.value.equals("[]")) out.append("# ");
                out.append(k.name).append(" = ").append(k.value).append('\n');
            }
        }
        return out.toString();
    }

    /** Replaces the text between the markers in {@code file} with {@link #markdown()}. */
    public static void writeInto(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start)
            throw new IOException(file + ": markers " + START + " and " + END + " not found");
        String updated = text.substring(0, start + START.length()) + "\n" + markdown() + text.substring(end);
        Files.writeString(file, updated, StandardCharsets.UTF_8);
    }

    /** The text currently between the markers of {@code text}, in the form {@link #writeInto} writes it; null without markers. */
    public static String between(String text) {
        int start = text.indexOf(START);
        int end = text.indexOf(END);
        if (start < 0 || end < start) return null;
        return text.substring(start + START.length(), end).replaceFirst("^\n", "");
    }

    private static List<Section> sections(Config config) {
        List<Section> sections = new ArrayList<>();
        List<Key> top = new ArrayList<>();
        sections.add(new Section("", doc(Config.class.getAnnotation(Doc.class)), top));
        for (RecordComponent c : Config.class.getRecordComponents()) {
            Object value = get(c, config);
            if (c.getType().isRecord()) {
                Doc typeDoc = c.getType().getAnnotation(Doc.class);
                sections.add(new Section(SNAKE.translate(c.getName()),
                        typeDoc != null ? typeDoc.value() : doc(c.getAnnotation(Doc.class)), keys(value)));
            } else {
                top.add(key(c, value));
            }
        }
        return sections;
    }

    private static List<Key> keys(Object record) {
        List<Key> keys = new ArrayList<>();
        for (RecordComponent c : record.getClass().getRecordComponents()) keys.add(key(c, get(c, record)));
        return keys;
    }

    private static Key key(RecordComponent c, Object value) {
        return new Key(SNAKE.translate(c.getName()), toml(value), doc(c.getAnnotation(Doc.class)));
    }

    private static String doc(Doc d) {
        if (d == null) throw new IllegalStateException("a config component lacks @Doc");
        return d.value();
    }

    private static Object get(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A value as it is written in the file. */
    static String toml(Object value) {
        return switch (value) {
            case null -> "\"\"";
            case Duration d -> quote(ConfigValues.formatDuration(d));
            case Long size -> {
                String s = ConfigValues.formatSize(size);
                yield s.chars().allMatch(Character::isDigit) ? s : quote(s);
            }
            case Integer i -> i.toString();
            case Boolean b -> b.toString();
            case java.util.List<?> list -> "[" + String.join(", ", list.stream().map(ConfigDocs::toml).toList()) + "]";
            default -> quote(value.toString());
        };
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void comment(StringBuilder out, String text, String indent) {
        StringBuilder line = new StringBuilder(indent).append('#');
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > 78 && line.length() > indent.length() + 1) {
                out.append(line).append('\n');
                line = new StringBuilder(indent).append('#');
            }
            line.append(' ').append(word);
        }
        out.append(line).append('\n');
    }
}
