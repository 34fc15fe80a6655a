package dev.facebeam.codec.image;

/** An image that cannot be decoded; the record is rejected with this reason. */
public final class ImageDecodeException extends Exception {
  public ImageDecodeException(String message) {
    super(message);
  }

  public ImageDecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
