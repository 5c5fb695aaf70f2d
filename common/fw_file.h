/* fw_file: reading a whole file, the one way Flywheel does it (scenarios, metrics.csv
 * for checks and for serve's last word, the coordinator's endpoints file, tests' logs).
 * A file read as a stream of records (events.log) is not read whole: see fw_proto. */
#ifndef FW_FILE_H
#define FW_FILE_H

#include <stddef.h>

/* Reads the file at `path` into a new NUL-terminated buffer (*out, owned by the
 * caller; *len bytes before the NUL, len may be NULL), refusing files over max_bytes.
 * Returns 0, or -1 with errno set (EFBIG when the file is too large, ENOMEM, or
 * fopen's and fread's errors); *out is then NULL. */
int fw_file_read(const char *path, size_t max_bytes, char **out, size_t *len);

#endif
