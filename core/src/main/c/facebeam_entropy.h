/*
 * facebeam's Huffman decoder for the one scan of a baseline JPEG, put in place of libjpeg-turbo's
 * (docs/formats.md, "libjpeg-turbo where it is loaded"): the same coefficients for every stream both
 * accept, and a stop — libjpeg's error exit — on anything its fast path would pass over in silence.
 */
#ifndef FACEBEAM_ENTROPY_H
#define FACEBEAM_ENTROPY_H

#include <stddef.h>
#include <stdio.h>
#define JPEG_INTERNALS /* struct jpeg_entropy_decoder, the one internal interface used */
#include <jpeglib.h>

#define FB_FAST 10 /* a code of up to this many bits is found by one lookup */

/* One Huffman table as this decoder reads it: a lookup of the first FB_FAST bits, then the canonical bounds. */
struct fb_huff {
  /* (bits of the code and of the value that follows it) << 8 | symbol, for a code of at most FB_FAST bits; 0: a longer code, none, or a value too long */
  unsigned short fast[1 << FB_FAST];
  unsigned int limit[18];   /* codes of length <= l, left-justified to 16 bits, lie below limit[l] */
  int delta[17];            /* a code c of length l is the symbol values[c + delta[l]] */
  unsigned char values[256];
};

struct fb_entropy {
  struct jpeg_entropy_decoder pub; /* first: libjpeg calls through it */
  const JOCTET *next;              /* the next byte of entropy-coded data to read */
  const JOCTET *end;               /* the end of the whole JPEG */
  const JOCTET *marker;            /* the marker that ended the data, once reached */
  unsigned long long bits;         /* unread bits, left-justified */
  int count;                       /* how many of them there are */
  int zeros;                       /* how many of the last of them are zeros past the data */
  long mcus_left;
  int last_dc[MAX_COMPS_IN_SCAN];
  const struct fb_huff *dc[D_MAX_BLOCKS_IN_MCU];
  const struct fb_huff *ac[D_MAX_BLOCKS_IN_MCU];
  int comp[D_MAX_BLOCKS_IN_MCU];
};

/*
 * After jpeg_start_decompress: takes over the scan's entropy decoding where it is one this decoder
 * reads — baseline Huffman, every component in one scan, no restart markers, its data still unread
 * from next (inside the JPEG that ends at end). Returns 1 when installed, 0 when libjpeg's stays.
 */
int fb_entropy_install(j_decompress_ptr cinfo, struct fb_entropy *e, const JOCTET *next, const JOCTET *end);

/* After the last scanline: the marker the scan's data ended at, where libjpeg reads on. */
const JOCTET *fb_entropy_end(const struct fb_entropy *e);

#endif
