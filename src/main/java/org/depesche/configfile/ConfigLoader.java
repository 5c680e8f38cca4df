package org.depesche.configfile;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

import org.depesche.config.Config;
import org.depesche.config.HostPort;

/**
 * Reads depesche.toml into {@link Config}. Keys are snake_case forms of the
 * record components ({@code maxConnectionsPerIp} is
 * {@code max_connections_per_ip}); unknown keys are errors, so a typo is not
 * silently ignored. A missing key means the default; a missing listener key
 * means the default unprivileged loopback address and an empty string
 * disables that listener. Relative paths are resolved against the
 * directory of the file.
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    public static Config load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, "file not found");
        } catch (MalformedInputException e) {
            throw new ConfigException(file, 0, "not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException(file, 0, "cannot read: " + e.getMessage());
        }
        Config config = parse(file, text);
        Path base = file.toAbsolutePath().getParent();
        Config resolved = resolvePaths(config, base);
        ConfigValidator.validate(resolved, new KeyLocator(file, text));
        return resolved;
    }

    /** The values of a file, relative paths left as written (also what the docs show as defaults for ""). */
    static Config parse(Path file, String text) throws ConfigException {
        TomlMapper mapper = mapper();
        KeyLocator locator = new KeyLocator(file, text);
        try {
            ObjectNode root = (ObjectNode) mapper.readTree(text);
            if (root == null) root = mapper.createObjectNode();
            applyListenerDefaults(root, locator);
            emptyMeansDefault(root, "dns", "trust_anchor");
            return mapper.treeToValue(root, Config.class);
        } catch (UnrecognizedPropertyException e) {
            throw locator.error(path(e), "unknown key '" + e.getPropertyName() + "'" + in(path(e)) + suggestion(e));
        } catch (MismatchedInputException e) {
            List<String> path = path(e);
            throw locator.error(path, valueError(path, e));
        } catch (JsonMappingException e) {
            List<String> path = path(e);
            throw locator.error(path, "key '" + last(path) + "'" + in(path) + ": " + firstLine(e.getOriginalMessage()));
        } catch (JacksonException e) {
            // TOML syntax errors carry their own location.
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new ConfigException(file, Math.max(line, 0), "TOML syntax error: " + firstLine(e.getOriginalMessage()));
        }
    }

    static TomlMapper mapper() {
        SimpleModule values = new SimpleModule("depesche-config-values");
        values.addDeserializer(Duration.class, new StringValueDeserializer<>(ConfigValues::parseDuration, "a duration like \"30s\", \"5m\", \"1h\" or \"5d\"") {
            @Override
            Duration fromInteger(long n) {
                return Duration.ofSeconds(n);
            }
        });
        values.addDeserializer(Long.class, new StringValueDeserializer<>(ConfigValues::parseSize, "a size like 1048576, \"50M\" or \"1G\"") {
            @Override
            Long fromInteger(long n) {
                return n;
            }
        });
        values.addDeserializer(HostPort.class, new StringValueDeserializer<>(HostPort::parse, "\"host:port\""));
        values.addDeserializer(Path.class, new StringValueDeserializer<>(ConfigLoader::path, "a path"));
        // Strict: `hostname = 5` is a mistake, not the host name "5".
        values.addDeserializer(String.class, new StringValueDeserializer<>(s -> s, "a string"));
        return TomlMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .addModule(values)
                .build();
    }

    /**
     * Missing listener keys get the defaults and "" becomes null, so that
     * "not mentioned" and "disabled" stay different although both records
     * would otherwise see null.
     */
    private static void applyListenerDefaults(ObjectNode root, KeyLocator locator) throws ConfigException {
        if (root.has("listen") && !root.get("listen").isObject())
            throw locator.error(List.of("listen"), "'listen' must be a table: [listen]");
        ObjectNode listen = root.has("listen") ? (ObjectNode) root.get("listen") : root.putObject("listen");
        putDefault(listen, "smtp", Config.Listen.DEFAULT_SMTP);
        putDefault(listen, "submission", Config.Listen.DEFAULT_SUBMISSION);
        putDefault(listen, "submissions", Config.Listen.DEFAULT_SUBMISSIONS);
    }

    private static void putDefault(ObjectNode listen, String key, HostPort value) {
        if (!listen.has(key)) {
            listen.put(key, value.toString());
        } else if (listen.get(key).isTextual() && listen.get(key).asText().isBlank()) {
            listen.putNull(key);
        }
    }

    /**
     * The reference shows an optional path's default as "", so writing it
     * must mean the same as leaving the key out (the built-in trust anchor).
     */
    private static void emptyMeansDefault(ObjectNode root, String table, String key) {
        if (root.get(table) instanceof ObjectNode t && t.has(key)
                && t.get(key).isTextual() && t.get(key).asText().isEmpty()) {
            t.remove(key);
        }
    }

    private static Path path(String s) {
        if (s.isBlank()) throw new IllegalArgumentException("expected a path, got an empty string");
        return Path.of(s);
    }

    static Config resolvePaths(Config c, Path base) {
        Config.Tls tls = new Config.Tls(base.resolve(c.tls().certificate()).normalize(),
                base.resolve(c.tls().key()).normalize(), c.tls().reloadInterval());
        Config.Dns dns = c.dns().trustAnchor() == null ? c.dns() : new Config.Dns(c.dns().mode(), c.dns().servers(),
                base.resolve(c.dns().trustAnchor()).normalize(), c.dns().timeout());
        return c.toBuilder().dataDir(base.resolve(c.dataDir()).normalize()).tls(tls).dns(dns).build();
    }

    private static String valueError(List<String> path, MismatchedInputException e) {
        String prefix = "key '" + last(path) + "'" + in(path) + ": ";
        Class<?> target = e.getTargetType();
        if (e.getCause() instanceof IllegalArgumentException bad) return prefix + bad.getMessage();
        if (target == null) return prefix + firstLine(e.getOriginalMessage());
        if (target.isRecord()) return prefix + "expected a table";
        return prefix + "expected " + describe(target);
    }

    private static String describe(Class<?> type) {
        if (type == Integer.class || type == int.class) return "an integer";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (type == String.class) return "a string";
        return "a " + type.getSimpleName();
    }

    private static List<String> path(JsonMappingException e) {
        List<String> out = new ArrayList<>();
        for (JsonMappingException.Reference r : e.getPath()) {
            out.add(r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]");
        }
        return out;
    }

    private static String last(List<String> path) {
        return path.isEmpty() ? "" : path.get(path.size() - 1);
    }

    /** " in [limits]" for keys inside a table, "" at the top level. */
    static String in(List<String> path) {
        return path.size() < 2 ? "" : " in [" + String.join(".", path.subList(0, path.size() - 1)) + "]";
    }

    private static String suggestion(UnrecognizedPropertyException e) {
        Collection<Object> known = e.getKnownPropertyIds();
        if (known == null) return "";
        String best = null;
        int bestDistance = 3;
        for (Object k : known) {
            int d = distance(e.getPropertyName(), k.toString());
            if (d < bestDistance) {
                bestDistance = d;
                best = k.toString();
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static String firstLine(String s) {
        return s == null ? "invalid value" : s.lines().findFirst().orElse("invalid value").strip();
    }

    /** Reads a scalar given as a TOML string (or, where allowed, an integer) with a parse function. */
    private static class StringValueDeserializer<T> extends JsonDeserializer<T> {
        private final java.util.function.Function<String, T> parse;
        private final String expected;

        StringValueDeserializer(java.util.function.Function<String, T> parse, String expected) {
            this.parse = parse;
            this.expected = expected;
        }

        /** Null: integers are not accepted for this type. */
        T fromInteger(long n) {
            return null;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT) {
                T value = fromInteger(p.getLongValue());
                if (value != null) return value;
            }
            if (p.currentToken() != JsonToken.VALUE_STRING)
                throw MismatchedInputException.from(p, (Class<?>) null, "expected " + expected);
            try {
                return parse.apply(p.getText());
            } catch (IllegalArgumentException e) {
                throw MismatchedInputException.from(p, (Class<?>) null, e.getMessage());
            }
        }
    }

    /** Finds the line of a key in the file, so errors found after parsing can still name it. */
    static final class KeyLocator {
        private final Path file;
        private final String[] lines;

        KeyLocator(Path file, String text) {
            this.file = file;
            this.lines = text.split("\r?\n", -1);
        }

        ConfigException error(List<String> path, String message) {
            return new ConfigException(file, lineOf(path), message);
        }

        /**
         * The line defining {@code path} (table headers included), else its table's header, else 0.
         * A segment "[n]" names the n-th table of an array of tables ([[secure.address]]).
         */
        int lineOf(List<String> path) {
            if (path.isEmpty()) return 0;
            for (int i = 0; i < path.size(); i++) {
                String segment = path.get(i);
                if (!segment.matches("\\[\\d+]")) continue;
                int index = Integer.parseInt(segment.substring(1, segment.length() - 1));
                return lineOfEntry(path.subList(0, i), index, i + 1 < path.size() ? path.get(i + 1) : null);
            }
            String table = String.join(".", path.subList(0, path.size() - 1));
            String whole = String.join(".", path);
            String key = path.get(path.size() - 1);
            String current = "";
            int tableLine = 0;
            for (int i = 0; i < lines.length; i++) {
                String t = lines[i].strip();
                if (t.startsWith("[")) {
                    current = t.replaceAll("[\\[\\]\"' ]", "").replaceFirst("#.*", "");
                    if (current.equals(whole)) return i + 1;
                    if (current.equals(table)) tableLine = i + 1;
                } else if (current.equals(table) && definesKey(t, key)) {
                    return i + 1;
                } else if (current.isEmpty() && !table.isEmpty() && definesKey(t, whole)) {
                    return i + 1;
                }
            }
            return tableLine;
        }

        /** The line of {@code key} in the {@code index}-th [[table]], else that header, else the table's first line. */
        private int lineOfEntry(List<String> table, int index, String key) {
            String name = String.join(".", table);
            int seen = -1;
            int header = -1;
            for (int i = 0; i < lines.length; i++) {
                String t = lines[i].strip();
                if (!t.startsWith("[")) {
                    if (header >= 0 && key != null && definesKey(t, key)) return i + 1;
                } else if (header >= 0) {
                    break; // the next table: the key is not in this entry
                } else if (t.startsWith("[[") && t.replaceFirst("#.*", "").replaceAll("[\\[\\]\"' ]", "").equals(name) && ++seen == index) {
                    header = i;
                }
            }
            return header >= 0 ? header + 1 : lineOf(table);
        }

        private static boolean definesKey(String line, String key) {
            String unquoted = line.replaceFirst("^[\"']([^\"']*)[\"']", "$1");
            return unquoted.startsWith(key) && unquoted.substring(key.length()).stripLeading().startsWith("=");
        }
    }
}
