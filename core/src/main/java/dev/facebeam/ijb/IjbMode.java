package dev.facebeam.ijb;

import dev.facebeam.UserInputException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How image features become the vectors templates pool (docs/ijb.md): N1 keeps the network's
 * feature norm (a quality weight), N0 divides by it; D1 weights by the detector's faceness, D0
 * does not; F2 adds the mirrored face's feature, F0 uses the original alone. Written {@code N1D1F2}.
 */
public record IjbMode(boolean norm, boolean detector, boolean flip) {
  public static final IjbMode DEFAULT = new IjbMode(true, true, true);
  private static final Pattern FORM = Pattern.compile("N([01])D([01])F([02])");

  public static IjbMode parse(String option, String text) {
    Matcher m = FORM.matcher(text == null ? "" : text.strip());
    if (!m.matches()) {
      throw new UserInputException(option, "'" + text + "' is not a mode: N0|N1, D0|D1, F0|F2, e.g. N1D1F2");
    }
    return new IjbMode(m.group(1).equals("1"), m.group(2).equals("1"), m.group(3).equals("2"));
  }

  @Override
  public String toString() {
    return "N" + (norm ? 1 : 0) + "D" + (detector ? 1 : 0) + "F" + (flip ? 2 : 0);
  }
}
