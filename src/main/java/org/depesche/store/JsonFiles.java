package org.depesche.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * One value per JSON file, as the downgrade memory and the MTA-STS cache keep
 * them: indented for an operator who looks, replaced whole with
 * {@link Durable#replace}, and read by a later version that added fields.
 */
public final class JsonFiles {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonFiles() {
    }

    /** The value in {@code file}; empty if there is no such file, an IOException if it cannot be read or parsed. */
    public static <T> Optional<T> read(Path file, Class<T> type) throws IOException {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(file), type));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** Replaces {@code file} with {@code value}, durably (see {@link Durable#replace}). */
    public static void replace(Path file, Object value) throws IOException {
        Durable.replace(file, JSON.writeValueAsBytes(value));
    }
}
