package io.tandem.runtime;

import java.nio.file.Path;

/** The checkout the tests run in (Maven runs them in modules/&lt;module&gt;). */
public final class Repo {
  /** The repository root: holds connectors/, schemas/, docs/, tandem.example.yaml. */
  public static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();

  private Repo() {}
}
