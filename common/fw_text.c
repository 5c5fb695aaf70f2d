/* fw_text: see fw_text.h. */
#include "fw_text.h"

#include <stdio.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 if it is not one:
 * overlong forms, surrogates and code points past U+10FFFF are not valid. */
static size_t s_utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* The cleaned form of the next character at s into piece (at least 5 bytes); returns
 * its length there and sets *used to the bytes of s it took. */
static size_t s_piece(const unsigned char *s, char *piece, size_t *used)
{
    size_t u = *s >= 0x80 ? s_utf8_len(s) : 0;
    if (u) {
        memcpy(piece, s, u);
        *used = u;
        return u;
    }
    *used = 1;
    if (*s < 0x20 || *s == 0x7f || *s >= 0x80)
        return (size_t)snprintf(piece, 5, "\\x%02x", *s);
    piece[0] = (char)*s;
    return 1;
}

/* Copies whole pieces of s into dst while they fit in `limit` bytes; returns the
 * bytes written and sets *rest to what is left of s. */
static size_t s_copy(char *dst, const unsigned char *s, size_t limit, const unsigned char **rest)
{
    size_t out = 0, used;
    char piece[8];
    while (*s) {
        size_t len = s_piece(s, piece, &used);
        if (out + len > limit)
            break;
        memcpy(dst + out, piece, len);
        out += len;
        s += used;
    }
    *rest = s;
    return out;
}

char *fw_text_clean(char *dst, size_t cap, const char *src, size_t max_bytes)
{
    static const char more[] = "...";
    const size_t n_more = sizeof more - 1;
    const unsigned char *s = (const unsigned char *)(src ? src : ""), *rest;
    if (cap == 0)
        return dst;
    size_t limit = cap - 1 < max_bytes ? cap - 1 : max_bytes;
    size_t out = s_copy(dst, s, limit, &rest);
    if (*rest) {
        /* It does not all fit: again, leaving room for "..." (as much of it as fits). */
        out = s_copy(dst, s, limit > n_more ? limit - n_more : 0, &rest);
        size_t m = cap - 1 - out < n_more ? cap - 1 - out : n_more;
        memcpy(dst + out, more, m);
        out += m;
    }
    dst[out] = '\0';
    return dst;
}

void fw_text_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
