package {{ cookiecutter.java_package }};

/** A setting has a bad value; {@link #getMessage()} is the one-line message for the user. */
public final class ConfigError extends Exception {

    private static final long serialVersionUID = 1L;

    ConfigError(String message) {
        super(message, null, false, false);
    }

    /** {@code <name>=<value>: <rule>; e.g. <example>}, as in every variant. */
    static ConfigError of(String name, Object value, String rule, String example) {
        return new ConfigError(name + "=" + value + ": " + rule + "; e.g. " + example);
    }
}
