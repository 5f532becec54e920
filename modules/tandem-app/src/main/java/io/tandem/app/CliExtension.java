package io.tandem.app;

/**
 * A subcommand that ships in another jar and joins {@code tandem} when that jar is on the classpath
 * (found with {@link java.util.ServiceLoader}): {@code tandem demo} lives in tandem-demo.jar, so the
 * tandem.jar that deployments run carries no in-JVM broker or database.
 */
public interface CliExtension {
  /** The subcommand's name, e.g. {@code demo}. */
  String name();

  /** A new picocli command object (annotated with {@code @Command}). */
  Object command();
}
