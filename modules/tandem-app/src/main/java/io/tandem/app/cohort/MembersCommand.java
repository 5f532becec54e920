package io.tandem.app.cohort;

import io.tandem.app.DurationConverter;
import io.tandem.core.config.ConfigException;
import io.tandem.core.model.MappedEntity;
import io.tandem.routing.RoutingClient;
import io.tandem.runtime.ComponentName;
import io.tandem.runtime.Deployment;
import io.tandem.runtime.TandemConfig;
import io.tandem.verify.CohortMembers;
import io.tandem.verify.Verifier;
import io.tandem.verify.VerifyException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tandem cohort members ENTITY COHORT}: the customers a cohort holds, so that they can be told before their
 * data moves. Reads the routing log (Kafka) and the legacy rows through the mapping; changes nothing.
 */
@Command(name = "members", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"List the customers a cohort holds: each legacy row of the entity (through its mapping) that the"
        + " router would send to the cohort now, as its legacy primary key and new key (tab-separated; --json:"
        + " one JSON object per line). Reads the routing log and the legacy database; changes nothing."},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed", "2:invalid configuration or command line, unknown entity or cohort",
        "3:Kafka or the legacy database could not be read"})
public final class MembersCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ENTITY")
  String entity;

  @Parameters(index = "1", paramLabel = "COHORT")
  String cohort;

  @Option(names = {"-c", "--config"}, defaultValue = "tandem.yaml", paramLabel = "FILE",
      description = "Configuration file (default: ${DEFAULT-VALUE}).")
  Path config;

  @Option(names = "--json", description = "One JSON object per member and line ({\"legacyKey\",\"newKey\"}).")
  boolean json;

  @Option(names = "--timeout", defaultValue = "30s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "How long replaying the routing log may take (default: ${DEFAULT-VALUE}).")
  Duration timeout = Duration.ofSeconds(30);

  private final Map<String, String> env;
  private final PrintStream out;
  private final PrintStream err;

  public MembersCommand() {
    this(System.getenv(), System.out, System.err);
  }

  public MembersCommand(Map<String, String> env, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() throws InterruptedException {
    Deployment deployment;
    MappedEntity mapped;
    try {
      deployment = Deployment.plan(TandemConfig.load(config, env), Set.of(ComponentName.VERIFY), env);
      mapped = Verifier.select(deployment.model().entities(), List.of(entity)).get(0);
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return CohortCommand.EXIT_USAGE;
    } catch (IllegalArgumentException e) {
      err.println("tandem cohort members: " + e.getMessage());
      return CohortCommand.EXIT_USAGE;
    }
    TandemConfig tandem = deployment.config();
    String routingTopic = tandem.routingTopic();
    try (RoutingClient routing = RoutingClient.connect(tandem.kafka().clients().config(), routingTopic, timeout)) {
      Verifier.Setup setup = deployment.verifierSetup(deployment.registryClient(null));
      long version = routing.state().version();
      CohortMembers.Tally tally = CohortMembers.list(setup, mapped, routing.state(), cohort, member -> {
        if (json) {
          out.println(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
              .put("legacyKey", member.legacyKey()).put("newKey", member.newKey()));
        } else {
          out.println(member.legacyKey() + "\t" + member.newKey());
        }
      });
      err.println(tally.members() + " members of cohort " + cohort + " of " + entity + " at routing version " + version
          + (tally.unmappable() == 0 ? "" : "; " + tally.unmappable() + " legacy rows the mapping refuses are in no"
          + " cohort (tandem verify --entity " + entity + " names them)"));
      return CohortCommand.EXIT_OK;
    } catch (VerifyException e) {
      err.println("tandem cohort members: " + e.getMessage());
      return e.badRequest() ? CohortCommand.EXIT_USAGE : CohortCommand.EXIT_UNAVAILABLE;
    } catch (java.util.concurrent.TimeoutException e) {
      err.println("tandem cohort members: routing log " + routingTopic + " not replayed within " + timeout);
      return CohortCommand.EXIT_UNAVAILABLE;
    } catch (RuntimeException e) {
      err.println("tandem cohort members: " + e.getMessage());
      return CohortCommand.EXIT_UNAVAILABLE;
    }
  }
}
