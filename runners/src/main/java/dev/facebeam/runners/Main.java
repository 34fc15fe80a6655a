package dev.facebeam.runners;

import dev.facebeam.UserInputException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.runners.flink.FlinkRunner;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * {@code java -jar facebeam.jar <command> --name=value ...}. Pipelines run on Flink: embedded
 * ({@code [local]}) unless {@code --flinkMaster=host:port} names a cluster or {@code flink run}
 * launched us; {@code --runner=DirectRunner} works too. Exit status: 0 done, 1 failed (one line on
 * stderr naming the file and record at fault), 2 a mistake on the command line.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ProcessTemp.install();
    int status = run(args, System.out, System.err);
    if (status != 1 || RunLog.written() == null) {
      RunLog.discard();
    }
    ProcessTemp.cleanUp(); // the job is over; the shutdown hook sweeps again for what Flink's hooks leave
    System.exit(status);
  }

  public static int run(String[] args, PrintStream out, PrintStream err) {
    quietLogs();
    // DJL must never download (docs/stack.md): the native libraries come in the jar.
    dev.facebeam.models.DjlSettings.offline();
    Map<String, Command> commands = Commands.all();
    if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
      if (args.length > 1 && commands.containsKey(args[1])) {
        out.print(Help.command(commands.get(args[1])));
      } else {
        out.print(Help.overview(commands));
      }
      return 0;
    }
    Command command = commands.get(args[0]);
    if (command == null) {
      err.println("facebeam: unknown command '" + args[0] + "' (commands: help, " + String.join(", ", commands.keySet()) + ")");
      return 2;
    }
    PipelineOptions options;
    try {
      options = parse(command, Arrays.copyOfRange(args, 1, args.length), commands);
    } catch (UsageException | IllegalArgumentException e) {
      err.println("facebeam " + command.name() + ": " + oneLine(e.getMessage()) + " (see 'facebeam help " + command.name() + "')");
      return 2;
    }
    try {
      out.println(command.action().run(options));
      return 0;
    } catch (Throwable t) {
      java.nio.file.Path log = RunLog.written();
      err.println("facebeam " + command.name() + " failed: " + describe(t) + (log == null ? "" : " (full log: " + log + ")"));
      return 1;
    }
  }

  static PipelineOptions parse(Command command, String[] args, Map<String, Command> commands) {
    Set<String> mine = OptionValues.propertyNames(command.options());
    Set<String> others = new HashSet<>();
    for (Command c : commands.values()) {
      others.addAll(OptionValues.propertyNames(c.options()));
    }
    others.removeAll(mine);
    boolean hasRunner = false;
    boolean hasMaster = false;
    boolean hasParallelism = false;
    boolean hasFasterCopy = false;
    // train and lr-probe: any other --name=value overrides the config field of that name.
    StringBuilder overrides = new StringBuilder();
    if (dev.facebeam.train.TrainOptions.class.isAssignableFrom(command.options())) {
      Set<String> fields = dev.facebeam.train.TrainConfig.fields();
      List<String> kept = new ArrayList<>();
      for (String a : args) {
        String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : "";
        if (!mine.contains(name) && fields.contains(name)) {
          overrides.append(a.substring(2)).append('\n');
        } else {
          kept.add(a);
        }
      }
      args = kept.toArray(new String[0]);
    }
    for (String a : args) {
      if (!a.startsWith("--")) {
        throw new UsageException("unexpected argument '" + a + "' (options look like --name=value)");
      }
      String name = a.substring(2).split("=", 2)[0];
      if (others.contains(name)) {
        throw new UsageException("option --" + name + " does not apply to '" + command.name() + "'");
      }
      hasRunner |= name.equals("runner");
      hasMaster |= name.equals("flinkMaster");
      hasParallelism |= name.equals("parallelism");
      hasFasterCopy |= name.equals("fasterCopy");
    }
    List<Class<?>> interfaces = new ArrayList<>(List.of(command.options(), FlinkPipelineOptions.class));
    interfaces.addAll(PipelineOptionsFactory.getRegisteredOptions());
    OptionValues.check(Arrays.asList(args), OptionValues.types(interfaces.toArray(new Class<?>[0])), mine);
    for (String a : args) {
      if (a.startsWith("--parallelism=") && !a.substring("--parallelism=".length()).strip().matches("[1-9]\\d*")) {
        throw new UsageException("--parallelism: '" + a.substring("--parallelism=".length()) + "' is not a number of parallel tasks"
            + " (allowed: 1 or more; default: this machine's cores)");
      }
    }
    List<String> all = new ArrayList<>(Arrays.asList(args));
    if (!hasRunner) {
      all.add("--runner=" + FlinkRunner.class.getSimpleName());
    }
    boolean cli = launchedByFlinkCli();
    if (!hasMaster) {
      all.add("--flinkMaster=" + (cli ? "[auto]" : "[local]"));
    }
    // A cluster named by host:port must answer (the progress line reads its REST API).
    String master = all.stream().filter(a -> a.startsWith("--flinkMaster=")).map(a -> a.substring("--flinkMaster=".length()))
        .reduce((a, b) -> b).orElse("");
    if (master.matches("[^\\[\\]/]+:\\d+")) {
      reachable(master); // the stages read the cluster's REST address from --flinkMaster in their options
    }
    if (!hasParallelism && !cli) {
      // Embedded Flink otherwise runs everything in one slot; use every core of this machine.
      all.add("--parallelism=" + Runtime.getRuntime().availableProcessors());
    }
    if (!hasFasterCopy) {
      // Our elements are immutable protobufs: Flink need not copy them between chained operators.
      all.add("--fasterCopy=true");
    }
    PipelineOptionsFactory.register(command.options());
    PipelineOptions options = PipelineOptionsFactory.fromArgs(all.toArray(new String[0])).withValidation().as(command.options());
    options.as(FlinkPipelineOptions.class).setJobName("facebeam-" + command.name());
    if (overrides.length() > 0) {
      options.as(dev.facebeam.train.TrainOptions.class).setOverrides(overrides.toString());
    }
    return options;
  }

  /**
   * A cluster address must answer before a job is built: Flink's client would retry for a minute
   * and end in a page of "Connection refused" that never names the flag.
   */
  static void reachable(String master) {
    int colon = master.lastIndexOf(':');
    String host = master.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(master.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException("--flinkMaster=" + master + ": the port is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new UsageException("--flinkMaster=" + master + ": port " + port + " is out of range (1 to 65535)");
    }
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(host, port), 3000);
    } catch (java.io.IOException e) {
      throw new UsageException("--flinkMaster=" + master + ": no Flink JobManager answers at " + host + ":" + port
          + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + "); start the cluster, "
          + "or leave the flag out to run on the embedded Flink");
    }
  }

  /** Under {@code flink run} the client installs a context environment; then submit to that cluster. */
  private static boolean launchedByFlinkCli() {
    try {
      Class<?> env = Class.forName("org.apache.flink.api.java.ExecutionEnvironment");
      Object e = env.getMethod("getExecutionEnvironment").invoke(null);
      return e.getClass().getSimpleName().contains("Context");
    } catch (ReflectiveOperationException | LinkageError e) {
      return false;
    }
  }

  /** The one line a user needs: the bad file and record when the failure came from input. */
  static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UserInputException ce) {
        return oneLine(ce.getMessage());
      }
    }
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    if (msg == null || msg.isBlank()) {
      msg = root.getClass().getSimpleName();
    } else if (!(root instanceof RuntimeException) || root.getClass() != RuntimeException.class) {
      msg = root.getClass().getSimpleName() + ": " + msg;
    }
    return oneLine(msg);
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String first = s.strip().replaceAll("\\s*\\R\\s*", " ");
    return first.length() > 1000 ? first.substring(0, 1000) + "…" : first;
  }

  /** The libraries log to this process's file (RunLog), never between facebeam's lines on the console. */
  private static void quietLogs() {
    if (RunLog.start() == null && System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
  }
}
