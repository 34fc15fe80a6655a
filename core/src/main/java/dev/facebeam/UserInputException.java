package dev.facebeam;

/**
 * Bad input, reported with where it was found (file, and a record, offset or line when known),
 * so the command line can print one line that names the culprit.
 */
public class UserInputException extends RuntimeException {
  private final String where;

  public UserInputException(String where, String message) {
    super(where + ": " + message);
    this.where = where;
  }

  public UserInputException(String where, String message, Throwable cause) {
    super(where + ": " + message, cause);
    this.where = where;
  }

  /** The file and locator at fault, e.g. {@code train.rec@offset=1024}. */
  public String where() {
    return where;
  }

  /** The message without the location prefix. */
  public String reason() {
    String m = getMessage();
    return m.startsWith(where + ": ") ? m.substring(where.length() + 2) : m;
  }
}
