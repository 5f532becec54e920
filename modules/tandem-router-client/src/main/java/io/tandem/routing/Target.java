package io.tandem.routing;

/** Which database serves a read or takes a write. */
public enum Target {
  LEGACY,
  NEW
}
