package io.tandem.bench;

import io.tandem.routing.AuditEntry;
import io.tandem.routing.Command;
import io.tandem.routing.Decision;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.RoutingState;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one in-process routing decision ({@code RoutingClient.decide} is {@code RoutingState.decide}
 * on the state the client follows), for a realistic entity: an explicit key list, then two percentage
 * cohorts; and the same with a CEL rule cohort first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
public class RoutingDecisionBenchmark {
  private static final int KEYS = 1 << 16;
  private RoutingState state;
  private String[] keys;
  private Map<String, String> attributes;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    RoutingStateMachine machine = new RoutingStateMachine();
    List<Command> commands = List.of(
        new Command.DefineEntity("customer", List.of("region", "tier")),
        new Command.DefineEntity("order", List.of("region", "tier")),
        new Command.CreateCohort("customer", "vip", new Selector.Keys(Set.of("1", "2", "3")), Phase.LEGACY, -1),
        new Command.CreateCohort("customer", "canary", new Selector.Percent(100, "customer/canary"), Phase.NEW_READS, -1),
        new Command.CreateCohort("customer", "wave", new Selector.Percent(2500, "customer/wave"), Phase.SHADOW, -1),
        new Command.CreateCohort("order", "eu", new Selector.Rule("region == 'EU' && tier != 'VIP'"), Phase.SHADOW, -1),
        new Command.CreateCohort("order", "wave", new Selector.Percent(2500, "order/wave"), Phase.NEW_READS, -1));
    for (Command command : commands) {
      AuditEntry entry = machine.apply(0, new Proposal("b", machine.state().version(), "bench", "bench",
          Instant.now(), false, command));
      if (!entry.applied()) {
        throw new IllegalStateException(entry.message());
      }
    }
    state = machine.state();
    Random random = new Random(1);
    keys = new String[KEYS];
    for (int i = 0; i < KEYS; i++) {
      keys[i] = Long.toString(random.nextLong() & Long.MAX_VALUE);
    }
    attributes = Map.of("region", "US", "tier", "gold");
  }

  @Benchmark
  public Decision keysThenPercentages() {
    return state.decide("customer", keys[next++ & (KEYS - 1)], attributes);
  }

  @Benchmark
  public Decision celRuleThenPercentage() {
    return state.decide("order", keys[next++ & (KEYS - 1)], attributes);
  }
}
