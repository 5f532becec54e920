package io.tandem.core.config;

/**
 * A map of settings in {@code tandem.yaml} ({@code sink}, {@code router.gates}), or the template of the
 * maps in a list ({@code router.tokens[]}).
 *
 * @param type "section", or what else the value may be ("`true`, `false` or a section")
 * @param requirement when it must be present, or its default, as documented ("required", "optional", "`false`")
 */
public record Section(String path, String type, String requirement, String doc) implements ConfigDefinition {

  public static Section of(String path, String requirement, String doc) {
    return new Section(path, "section", requirement, doc);
  }

  @Override
  public String defaultDoc() {
    return requirement;
  }
}
