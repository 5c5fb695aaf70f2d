/* fw_vpng: PNG files through libpng, no SDL.
 *
 * The viewer writes its frames with fw_vpng_write; the tests read them back with
 * fw_vpng_read to check pixels.
 */
#ifndef FW_VPNG_H
#define FW_VPNG_H

#include <stddef.h>
#include <stdint.h>

/* Writes a w x h RGBA image (rows `stride` bytes apart, 4 bytes a pixel, R first) as
 * an 8-bit RGB PNG at `path` (alpha dropped: frames are opaque), via a temporary file
 * renamed into place so a reader never sees half a file. Returns 0, or -1 with a
 * one-line reason in err. */
int fw_vpng_write(const char *path, const uint8_t *rgba, int w, int h, size_t stride,
                  char *err, size_t err_len);

/* Reads a PNG of any colour type into a malloc'd RGBA buffer (*out, 4 * w * h bytes,
 * caller frees). Returns 0, or -1 with a reason in err. */
int fw_vpng_read(const char *path, uint8_t **out, int *w, int *h, char *err, size_t err_len);

#endif
