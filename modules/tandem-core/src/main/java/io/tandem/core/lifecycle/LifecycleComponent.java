package io.tandem.core.lifecycle;

import java.util.Optional;

/**
 * A {@link Component} whose state and failure are its {@link Lifecycle}'s: the part every component
 * shares, written once. Subclasses drive {@link #lifecycle} from {@code start()}, their work and
 * {@code close()}.
 */
public abstract class LifecycleComponent implements Component {
  private final String name;
  protected final Lifecycle lifecycle;

  protected LifecycleComponent(String name) {
    this.name = name;
    this.lifecycle = new Lifecycle(name);
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public State state() {
    return lifecycle.state();
  }

  @Override
  public Optional<Throwable> failure() {
    return lifecycle.failure();
  }
}
