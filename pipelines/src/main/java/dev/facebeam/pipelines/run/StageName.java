package dev.facebeam.pipelines.run;

import dev.facebeam.UserInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The stages {@code run} chains, in the order they run; {@code --stages} and {@code --from} name them. */
public enum StageName {
  INGEST, EMBED, VERIFY, MEGAFACE, IJB;

  /** Every stage, as {@code --stages} takes them. */
  public static final String ALL = "ingest,embed,verify,megaface,ijb";

  /** The stage a flag names; an unknown name is an error naming the flag and the stages. */
  public static StageName parse(String flag, String name) {
    for (StageName s : values()) {
      if (s.toString().equals(name)) {
        return s;
      }
    }
    throw new UserInputException(flag, "unknown stage '" + name + "' (stages: "
        + Arrays.stream(values()).map(StageName::toString).collect(Collectors.joining(", ")) + ")");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
