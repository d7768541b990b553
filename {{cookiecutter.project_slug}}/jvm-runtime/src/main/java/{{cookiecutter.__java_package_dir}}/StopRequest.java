package {{ cookiecutter.java_package }};

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import sun.misc.Signal;

/**
 * SIGTERM and Ctrl-C (SIGINT) ask the run loop to stop the query. The handler replaces the JVM's
 * default one, which would run shutdown hooks and exit with 143 or 130 while the query is still
 * writing; later signals are ignored so that a second Ctrl-C cannot cut the stop short.
 * sun.misc.Signal is the supported JDK API for this (module jdk.unsupported).
 */
final class StopRequest {

    private final AtomicReference<String> signal = new AtomicReference<>();

    private StopRequest() {
    }

    static StopRequest install() {
        StopRequest request = new StopRequest();
        for (String name : List.of("TERM", "INT")) {
            try {
                Signal.handle(new Signal(name), received ->
                        request.signal.compareAndSet(null, "SIG" + received.getName()));
            } catch (IllegalArgumentException notAvailable) {
                // the JVM runs with -Xrs or the signal is reserved: keep the default
            }
        }
        return request;
    }

    boolean requested() {
        return signal.get() != null;
    }

    String signal() {
        return signal.get();
    }
}
