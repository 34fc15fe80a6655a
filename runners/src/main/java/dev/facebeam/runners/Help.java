package dev.facebeam.runners;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.Validation;

/** The text of {@code facebeam help}: commands, and each command's options from their annotations. */
final class Help {
  private Help() {}

  static String overview(Map<String, Command> commands) {
    StringBuilder sb = new StringBuilder();
    sb.append("facebeam: InsightFace-grade face-recognition evaluation as Apache Beam pipelines\n\n");
    sb.append("usage: java -jar facebeam.jar <command> --name=value ...\n\ncommands:\n");
    sb.append(String.format("  %-14s %s%n", "help [command]", "this text, or one command's options"));
    for (Command c : commands.values()) {
      sb.append(String.format("  %-14s %s%n", c.name(), c.summary()));
    }
    sb.append("\n");
    for (Command c : commands.values()) {
      sb.append(options(c));
    }
    sb.append(runnerOptions());
    return sb.toString();
  }

  static String command(Command c) {
    return c.summary() + "\n\n" + options(c) + (c.pipeline() ? runnerOptions() : "");
  }

  private static String options(Command c) {
    StringBuilder sb = new StringBuilder(c.name() + " options:\n");
    Method[] methods = OptionValues.ownGetters(c.options()).toArray(new Method[0]);
    Arrays.sort(methods, Comparator.comparing(Method::getName));
    for (Method m : methods) {
      Description d = m.getAnnotation(Description.class);
      if (d == null) {
        continue;
      }
      String name = m.getName().startsWith("get") ? m.getName().substring(3) : m.getName().substring(2);
      name = Character.toLowerCase(name.charAt(0)) + name.substring(1);
      String def = defaultOf(m);
      boolean required = m.getAnnotation(Validation.Required.class) != null;
      sb.append(String.format("  --%s%s%n      %s%n", name,
          required ? " (required)" : def == null ? "" : " (default " + def + ")", d.value()));
    }
    return sb.append("\n").toString();
  }

  private static String defaultOf(Method m) {
    if (m.getAnnotation(Default.String.class) != null) {
      return m.getAnnotation(Default.String.class).value();
    }
    if (m.getAnnotation(Default.Integer.class) != null) {
      return Integer.toString(m.getAnnotation(Default.Integer.class).value());
    }
    if (m.getAnnotation(Default.Boolean.class) != null) {
      return Boolean.toString(m.getAnnotation(Default.Boolean.class).value());
    }
    return null;
  }

  private static String runnerOptions() {
    return """
        runner options (pipeline commands):
          --runner=FlinkRunner|DirectRunner (default FlinkRunner)
          --flinkMaster=[local]|host:port (default [local], an embedded Flink; under 'flink run', that cluster)
          --parallelism=N (default: the machine's cores on embedded Flink)
        """;
  }
}
