/* fw_file: see fw_file.h. */
#include "fw_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define S_CHUNK 65536

int fw_file_read(const char *path, size_t max_bytes, char **out, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    int saved = 0;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    for (;;) {
        /* The cap is checked before growing, so a huge file never costs its size. */
        if (n > max_bytes) {
            saved = EFBIG;
            goto fail;
        }
        char *grown = realloc(buf, n + S_CHUNK + 1);
        if (!grown) {
            saved = ENOMEM;
            goto fail;
        }
        buf = grown;
        size_t got = fread(buf + n, 1, S_CHUNK, f);
        n += got;
        if (got < S_CHUNK) {
            if (ferror(f)) {
                saved = errno ? errno : EIO;
                goto fail;
            }
            if (n > max_bytes) {
                saved = EFBIG;
                goto fail;
            }
            break;
        }
    }
    fclose(f);
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return 0;
fail:
    fclose(f);
    free(buf);
    errno = saved;
    return -1;
}
