package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The files in contract/ (vectors.json, settings.json) that every variant's tests read. */
public final class ContractFiles {

    private ContractFiles() {
    }

    /** contract/{@code name}; -Dcontract.dir (set by the poms) says where contract/ is. */
    public static JsonNode read(String name) {
        Path file = Path.of(System.getProperty("contract.dir", "../contract"), name);
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }
}
