package dev.facebeam.codec.pack;

import dev.facebeam.UserInputException;
import dev.facebeam.codec.recordio.IrHeader;
import dev.facebeam.codec.recordio.RecordIoDataset;
import dev.facebeam.codec.recordio.RecordIoIndex;
import dev.facebeam.codec.recordio.RecordIoReader;
import dev.facebeam.proto.Role;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An MXNet RecordIO pack (docs/formats.md). Tasks are slices of the {@code .idx}, so a 5.8-million-record
 * {@code train.rec} is read by every worker at once, each seeking to its own records.
 */
public final class RecPack implements FacePack {
  public static final int DEFAULT_LINES_PER_SLICE = 2_000;

  private final String rec;
  private final String idx;
  private final RecordIoDataset.Layout0 layout;
  // Only the driver plans: workers get their slice with the task, not the whole list (docs/ingest.md).
  private final transient List<RecordIoDataset.Slice> slices;
  private final PackSummary summary;
  private final List<String> inputs;
  private final long expected;
  private final long classes;
  private final String classesFrom;

  private RecPack(RecordIoDataset ds, int linesPerSlice) {
    this.rec = ds.rec().toString();
    this.idx = ds.idx().toString();
    this.layout = ds.layout();
    this.slices = ds.slices(linesPerSlice);
    this.expected = ds.imageCount();
    // Where the property file and the header record disagree (a warning), the larger count bounds the labels.
    long fromProperty = ds.property() == null ? 0 : ds.property().numClasses();
    this.classes = Math.max(fromProperty, Math.max(0, ds.declaredIdentities()));
    this.classesFrom = classes == fromProperty ? "the property file" : "the header record";
    Map<String, String> params = new LinkedHashMap<>();
    params.put("layout", ds.layout().layout().name().toLowerCase());
    params.put("index_keys", Integer.toString(ds.index().size()));
    if (ds.layout().layout() == RecordIoDataset.Layout.INSIGHTFACE) {
      params.put("identity_keys", "[" + ds.layout().firstIdentityKey() + ", " + ds.layout().endIdentityKey() + ")");
    }
    params.put("property", ds.property() == null ? "absent" : ds.property().toLine());
    this.summary = new PackSummary(ds.declaredIdentities(), 0, 0, params, List.copyOf(ds.warnings()));
    this.inputs = ds.property() == null ? List.of(rec, idx) : List.of(rec, idx, ds.rec().resolveSibling("property").toString());
  }

  public static RecPack open(Path input) {
    return open(input, DEFAULT_LINES_PER_SLICE);
  }

  public static RecPack open(Path input, int linesPerSlice) {
    return new RecPack(RecordIoDataset.open(input), linesPerSlice);
  }

  @Override
  public String format() {
    return "rec";
  }

  @Override
  public List<RecordIoDataset.Slice> tasks() {
    return slices;
  }

  @Override
  public void read(Serializable task, FaceSink sink) {
    RecordIoDataset.Slice slice = (RecordIoDataset.Slice) task;
    try (RecordIoReader reader = new RecordIoReader(Path.of(rec))) {
      RecordIoIndex.readSlice(Path.of(idx), slice.fromByte(), slice.toByte(), slice.firstLine(), entry -> {
        if (layout.isImageKey(entry.key())) {
          readOne(reader, entry, sink);
        }
      });
    }
  }

  private void readOne(RecordIoReader reader, RecordIoIndex.Entry entry, FaceSink sink) {
    long key = entry.key();
    String id = RawFaces.id("rec", key);
    String where = reader.where(entry.offset()) + "#key=" + key;
    try {
      IrHeader.Unpacked u = IrHeader.unpack(reader.readAt(entry.offset()).payload(), where);
      float label = u.header().classLabel();
      String bad = Labels.problem(label, classes, classesFrom);
      if (bad != null) {
        sink.reject(id, where, bad);
        return;
      }
      if (u.payloadLength() == 0) {
        sink.reject(id, where, "record holds no image bytes");
        return;
      }
      sink.face(RawFaces.raw(id, where, key, Role.TRAIN, u.payload())
          .setLabel((long) label)
          .build());
    } catch (UserInputException e) {
      sink.reject(id, where, e.reason());
    }
  }

  @Override
  public long expectedFaces() {
    return expected;
  }

  @Override
  public List<String> inputFiles() {
    return inputs;
  }

  @Override
  public PackSummary summary() {
    return summary;
  }
}
