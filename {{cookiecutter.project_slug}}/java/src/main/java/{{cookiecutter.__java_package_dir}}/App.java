package {{ cookiecutter.java_package }};

/**
 * The Java variant's entry point: the shared JVM runtime (jvm-runtime/, {@link StreamingApp})
 * runs this variant's {@link Transform}. Exit codes: 0 stopped cleanly (SIGTERM, Ctrl-C, or an
 * available-now run that finished), 1 the query failed, 2 bad configuration.
 */
public final class App {

    private App() {
    }

    public static void main(String[] args) {
        new StreamingApp("java", Transform::apply).main(args);
    }
}
