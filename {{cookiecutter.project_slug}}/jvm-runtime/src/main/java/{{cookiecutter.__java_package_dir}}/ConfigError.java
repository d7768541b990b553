package {{ cookiecutter.java_package }};

import java.util.regex.Pattern;

/** A setting has a bad value; {@link #getMessage()} is the one-line message for the user. */
public final class ConfigError extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * A config error never shows the value of a setting whose name looks secret (a _FILE setting
     * holds a path, which it does show).
     */
    static final Pattern SECRET_NAME =
            Pattern.compile("PASSWORD|JAAS|SECRET|TOKEN|KEY", Pattern.CASE_INSENSITIVE);
    static final String REDACTED = "<redacted>";

    ConfigError(String message) {
        super(message, null, false, false);
    }

    /** {@code <name>=<value>: <rule>; e.g. <example>}, as in every variant. */
    static ConfigError of(String name, Object value, String rule, String example) {
        Object shown = isSecret(name) ? REDACTED : value;
        return new ConfigError(name + "=" + shown + ": " + rule + "; e.g. " + example);
    }

    static boolean isSecret(String name) {
        return SECRET_NAME.matcher(name).find() && !name.endsWith(KafkaOptions.FILE_SUFFIX);
    }
}
