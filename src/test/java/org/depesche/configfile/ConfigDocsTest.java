package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.depesche.config.Config;
import org.depesche.config.Doc;
import org.depesche.config.Limits;

class ConfigDocsTest {

    @Test
    void theReadmeConfigurationReferenceIsUpToDate() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String current = ConfigDocs.between(readme);
        assertThat(current)
                .as("README.md needs the markers %s and %s", ConfigDocs.START, ConfigDocs.END)
                .isNotNull();
        assertThat(current)
                .as("README.md's configuration reference is stale; regenerate it with: %s", ConfigDocs.REGENERATE)
                .isEqualTo(ConfigDocs.markdown());
    }

    @Test
    void everyKeyOfEverySectionIsDocumentedWithItsDefault() {
        String md = ConfigDocs.markdown();
        assertThat(md).contains("| `hostname` | `\"localhost\"` |");
        assertThat(md).contains("#### `[listen]`");
        assertThat(md).contains("| `smtp` | `\"127.0.0.1:2525\"` |");
        assertThat(md).contains("| `max_connections_per_ip` | `20` |");
        assertThat(md).contains("| `command_timeout` | `\"5m\"` |");
        assertThat(md).contains("| `max_message_size` | `\"50M\"` |");
        assertThat(md).contains("| `received_client_ip` | `false` |");
        List<Class<?>> sections = new ArrayList<>(List.of(Config.class));
        for (RecordComponent c : Config.class.getRecordComponents()) {
            if (c.getType().isRecord()) {
                sections.add(c.getType());
                assertThat(md).as("section of " + c.getName()).contains("#### `[" + snake(c.getName()) + "]`");
            }
        }
        for (Class<?> section : sections) {
            for (RecordComponent c : section.getRecordComponents()) {
                if (section == Config.class && c.getType().isRecord()) continue;
                assertThat(md).as(section.getSimpleName() + "." + c.getName()).contains("| `" + snake(c.getName()) + "` | `");
            }
        }
    }

    @Test
    void everyConfigRecordAndEachOfItsComponentsCarriesDoc() {
        Set<Class<?>> records = reachableRecords(Config.class, new LinkedHashSet<>());
        // Every record the package declares for the file is reached, so none can hide from this walk.
        Set<Class<?>> declared = new LinkedHashSet<>(List.of(Config.class, Limits.class));
        for (Class<?> nested : Config.class.getDeclaredClasses()) if (nested.isRecord()) declared.add(nested);
        assertThat(records).containsExactlyInAnyOrderElementsOf(declared);
        for (Class<?> record : records) {
            assertThat(record.getAnnotation(Doc.class)).as(record.getSimpleName()).isNotNull();
            for (RecordComponent c : record.getRecordComponents()) {
                assertThat(c.getAnnotation(Doc.class)).as(record.getSimpleName() + "." + c.getName()).isNotNull();
                assertThat(c.getAnnotation(Doc.class).value()).as(record.getSimpleName() + "." + c.getName()).isNotBlank();
            }
        }
    }

    /**
     * {@code type} and every record its components hold, directly or as the
     * elements of a list; a record written as one string (it has a static
     * parse(String), like HostPort) is a value, not a table.
     */
    private static Set<Class<?>> reachableRecords(Class<?> type, Set<Class<?>> seen) {
        if (!seen.add(type)) return seen;
        for (RecordComponent c : type.getRecordComponents()) {
            Class<?> held = c.getType();
            if (c.getGenericType() instanceof ParameterizedType p && p.getActualTypeArguments()[0] instanceof Class<?> element)
                held = element;
            if (held.isRecord() && !writtenAsOneString(held)) reachableRecords(held, seen);
        }
        return seen;
    }

    private static boolean writtenAsOneString(Class<?> type) {
        try {
            return Modifier.isStatic(type.getMethod("parse", String.class).getModifiers());
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    private static String snake(String name) {
        return name.replaceAll("([A-Z])", "_$1").toLowerCase(Locale.ROOT);
    }

    @Test
    void theCommentedExampleFileLoadsBackToTheSameConfiguration(@TempDir Path dir) throws Exception {
        Path example = dir.resolve("example.toml");
        Files.writeString(example, ConfigDocs.exampleToml(ConfigDocs.defaults(), "Depesche test"));
        Path empty = dir.resolve("empty.toml");
        Files.writeString(empty, "");
        assertThat(ConfigLoader.load(example)).isEqualTo(ConfigLoader.load(empty));
        assertThat(Files.readString(example)).startsWith("# Depesche test\n").contains("[limits]\n");
    }

    @Test
    void writingIntoAFileReplacesOnlyTheTextBetweenTheMarkers(@TempDir Path dir) throws Exception {
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, "intro\n" + ConfigDocs.START + "\nold\n" + ConfigDocs.END + "\noutro\n");
        ConfigDocs.writeInto(readme);
        String text = Files.readString(readme);
        assertThat(text).startsWith("intro\n" + ConfigDocs.START + "\n").endsWith(ConfigDocs.END + "\noutro\n");
        assertThat(ConfigDocs.between(text)).isEqualTo(ConfigDocs.markdown());
    }
}
