package dev.facebeam.train;

import dev.facebeam.codec.recordio.RecordIoReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Training batches decoded ahead of the step (the seed's PrefetchingIter): a producer walks seeded
 * epochs, a pool of {@code workers} threads reads and decodes each batch's JPEGs, and a small queue
 * holds finished batches, so the step waits only when decoding cannot keep up. The partial batch at
 * an epoch's end is dropped, as FaceImageIter drops it. The time the consumer spent waiting is kept.
 */
final class BatchStream implements AutoCloseable {
  /** One batch: B images (CHW floats), B labels, and the epoch it came from. */
  record Batch(float[] images, float[] labels, int epoch) {}

  private static final Batch END = new Batch(null, null, -1);
  private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(3);
  private final ExecutorService pool;
  private final Thread producer;
  private final java.util.Queue<RecordIoReader> opened = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean closed;
  private long waitedNanos;

  BatchStream(FaceData data, int batch, long seed, boolean randMirror, int workers) {
    if (data.items.size() < batch) {
      throw new dev.facebeam.UserInputException(data.dir.toString(), "holds " + data.items.size() + " images, fewer than one batch of "
          + batch + " (per_batch_size × replicas): lower --per_batch_size, or train on more images");
    }
    pool = Executors.newFixedThreadPool(workers, r -> {
      Thread t = new Thread(r, "facebeam-decode");
      t.setDaemon(true);
      return t;
    });
    ThreadLocal<RecordIoReader> readers = ThreadLocal.withInitial(() -> {
      RecordIoReader r = data.reader();
      opened.add(r);
      return r;
    });
    int length = 3 * 112 * 112;
    producer = new Thread(() -> {
      try {
        for (int epoch = 0; !closed; epoch++) {
          List<FaceData.Item> order = data.epoch(seed, epoch);
          for (int start = 0; start + batch <= order.size() && !closed; start += batch) {
            float[] images = new float[batch * length];
            float[] labels = new float[batch];
            List<Future<?>> parts = new ArrayList<>();
            final int e = epoch;
            final int s = start;
            for (int i = 0; i < batch; i++) {
              final int row = i;
              FaceData.Item it = order.get(s + row);
              labels[row] = it.label();
              parts.add(pool.submit(() -> data.decode(readers.get(), it, randMirror && FaceData.mirror(seed, e, s + row),
                  images, row * length)));
            }
            for (Future<?> f : parts) {
              f.get();
            }
            queue.put(new Batch(images, labels, epoch));
          }
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      } catch (Exception ex) {
        offer(ex.getCause() != null && ex instanceof java.util.concurrent.ExecutionException ? ex.getCause() : ex);
      }
      offer(END);
    }, "facebeam-batches");
    producer.setDaemon(true);
    producer.start();
  }

  private void offer(Object o) {
    try {
      while (!closed && !queue.offer(o, 100, TimeUnit.MILLISECONDS)) {
        // the consumer is slow; keep trying until it takes it or closes
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next batch; a decoding failure is rethrown here with its file and key. */
  Batch next() throws InterruptedException {
    long t0 = System.nanoTime();
    Object o = queue.take();
    waitedNanos += System.nanoTime() - t0;
    if (o instanceof RuntimeException re) {
      throw re;
    }
    if (o instanceof Throwable t) {
      throw new IllegalStateException("reading training data failed: " + t.getMessage(), t);
    }
    if (o == END) {
      throw new IllegalStateException("the batch stream ended");
    }
    return (Batch) o;
  }

  double waitedSeconds() {
    return waitedNanos / 1e9;
  }

  @Override
  public void close() {
    closed = true;
    producer.interrupt();
    pool.shutdownNow();
    try {
      pool.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    opened.forEach(RecordIoReader::close); // one open .rec per decoding thread
  }
}
