/*
 * A baseline JPEG's Huffman decoding, in place of libjpeg-turbo's. Most of the time libjpeg-turbo spends
 * on a small face is here (about 60% of its instructions on the fixtures' 112x112 JPEGs), and the glue
 * had to keep its fast path off: that path turns a bad code into a zero without a warning. This one is
 * faster than both of its paths and refuses, through libjpeg's error exit, whatever either would decode
 * in silence or with a warning: a bad code, data that runs into a marker, a run past coefficient 63, a
 * category a baseline JPEG cannot have, whole bytes left before the marker (docs/formats.md).
 * On every stream it accepts it gives libjpeg's coefficients, so the pixels stay libjpeg's.
 */
#include "facebeam_entropy.h"

#include <string.h>
#include <jerror.h>

/* Zigzag position to natural (row-major) position. */
static const unsigned char natural[64] = {
    0,  1,  8,  16, 9,  2,  3,  10, 17, 24, 32, 25, 18, 11, 4,  5,  12, 19, 26, 33, 40, 48,
    41, 34, 27, 20, 13, 6,  7,  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23,
    30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63};

/* libjpeg's error exit, which in the glue never returns. */
__attribute__((noreturn)) static void stop(j_decompress_ptr cinfo, int code) {
  cinfo->err->msg_code = code;
  (*cinfo->err->error_exit)((j_common_ptr) cinfo);
  __builtin_unreachable();
}

/*
 * Builds t from a DHT table; 0 where it is not a prefix code (libjpeg refuses those first). A code whose
 * value could be longer than a baseline JPEG's (11 bits for DC, 10 for AC) is left to long_code, which refuses it.
 */
static int build(struct fb_huff *t, const JHUFF_TBL *h, int ac) {
  int count = 0;
  for (int l = 1; l <= 16; l++) {
    count += h->bits[l];
  }
  if (count > 256) {
    return 0;
  }
  memset(t->fast, 0, sizeof t->fast);
  memcpy(t->values, h->huffval, (size_t) count);
  unsigned int code = 0;
  int k = 0;
  t->limit[0] = 0;
  for (int l = 1; l <= 16; l++) {
    t->delta[l] = k - (int) code;
    for (int i = 0; i < h->bits[l]; i++, k++, code++) {
      if (code >= 1u << l) {
        return 0;
      }
      int symbol = h->huffval[k];
      int size = ac ? symbol & 15 : symbol;
      if (l <= FB_FAST && size <= (ac ? 10 : 11)) {
        int shift = FB_FAST - l;
        for (unsigned int j = code << shift; j < (code + 1) << shift; j++) {
          t->fast[j] = (unsigned short) ((l + size) << 8 | symbol);
        }
      }
    }
    t->limit[l] = code << (16 - l);
    code <<= 1;
  }
  t->limit[17] = 0xFFFFFFFF;
  return 1;
}

/*
 * Refills e's bits (fewer than 56 of them) to 56..63. Eight bytes without a 0xFF come in one load; a 0xFF followed by
 * 0x00 (after any 0xFF fill bytes) is a 0xFF data byte; any other 0xFF is the marker ending the data,
 * after which zeros come in and are counted, so that reading one of them is caught.
 */
static void refill_slow(struct fb_entropy *e) {
  unsigned long long bits = e->count == 0 ? 0 : e->bits & ~(~0ULL >> e->count);
  int count = e->count;
  const JOCTET *p = e->next;
  while (count < 56) {
    unsigned int c = 0;
    if (e->marker != NULL) {
      e->zeros += 8;
    } else if (p == e->end) {
      e->marker = p;
      e->zeros += 8;
    } else if (*p != 0xFF) {
      c = *p++;
    } else {
      const JOCTET *q = p + 1;
      while (q < e->end && *q == 0xFF) {
        q++;
      }
      if (q < e->end && *q == 0) {
        c = 0xFF;
        p = q + 1;
      } else {
        e->marker = p;
        e->zeros += 8;
      }
    }
    bits |= (unsigned long long) c << (56 - count);
    count += 8;
  }
  e->bits = bits;
  e->count = count;
  e->next = p;
}

/*
 * The bit reader lives in decode_mcu's registers: bits (left-justified), count, next. Eight bytes
 * without a 0xFF come in one load; anything else goes through refill_slow, by way of e.
 */
#define REFILL()                                                                                        \
  do {                                                                                                  \
    if (next + 8 <= end) {                                                                              \
      unsigned long long w_;                                                                            \
      memcpy(&w_, next, 8);                                                                             \
      w_ = __builtin_bswap64(w_);                                                                       \
      unsigned long long inverted_ = ~w_; /* a 0xFF byte is a zero byte here */                         \
      if (((inverted_ - 0x0101010101010101ULL) & ~inverted_ & 0x8080808080808080ULL) == 0) {            \
        bits |= w_ >> count;                                                                            \
        next += (63 - count) >> 3;                                                                      \
        count |= 56;                                                                                    \
        break;                                                                                          \
      }                                                                                                 \
    }                                                                                                   \
    e->bits = bits;                                                                                     \
    e->count = count;                                                                                   \
    e->next = next;                                                                                     \
    refill_slow(e);                                                                                     \
    bits = e->bits;                                                                                     \
    count = e->count;                                                                                   \
    next = e->next;                                                                                     \
  } while (0)

#define SKIP(n)    \
  do {             \
    bits <<= (n);  \
    count -= (n);  \
  } while (0)

/*
 * A code the lookup does not give (longer than FB_FAST bits, or with a value too long), from the first
 * 16 of bits: its symbol, and in *total the bits of the code and of the value after it, at most 16 + max_size.
 */
static int long_code(j_decompress_ptr cinfo, const struct fb_huff *t, unsigned long long bits, int max_size, int *total) {
  unsigned int code = (unsigned int) (bits >> 48);
  int l = 1;
  while (code >= t->limit[l]) {
    l++;
  }
  if (l > 16) {
    stop(cinfo, JWRN_HUFF_BAD_CODE);
  }
  int symbol = t->values[(int) (code >> (16 - l)) + t->delta[l]];
  int size = max_size == 11 ? symbol : symbol & 15;
  if (size > max_size) {
    stop(cinfo, JWRN_HUFF_BAD_CODE); /* a value longer than a baseline JPEG's */
  }
  *total = l + size;
  return symbol;
}

/*
 * One symbol of table t into symbol, and its code and value bits as a number into raw (the value is
 * its last size bits), consumed. bits must hold at least 16 + max_size.
 */
#define DECODE(t, max_size, symbol, raw)                           \
  do {                                                            \
    unsigned int e_ = (t)->fast[bits >> (64 - FB_FAST)];          \
    int total_;                                                   \
    if (__builtin_expect(e_ != 0, 1)) {                           \
      symbol = (int) (e_ & 0xFF);                                 \
      total_ = (int) (e_ >> 8);                                   \
    } else {                                                      \
      symbol = long_code(cinfo, (t), bits, (max_size), &total_);  \
    }                                                             \
    raw = (unsigned int) (bits >> (64 - total_));                 \
    SKIP(total_);                                                 \
  } while (0)

/*
 * The last size (1..11) bits of raw as a signed value, as JPEG's EXTEND gives it: without a branch,
 * which half the coefficients (the negative ones) would mispredict.
 */
static inline int extend(unsigned int raw, int size) {
  int v = (int) (raw & ((1u << size) - 1));
  int negative = (v - (1 << (size - 1))) >> 31; /* all ones where v is below half its range */
  return v + (negative & (int) ((~0u << size) + 1));
}

static boolean decode_mcu(j_decompress_ptr cinfo, JBLOCKROW *blocks) {
  struct fb_entropy *e = (struct fb_entropy *) cinfo->entropy;
  unsigned long long bits = e->bits;
  int count = e->count;
  const JOCTET *next = e->next;
  const JOCTET *const end = e->end;
  for (int b = 0; b < cinfo->blocks_in_MCU; b++) {
    JCOEF *block = blocks[b][0];
    if (count < 27) {
      REFILL();
    }
    int s;
    unsigned int raw;
    DECODE(e->dc[b], 11, s, raw);
    int dc = e->last_dc[e->comp[b]] + (s == 0 ? 0 : extend(raw, s));
    if (dc < -32768 || dc > 32767) {
      stop(cinfo, JERR_BAD_DCT_COEF);
    }
    e->last_dc[e->comp[b]] = dc;
    block[0] = (JCOEF) dc;
    const struct fb_huff *t = e->ac[b];
    for (int k = 1; k < 64;) {
      REFILL(); /* unconditionally: cheaper than the branch it would mispredict */
      int rs;
      DECODE(t, 10, rs, raw);
      k += rs >> 4;
      s = rs & 15;
      if (s == 0) {
        if (rs == 0) {
          break; /* end of block */
        }
        if (rs != 0xF0 || k > 63) { /* only a run of sixteen zeros has no value; within the block */
          stop(cinfo, JWRN_HUFF_BAD_CODE);
        }
        k++;
        continue;
      }
      if (k > 63) {
        stop(cinfo, JWRN_HUFF_BAD_CODE); /* a run past coefficient 63 */
      }
      block[natural[k++]] = (JCOEF) extend(raw, s);
    }
  }
  e->bits = bits;
  e->count = count;
  e->next = next;
  if (count < e->zeros) {
    stop(cinfo, JWRN_HIT_MARKER); /* read past the data: cut short, or a code out of step */
  }
  if (--e->mcus_left == 0) {
    if (count < 56) {
      refill_slow(e);
    }
    if (e->count - e->zeros >= 8) {
      stop(cinfo, JWRN_EXTRANEOUS_DATA); /* whole bytes the scan never read */
    }
  }
  return TRUE;
}

static void start_pass(j_decompress_ptr cinfo) {
  stop(cinfo, JERR_NOTIMPL); /* a second scan: never installed for such a JPEG */
}

/*
 * The tables last built, per DHT slot and thread: a pack's faces share their encoder's tables, and
 * building them again for every face would cost a tenth of its decode.
 */
struct cached {
  int built;
  UINT8 bits[17];
  UINT8 huffval[256];
  struct fb_huff table;
};

static __thread struct cached cache[2 * NUM_HUFF_TBLS];

static const struct fb_huff *table(int slot, const JHUFF_TBL *h, int ac) {
  struct cached *c = &cache[slot];
  if (c->built && memcmp(c->bits, h->bits, sizeof c->bits) == 0 && memcmp(c->huffval, h->huffval, sizeof c->huffval) == 0) {
    return &c->table;
  }
  c->built = 0;
  if (!build(&c->table, h, ac)) {
    return NULL;
  }
  memcpy(c->bits, h->bits, sizeof c->bits);
  memcpy(c->huffval, h->huffval, sizeof c->huffval);
  c->built = 1;
  return &c->table;
}

int fb_entropy_install(j_decompress_ptr cinfo, struct fb_entropy *e, const JOCTET *next, const JOCTET *end) {
  if (cinfo->progressive_mode || cinfo->arith_code || cinfo->data_precision != 8 || cinfo->restart_interval != 0 ||
      cinfo->comps_in_scan != cinfo->num_components || cinfo->Ss != 0 || cinfo->Se != 63 || cinfo->Ah != 0 || cinfo->Al != 0 ||
      cinfo->inputctl->has_multiple_scans || cinfo->input_scan_number != 1 || cinfo->output_scanline != 0 || cinfo->blocks_in_MCU > D_MAX_BLOCKS_IN_MCU ||
      next == NULL || next > end) {
    return 0;
  }
  for (int b = 0; b < cinfo->blocks_in_MCU; b++) {
    int ci = cinfo->MCU_membership[b];
    if (ci < 0 || ci >= cinfo->comps_in_scan) {
      return 0;
    }
    const jpeg_component_info *comp = cinfo->cur_comp_info[ci];
    if (comp->dc_tbl_no < 0 || comp->dc_tbl_no >= NUM_HUFF_TBLS || comp->ac_tbl_no < 0 || comp->ac_tbl_no >= NUM_HUFF_TBLS) {
      return 0;
    }
    const JHUFF_TBL *dc = cinfo->dc_huff_tbl_ptrs[comp->dc_tbl_no];
    const JHUFF_TBL *ac = cinfo->ac_huff_tbl_ptrs[comp->ac_tbl_no];
    e->dc[b] = dc == NULL ? NULL : table(comp->dc_tbl_no, dc, 0);
    e->ac[b] = ac == NULL ? NULL : table(NUM_HUFF_TBLS + comp->ac_tbl_no, ac, 1);
    if (e->dc[b] == NULL || e->ac[b] == NULL) {
      return 0;
    }
    e->comp[b] = ci;
  }
  memset(e->last_dc, 0, sizeof e->last_dc);
  e->next = next;
  e->end = end;
  e->marker = NULL;
  e->bits = 0;
  e->count = 0;
  e->zeros = 0;
  e->mcus_left = (long) cinfo->MCUs_per_row * (long) cinfo->MCU_rows_in_scan;
  e->pub.start_pass = start_pass;
  e->pub.decode_mcu = decode_mcu;
  e->pub.insufficient_data = FALSE;
  cinfo->entropy = &e->pub;
  return 1;
}

const JOCTET *fb_entropy_end(const struct fb_entropy *e) {
  return e->marker;
}
