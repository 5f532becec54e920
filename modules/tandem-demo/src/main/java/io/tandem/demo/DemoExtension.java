package io.tandem.demo;

import io.tandem.app.CliExtension;

/** Adds {@code tandem demo} to the CLI when tandem-demo.jar is on the classpath. */
public final class DemoExtension implements CliExtension {
  @Override
  public String name() {
    return "demo";
  }

  @Override
  public Object command() {
    return new DemoCommand();
  }
}
