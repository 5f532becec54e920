package io.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.kafka.KafkaClients;
import io.tandem.routing.status.StatusCodec;
import io.tandem.routing.status.StatusPublisher;
import io.tandem.routing.status.StatusRecord;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The web console in a real browser (Debian's headless Chromium through its ChromeDriver) against the demo's real
 * router and pipeline (embedded PostgreSQL, in-JVM Kafka, Debezium, the verifier): the figures it shows are the
 * API's, an operator creates and promotes a cohort and is refused by the gate, an admin forces the promotion and
 * rolls it back, and a viewer can do none of it.
 *
 * <p>Skipped, saying why, where Chromium or ChromeDriver is not installed, unless {@code TANDEM_REQUIRE_BROWSER}
 * is set (CI sets it: {@code .ci/run} installs both).
 */
class ConsoleBrowserIT {
  private static final Path ROOT = Path.of("../..").toAbsolutePath().normalize();
  private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("TANDEM_CHROMIUM", "/usr/bin/chromium"));
  private static final Path CHROMEDRIVER = Path.of(System.getenv().getOrDefault("TANDEM_CHROMEDRIVER",
      "/usr/bin/chromedriver"));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static DemoCommand demo;
  private static CompletableFuture<Integer> demoExit;
  private static String base;
  private static ChromeDriver browser;
  private static WebDriverWait wait;

  @BeforeAll
  static void startDemoAndBrowser() throws Exception {
    boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!installed && System.getenv("TANDEM_REQUIRE_BROWSER") == null) {
      Assumptions.abort("no headless browser here: " + CHROMIUM + " and " + CHROMEDRIVER + " are needed (Debian"
          + " packages chromium and chromium-driver; .ci/run installs them)");
    }
    assertThat(installed).as("TANDEM_REQUIRE_BROWSER is set but " + CHROMIUM + " or " + CHROMEDRIVER
        + " is missing").isTrue();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    base = "http://127.0.0.1:" + port;
    demo = new DemoCommand();
    CommandLine cli = new CommandLine(demo);
    // One verifier pass at the start and none after: the gate then refuses a new cohort's promotion, always.
    String[] args = {"--customers", "300", "--rate", "20", "--metrics-port", "0", "--console-port",
        Integer.toString(port), "--verify-every", "1h", "--home", ROOT.toString()};
    demoExit = CompletableFuture.supplyAsync(() -> cli.execute(args));
    awaitTrue("the demo's router answers and the snapshot is done", Duration.ofSeconds(180), () -> {
      JsonNode overview = overview(DemoConsole.VIEWER_TOKEN);
      return overview != null && overview.path("snapshot").size() > 0 && allFinished(overview.path("snapshot"))
          && overview.path("stages").size() >= 3 && !overview.path("entities").path(0).path("verifications").isEmpty();
    });

    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--window-size=1400,2400",
        "--user-data-dir=" + Files.createTempDirectory("tandem-chromium"));
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
    wait = new WebDriverWait(browser, Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (demo != null) {
      demo.stop();
      assertThat(demoExit.get()).as("the demo still converges (exit 0) after the console's changes").isZero();
    }
  }

  @Test
  void theConsoleShowsTheApisFiguresAndActsWithTheCallersRole() throws Exception {
    // ---- a viewer: the figures, and no way to change anything ----
    signIn(DemoConsole.VIEWER_TOKEN);
    assertThat(text(By.id("who"))).contains("demo-viewer (viewer): read only");
    waitFor("stage rows", () -> browser.findElements(By.cssSelector("#stages tbody tr[data-stage]")).size() >= 3);
    assertThat(browser.findElements(By.cssSelector("button[data-action]"))).as("action buttons for a viewer")
        .isEmpty();
    figuresMatchTheApi();
    Number refused = (Number) ((JavascriptExecutor) browser).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "fetch('/v1/entities/customer/cohorts', {method: 'POST', headers: {'Content-Type': 'application/json',"
            + " Authorization: 'Bearer ' + sessionStorage.getItem('tandem.console.token')},"
            + " body: JSON.stringify({name: 'sneaky', percent: 50, reason: 'viewer tries'})}).then(r => done(r.status));");
    assertThat(refused.intValue()).as("the API answers a viewer's change from the console page").isEqualTo(403);
    signOut();

    // ---- an operator: create and promote; the gate refuses the gated step and there is no way around it ----
    signIn(DemoConsole.OPERATOR_TOKEN);
    click(By.cssSelector("section[data-entity='customer'] button[data-action='create']"));
    assertThat(browser.switchTo().activeElement().getAttribute("id")).as("focus on the dialog's first field")
        .isEqualTo("action-name");
    browser.switchTo().activeElement().sendKeys("pilot");
    WebElement percent = browser.findElement(By.id("action-percent"));
    percent.clear();
    percent.sendKeys("5");
    confirmWithReason("first 5 % of customers");
    waitFor("the new cohort on the page", () -> phase("pilot").startsWith("LEGACY"));
    assertThat(apiCohort("pilot").path("selector").path("percent").asDouble()).isEqualTo(5.0);
    assertThat(text(By.cssSelector("section[data-entity='customer'] tr[data-cohort='pilot'] td[data-field='holds']")))
        .isEqualTo("5 % of keys");

    promote("pilot");
    assertThat(browser.switchTo().activeElement().getAttribute("id")).as("focus on the reason").isEqualTo(
        "action-reason");
    confirmWithReason("shadow reads for the pilot");
    waitFor("pilot in SHADOW", () -> phase("pilot").startsWith("SHADOW"));
    assertThat(apiCohort("pilot").path("phase").asText()).isEqualTo("SHADOW");

    // The newest verification of the pilot found a difference (published as the verifier publishes its passes):
    // the gate must refuse the next step, whatever the verifier's own pass at the start found.
    try (StatusPublisher publisher = new StatusPublisher(KafkaClients.of(demo.kafkaBootstrapServers),
        StatusCodec.DEFAULT_TOPIC, (short) 1)) {
      Instant now = Instant.now();
      publisher.publish(List.of(new StatusRecord.Verification("customer", "pilot", false, now.minusSeconds(1), now,
          apiVersion(), 15, 1, null, List.of(new StatusRecord.Verification.Sample("17", "different",
              List.of("email"), false)))));
    }
    By pilotPass = By.cssSelector("section[data-entity='customer'] table.verifications tr[data-cohort='pilot']");
    waitFor("the pilot's verification on the page", () -> !browser.findElements(pilotPass).isEmpty());
    assertThat(browser.findElement(pilotPass).getText()).contains("1 difference").contains("17: different (email)");
    waitFor("the gate's refusal in the cohort row", () -> browser.findElement(By.cssSelector(
        "section[data-entity='customer'] table.cohorts tr[data-cohort='pilot']")).getText().contains("refused"));

    promote("pilot");
    assertThat(text(By.id("action-gate"))).contains("The promotion gate refuses this now")
        .contains("Only an admin may force");
    assertThat(browser.findElement(By.id("action-force")).isDisplayed()).as("force offered to an operator").isFalse();
    confirmWithReason("reads to new for the pilot");
    waitFor("the gate's refusal in the dialog", () -> text(By.id("action-error")).contains("Promotion gate refused"));
    click(By.id("action-cancel"));
    assertThat(apiCohort("pilot").path("phase").asText()).as("refused: still SHADOW").isEqualTo("SHADOW");
    signOut();

    // ---- an admin: forces it, seeing what it overrides, then rolls it back from the audit log ----
    signIn(DemoConsole.ADMIN_TOKEN);
    promote("pilot");
    WebElement force = browser.findElement(By.id("action-force"));
    assertThat(force.isDisplayed()).isTrue();
    assertThat(force.getText()).startsWith("Force past the promotion gate (admin), overriding:")
        .contains("verification");
    click(By.id("action-force-box"));
    confirmWithReason("verified by hand, ticket OPS-7");
    waitFor("pilot in NEW_READS", () -> phase("pilot").startsWith("NEW_READS"));
    JsonNode forced = latestAudit();
    assertThat(forced.path("command").path("phase").asText()).isEqualTo("NEW_READS");
    assertThat(forced.path("gate").path("forced").asBoolean()).as("the audit records the override").isTrue();
    assertThat(forced.path("actor").asText()).isEqualTo("demo-admin");
    long forcedVersion = forced.path("version").asLong();
    By row = By.cssSelector("#audit tr[data-version='" + forcedVersion + "']");
    waitFor("the forced promotion in the audit table", () -> !browser.findElements(row).isEmpty()
        && browser.findElement(row).getText().contains("FORCED"));

    click(By.cssSelector("#audit tr[data-version='" + forcedVersion + "'] button[data-action='rollback']"));
    assertThat(text(By.id("action-title"))).isEqualTo("Roll back the routing to version " + (forcedVersion - 1));
    browser.findElement(By.id("action-reason")).sendKeys("undo the forced promotion");
    click(By.id("action-submit"));
    assertThat(browser.findElement(By.id("action-dialog")).getAttribute("open")).as("a rollback needs its box ticked")
        .isNotNull();
    click(By.id("action-confirm-box"));
    click(By.id("action-submit"));
    waitFor("pilot back in SHADOW", () -> phase("pilot").startsWith("SHADOW"));
    JsonNode rollback = latestAudit();
    assertThat(rollback.path("command").path("type").asText()).isEqualTo("rollback_to");
    assertThat(rollback.path("command").path("version").asLong()).isEqualTo(forcedVersion - 1);
    assertThat(rollback.path("rollback").asBoolean()).isTrue();
    assertThat(apiCohort("pilot").path("phase").asText()).isEqualTo("SHADOW");
    figuresMatchTheApi();

    assertAccessible("the console signed in as an admin, with a cohort, verifications and the audit log");
    promote("pilot");
    assertAccessible("the console with the promotion dialog open");
    click(By.id("action-cancel"));

    ((JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
    Path shot = Path.of("target", "console.png");
    Files.write(shot, ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    assertThat(browser.getPageSource()).as("the signed-in token is not in the page").doesNotContain(
        DemoConsole.ADMIN_TOKEN);
  }

  /**
   * No violation of the WCAG 2.1 A and AA rules axe-core checks (npm {@code axe-core}, pinned in
   * interop/browser, installed with {@code npm ci} when missing; injected through WebDriver, which the page's
   * Content-Security-Policy does not govern).
   */
  private static void assertAccessible(String what) throws Exception {
    Path dir = ROOT.resolve("interop/browser");
    Path axe = dir.resolve("node_modules/axe-core/axe.min.js");
    if (!Files.exists(axe)) {
      Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      assertThat(npm.waitFor(300, java.util.concurrent.TimeUnit.SECONDS) && npm.exitValue() == 0)
          .as("npm ci in " + dir + " (installs axe-core)").isTrue();
    }
    JavascriptExecutor js = (JavascriptExecutor) browser;
    js.executeScript(Files.readString(axe));
    Object answer = js.executeAsyncScript("const done = arguments[arguments.length - 1];"
        + "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        + ".then(r => done(JSON.stringify({passes: r.passes.length, violations: r.violations.map(v => ({id: v.id,"
        + " impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))})))"
        + ".catch(e => done(JSON.stringify({error: String(e)})));");
    JsonNode result = JSON.readTree(String.valueOf(answer));
    assertThat(result.path("passes").asInt()).as("rules axe checked and passed on " + what + ": " + result)
        .isGreaterThan(10);
    assertThat(result.path("violations").toString()).as("accessibility violations of " + what).isEqualTo("[]");
  }

  /** What the page shows equals what the API answers (the figures that do not move between two reads). */
  private static void figuresMatchTheApi() {
    waitFor("the page's figures to equal the API's", () -> {
      Map<String, String> shown = shownFigures();
      Map<String, String> api = apiFigures(overview(DemoConsole.ADMIN_TOKEN));
      return shown.equals(api);
    });
    // Records move while the pipeline runs: what the page shows lies between none and what the API says after.
    Map<String, Long> shownRecords = new TreeMap<>();
    for (WebElement row : browser.findElements(By.cssSelector("#stages tbody tr[data-stage]"))) {
      shownRecords.put(row.getAttribute("data-stage"), Long.parseLong(row.findElement(
          By.cssSelector("td[data-field='records']")).getText().replace(",", "")));
    }
    Map<String, Long> apiRecords = new TreeMap<>();
    overview(DemoConsole.ADMIN_TOKEN).path("stages").forEach(stage -> apiRecords.put(stage.path("stage").asText(),
        stage.path("records").asLong()));
    assertThat(shownRecords.keySet()).as("stages shown").containsExactlyElementsOf(apiRecords.keySet())
        .contains("capture", "transform", "sink");
    shownRecords.forEach((stage, records) -> assertThat(records).as("records of " + stage).isPositive()
        .isLessThanOrEqualTo(apiRecords.get(stage)));
  }

  private static Map<String, String> shownFigures() {
    Map<String, String> figures = new TreeMap<>();
    for (WebElement row : browser.findElements(By.cssSelector("#snapshot tbody tr[data-table]"))) {
      figures.put("snapshot " + row.getAttribute("data-table"),
          row.findElement(By.cssSelector("td[data-field='done']")).getText().replace(",", ""));
    }
    for (WebElement row : browser.findElements(By.cssSelector("#dead-letters tbody tr[data-stage]"))) {
      figures.put("dlq " + row.getAttribute("data-stage"),
          row.findElement(By.cssSelector("td[data-field='deadLetters']")).getText().replace(",", ""));
    }
    for (WebElement entity : browser.findElements(By.cssSelector("section[data-entity]"))) {
      String name = entity.getAttribute("data-entity");
      for (WebElement row : entity.findElements(By.cssSelector("table.verifications tr[data-cohort]"))) {
        figures.put("verified " + name + " " + row.getAttribute("data-cohort"),
            row.findElement(By.cssSelector("td[data-field='result']")).getText());
      }
      for (WebElement row : entity.findElements(By.cssSelector("table.cohorts tr[data-cohort]"))) {
        figures.put("cohort " + name + " " + row.getAttribute("data-cohort"),
            row.findElement(By.cssSelector("td[data-field='phase']")).getText().split(" ")[0] + " "
                + row.findElement(By.cssSelector("td[data-field='holds']")).getText());
      }
    }
    figures.put("version", text(By.id("updated")).replaceAll("^Routing version (\\d+);.*$", "$1"));
    return figures;
  }

  private static Map<String, String> apiFigures(JsonNode overview) {
    Map<String, String> figures = new TreeMap<>();
    for (JsonNode table : overview.path("snapshot")) {
      figures.put("snapshot " + table.path("table").asText(), table.path("done").asLong() + " / "
          + (table.path("estimated").asLong() < 0 ? "?" : table.path("estimated").asLong()));
    }
    overview.path("deadLetters").fields().forEachRemaining(e -> figures.put("dlq " + e.getKey(),
        Long.toString(e.getValue().asLong())));
    for (JsonNode entity : overview.path("entities")) {
      String name = entity.path("entity").asText();
      for (JsonNode pass : entity.path("verifications")) {
        long differences = pass.path("differences").asLong();
        figures.put("verified " + name + " " + pass.path("cohort").asText(), pass.path("clean").asBoolean() ? "clean"
            : differences + (differences == 1 ? " difference" : " differences"));
      }
      for (JsonNode cohort : entity.path("cohorts")) {
        JsonNode selector = cohort.path("selector");
        figures.put("cohort " + name + " " + cohort.path("name").asText(), cohort.path("phase").asText() + " "
            + (selector.path("kind").asText().equals("percent") ? selector.path("percent").asText().replaceAll(
                "\\.0$", "") + " % of keys" : selector.path("kind").asText()));
      }
    }
    figures.put("version", overview.path("routingVersion").asText());
    return figures;
  }

  // ---- browser steps ----

  private static void signIn(String token) {
    browser.get(base + "/console");
    browser.findElement(By.id("token")).sendKeys(token);
    click(By.cssSelector("#login-form button[type='submit']"));
    waitFor("the console after signing in", () -> browser.findElement(By.id("console")).isDisplayed());
  }

  private static void signOut() {
    click(By.id("logout"));
    waitFor("the sign-in form", () -> browser.findElement(By.id("login")).isDisplayed());
  }

  private static void promote(String cohort) {
    click(By.cssSelector("section[data-entity='customer'] tr[data-cohort='" + cohort
        + "'] button[data-action='promote']"));
    waitFor("the action dialog", () -> browser.findElement(By.id("action-dialog")).isDisplayed());
  }

  private static void confirmWithReason(String reason) {
    browser.findElement(By.id("action-reason")).sendKeys(reason);
    click(By.id("action-submit"));
  }

  private static String phase(String cohort) {
    List<WebElement> cells = browser.findElements(By.cssSelector("section[data-entity='customer'] tr[data-cohort='"
        + cohort + "'] td[data-field='phase']"));
    return cells.isEmpty() ? "" : cells.get(0).getText();
  }

  private static void click(By what) {
    wait.until(driver -> {
      WebElement element = driver.findElement(what);
      return element.isDisplayed() && element.isEnabled() ? element : null;
    }).click();
  }

  private static String text(By what) {
    return browser.findElement(what).getText();
  }

  private static void waitFor(String what, Supplier<Boolean> condition) {
    wait.withMessage(() -> what + "; the page's message: '" + browser.findElement(By.id("message")).getText()
        + "', dialog error: '" + browser.findElement(By.id("action-error")).getText() + "', entities: "
        + browser.findElement(By.id("entities")).getText()).until(driver -> {
      try {
        return condition.get();
      } catch (org.openqa.selenium.StaleElementReferenceException e) {
        return false; // the page re-rendered under us: look again
      }
    });
  }

  // ---- the API, read directly ----

  private static JsonNode overview(String token) {
    return get("/v1/console/overview", token);
  }

  private static JsonNode apiCohort(String name) {
    for (JsonNode cohort : get("/v1/entities/customer/cohorts", DemoConsole.ADMIN_TOKEN).path("cohorts")) {
      if (cohort.path("name").asText().equals(name)) {
        return cohort;
      }
    }
    throw new AssertionError("no cohort " + name + " in the API's answer");
  }

  private static long apiVersion() {
    return get("/v1/version", DemoConsole.ADMIN_TOKEN).path("version").asLong();
  }

  private static JsonNode latestAudit() {
    JsonNode entries = get("/v1/audit?limit=1", DemoConsole.ADMIN_TOKEN).path("entries");
    return entries.get(0);
  }

  private static JsonNode get(String path, String token) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
          .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean allFinished(JsonNode tables) {
    List<Boolean> finished = new ArrayList<>();
    tables.forEach(t -> finished.add(t.path("finished").asBoolean()));
    return !finished.contains(false);
  }

  private static void awaitTrue(String what, Duration timeout, Supplier<Boolean> condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.get()) {
      if (demoExit.isDone()) {
        throw new AssertionError("the demo ended (exit " + demoExit.get() + ") before " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(500);
    }
  }
}
