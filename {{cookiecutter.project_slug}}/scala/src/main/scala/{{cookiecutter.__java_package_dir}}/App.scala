package {{ cookiecutter.java_package }}

/** The Scala variant's entry point: the shared JVM runtime (jvm-runtime/, StreamingApp) runs this
  * variant's Transform. Exit codes: 0 stopped cleanly (SIGTERM, Ctrl-C, or an available-now run
  * that finished), 1 the query failed, 2 bad configuration.
  */
object App {

  def main(args: Array[String]): Unit =
    new StreamingApp("scala", records => Transform(records)).main(args)
}
