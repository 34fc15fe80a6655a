package dev.facebeam.runners;

/** A mistake on the command line: exit status 2. */
final class UsageException extends RuntimeException {
  UsageException(String message) {
    super(message);
  }
}
