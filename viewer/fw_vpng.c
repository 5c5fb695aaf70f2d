/* fw_vpng: PNG files through libpng (its simplified API, which has no longjmp). */
#include "fw_vpng.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fw_vpng_write(const char *path, const uint8_t *rgba, int w, int h, size_t stride,
                  char *err, size_t err_len)
{
    png_image img;
    char tmp[4096];
    if (w <= 0 || h <= 0) {
        snprintf(err, err_len, "%s: empty image", path);
        return -1;
    }
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        snprintf(err, err_len, "%s: path too long", path);
        return -1;
    }
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    img.width = (png_uint_32)w;
    img.height = (png_uint_32)h;
    /* Frames are opaque: write RGB through a copy (files a quarter smaller). */
    uint8_t *rgb = malloc((size_t)w * 3 * (size_t)h);
    if (!rgb) {
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        const uint8_t *src = rgba + (size_t)y * stride;
        uint8_t *dst = rgb + (size_t)y * (size_t)w * 3;
        for (int x = 0; x < w; x++) {
            dst[3 * x] = src[4 * x];
            dst[3 * x + 1] = src[4 * x + 1];
            dst[3 * x + 2] = src[4 * x + 2];
        }
    }
    img.format = PNG_FORMAT_RGB;
    int ok = png_image_write_to_file(&img, tmp, 0, rgb, (png_int_32)w * 3, NULL);
    free(rgb);
    if (!ok) {
        snprintf(err, err_len, "%s: %s", tmp, img.message[0] ? img.message : strerror(errno));
        remove(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        remove(tmp);
        return -1;
    }
    return 0;
}

int fw_vpng_read(const char *path, uint8_t **out, int *w, int *h, char *err, size_t err_len)
{
    png_image img;
    memset(&img, 0, sizeof img);
    img.version = PNG_IMAGE_VERSION;
    *out = NULL;
    if (!png_image_begin_read_from_file(&img, path)) {
        snprintf(err, err_len, "%s: %s", path, img.message);
        return -1;
    }
    img.format = PNG_FORMAT_RGBA;
    uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
    if (!buf) {
        png_image_free(&img);
        snprintf(err, err_len, "%s: out of memory", path);
        return -1;
    }
    if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
        snprintf(err, err_len, "%s: %s", path, img.message);
        free(buf);
        return -1;
    }
    *out = buf;
    *w = (int)img.width;
    *h = (int)img.height;
    return 0;
}
