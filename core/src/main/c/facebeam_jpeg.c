/*
 * libjpeg-turbo's decoder for dev.facebeam.codec.image.LibjpegTurbo: one JPEG from a Java byte[] into
 * a caller-sized interleaved RGB byte[] (grey as three equal channels), every warning libjpeg would print counted,
 * so that the caller can hand anything less than a clean decode to the decoders that name the
 * problem (docs/formats.md, "Images"). The scan's Huffman decoding is facebeam_entropy.c's (faster, and
 * it refuses what libjpeg-turbo would decode in silence). Errors return through longjmp, never exit
 * the process; the decoder's memory is capped.
 */
#include <jni.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include "facebeam_entropy.h"
#include <jerror.h>

enum { CLEAN = 0, WARNED = 1, FAILED = 2, OTHER_SIZE = 3 };

struct guard {
  struct jpeg_error_mgr pub;
  jmp_buf escape;
  int warnings;
};

static void on_error(j_common_ptr cinfo) {
  longjmp(((struct guard *) cinfo->err)->escape, 1);
}

/* libjpeg's default prints the first warning to stderr and counts them; here they are only counted. */
static void on_message(j_common_ptr cinfo, int level) {
  if (level < 0) {
    ((struct guard *) cinfo->err)->warnings++;
  }
}

static void on_output(j_common_ptr cinfo) {
  (void) cinfo; /* nothing reaches the process's stderr */
}

/*
 * The compressed bytes, handed to libjpeg at most CHUNK at a time. The scan of a face's JPEG is
 * decoded by facebeam_entropy.c; where libjpeg-turbo decodes one itself (restart markers, several
 * scans), its fast Huffman path (taken while 512 bytes per block of an MCU are buffered) would turn a
 * bad Huffman code into a zero without a warning, where libjpeg 6b — and its slow path — warns
 * "Corrupt JPEG data: bad Huffman code"; fed in short chunks it always takes the path that warns, so a
 * damaged face is never decoded without complaint. Past the end, a fake end-of-image marker and a
 * warning, as jpeg_mem_src does.
 */
#define CHUNK 256

struct chunked {
  struct jpeg_source_mgr pub;
  const JOCTET *next;
  const JOCTET *end;
};

static const JOCTET fake_eoi[2] = {0xFF, JPEG_EOI};

static void chunk_init(j_decompress_ptr cinfo) {
  (void) cinfo;
}

static boolean chunk_fill(j_decompress_ptr cinfo) {
  struct chunked *src = (struct chunked *) cinfo->src;
  size_t left = (size_t) (src->end - src->next);
  if (left == 0) {
    WARNMS(cinfo, JWRN_JPEG_EOF);
    src->pub.next_input_byte = fake_eoi;
    src->pub.bytes_in_buffer = 2;
    return TRUE;
  }
  size_t n = left < CHUNK ? left : CHUNK;
  src->pub.next_input_byte = src->next;
  src->pub.bytes_in_buffer = n;
  src->next += n;
  return TRUE;
}

static void chunk_skip(j_decompress_ptr cinfo, long count) {
  struct chunked *src = (struct chunked *) cinfo->src;
  while (count > (long) src->pub.bytes_in_buffer) {
    count -= (long) src->pub.bytes_in_buffer;
    chunk_fill(cinfo);
  }
  if (count > 0) {
    src->pub.next_input_byte += count;
    src->pub.bytes_in_buffer -= (size_t) count;
  }
}

static void chunk_term(j_decompress_ptr cinfo) {
  (void) cinfo;
}

/*
 * Decodes into out (width * height * 3 bytes); the caller has pinned both arrays. With own_huffman the
 * scan's Huffman decoding is facebeam_entropy.c's where it reads such a scan; without, libjpeg-turbo's
 * own (the reference its tests and bench-decode hold it to).
 */
static int decode(const unsigned char *jpeg, unsigned long length, unsigned char *out, int width, int height, int own_huffman) {
  struct jpeg_decompress_struct cinfo;
  struct guard guard;
  volatile int created = 0;
  memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&guard.pub);
  guard.pub.error_exit = on_error;
  guard.pub.emit_message = on_message;
  guard.pub.output_message = on_output;
  guard.warnings = 0;
  if (setjmp(guard.escape)) {
    if (created) {
      jpeg_destroy_decompress(&cinfo);
    }
    return FAILED;
  }
  jpeg_create_decompress(&cinfo);
  created = 1;
  cinfo.mem->max_memory_to_use = 64L << 20;
  struct chunked src;
  src.pub.init_source = chunk_init;
  src.pub.fill_input_buffer = chunk_fill;
  src.pub.skip_input_data = chunk_skip;
  src.pub.resync_to_restart = jpeg_resync_to_restart;
  src.pub.term_source = chunk_term;
  src.pub.bytes_in_buffer = 0;
  src.pub.next_input_byte = NULL;
  src.next = jpeg;
  src.end = jpeg + length;
  cinfo.src = &src.pub;
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  if ((int) cinfo.output_width != width || (int) cinfo.output_height != height || cinfo.output_components != 3) {
    jpeg_destroy_decompress(&cinfo);
    return OTHER_SIZE;
  }
  struct fb_entropy entropy;
  int ours = own_huffman && src.pub.next_input_byte != fake_eoi &&
      fb_entropy_install(&cinfo, &entropy, src.next - src.pub.bytes_in_buffer, src.end);
  size_t stride = (size_t) width * 3;
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW rows[16];
    unsigned int n = cinfo.output_height - cinfo.output_scanline;
    if (n > 16) {
      n = 16;
    }
    for (unsigned int k = 0; k < n; k++) {
      rows[k] = out + (cinfo.output_scanline + k) * stride;
    }
    jpeg_read_scanlines(&cinfo, rows, n);
  }
  if (ours) { /* libjpeg reads on from the marker that ended the data */
    const JOCTET *at = fb_entropy_end(&entropy);
    if (at == NULL) {
      jpeg_destroy_decompress(&cinfo);
      return FAILED;
    }
    size_t n = (size_t) (src.end - at) < CHUNK ? (size_t) (src.end - at) : CHUNK;
    src.pub.next_input_byte = at;
    src.pub.bytes_in_buffer = n;
    src.next = at + n;
  }
  jpeg_finish_decompress(&cinfo);
  int warned = guard.warnings != 0 || guard.pub.num_warnings != 0;
  jpeg_destroy_decompress(&cinfo);
  return warned ? WARNED : CLEAN;
}

JNIEXPORT jint JNICALL Java_dev_facebeam_codec_image_LibjpegTurbo_decode(JNIEnv *env, jclass cls, jbyteArray jpeg, jbyteArray out,
    jint width, jint height, jboolean own_huffman) {
  (void) cls;
  jsize length = (*env)->GetArrayLength(env, jpeg);
  if (width <= 0 || height <= 0 || (*env)->GetArrayLength(env, out) != (jlong) width * height * 3) {
    return FAILED;
  }
  unsigned char *in = (*env)->GetPrimitiveArrayCritical(env, jpeg, NULL);
  if (in == NULL) {
    return FAILED;
  }
  unsigned char *pixels = (*env)->GetPrimitiveArrayCritical(env, out, NULL);
  if (pixels == NULL) {
    (*env)->ReleasePrimitiveArrayCritical(env, jpeg, in, JNI_ABORT);
    return FAILED;
  }
  int status = decode(in, (unsigned long) length, pixels, width, height, own_huffman != JNI_FALSE);
  (*env)->ReleasePrimitiveArrayCritical(env, out, pixels, 0);
  (*env)->ReleasePrimitiveArrayCritical(env, jpeg, in, JNI_ABORT);
  return status;
}

/* The libjpeg API version this was built against (62 for Debian's libjpeg62-turbo). */
JNIEXPORT jint JNICALL Java_dev_facebeam_codec_image_LibjpegTurbo_version(JNIEnv *env, jclass cls) {
  (void) env;
  (void) cls;
  return JPEG_LIB_VERSION;
}
