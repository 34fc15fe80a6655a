package dev.facebeam.io;

import dev.facebeam.UserInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * One writer per output at a time (docs/outputs.md): an exclusive lock on a hidden file beside the
 * output ({@code .NAME.lock}), held from the start of a stage's write to its commit or abort. A
 * second facebeam process writing the same output gets one line naming the first one's pid.
 *
 * <p>The lock file is removed on release. A process that opened it just before that holds a lock on
 * a file no longer at the path; it sees so because the path's inode changed between its look before
 * opening and its look after locking, and tries again. (POSIX record locks end when the process
 * closes any descriptor of the file, so the file is never opened twice in one process: this JVM's
 * own locks are kept in {@link #HELD} and checked first.)
 */
final class OutputLock implements AutoCloseable {
  private static final int ATTEMPTS = 20;
  private final Path file;
  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(Path file, FileChannel channel, FileLock lock) {
    this.file = file;
    this.channel = channel;
    this.lock = lock;
  }

  private static final java.util.Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

  static OutputLock acquire(Path target, Path file) throws IOException {
    if (!HELD.add(file)) {
      throw busy(target, "pid " + ProcessHandle.current().pid());
    }
    try {
      return acquireFile(target, file);
    } catch (IOException | RuntimeException e) {
      HELD.remove(file);
      throw e;
    }
  }

  private static UserInputException busy(Path target, String holder) {
    return new UserInputException(target.toString(), "is being written by another facebeam process ("
        + holder + "); wait for it to finish, or name another output");
  }

  private static Object key(Path file) {
    try {
      return Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    } catch (IOException e) {
      return null;
    }
  }

  private static OutputLock acquireFile(Path target, Path file) throws IOException {
    String mine = "pid " + ProcessHandle.current().pid() + " token " + UUID.randomUUID() + "\n";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Object before = key(file);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        String holder = holder(ch);
        ch.close();
        throw busy(target, holder);
      }
      // The same inode at the path before opening and after locking: ours. Where there was none
      // before, the next round compares (closing is safe: this JVM holds no other lock on the file).
      if (before != null && before.equals(key(file))) {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(mine.getBytes(StandardCharsets.US_ASCII)), 0);
        ch.force(false);
        return new OutputLock(file, ch, l);
      }
      l.release(); // a lock on a file its last holder had already removed: take the new one
      ch.close();
    }
    throw new IOException("could not take the lock " + file + " after " + ATTEMPTS + " attempts");
  }

  /** "pid N" from what the holder wrote, or "pid unknown" while it has not written yet. */
  private static String holder(FileChannel ch) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(64);
    ch.read(b, 0);
    String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    int token = s.indexOf(" token");
    return s.startsWith("pid ") && token > 0 ? s.substring(0, token) : "pid unknown";
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // Left behind, it is only a name: the next writer takes a lock on it and removes it.
    }
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // The lock goes with the channel (and with the process) whatever happens here.
    } finally {
      HELD.remove(file);
    }
  }
}
