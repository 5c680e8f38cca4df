package org.depesche.configfile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.RecordComponent;

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
        for (Class<?> section : new Class<?>[]{Config.class, Config.Listen.class, Config.Tls.class, Limits.class,
                Config.Submission.class, Config.Queue.class, Config.Log.class, Config.Dns.class, Config.MtaSts.class}) {
            for (RecordComponent c : section.getRecordComponents()) {
                assertThat(c.getAnnotation(Doc.class)).as(section.getSimpleName() + "." + c.getName()).isNotNull();
            }
        }
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
