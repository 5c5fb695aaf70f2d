/* fw_testpty: a program on a pseudo-terminal, for tests that play the human client
 * (`flywheel play`) with real keys.
 *
 * The child gets a terminal of the given size with TERM=xterm on stdin and stdout;
 * its stderr goes to a file (the client's log, where it records what its screen
 * showed), so tests wait for log lines, not for screen bytes. A reader thread drains
 * the screen output all the time (a full terminal would block the child) and keeps
 * the last 64 KiB, for failure messages. The child's pid is recorded in the caller's
 * fw_procs_t, so fw_procs_cleanup() kills it like any other process.
 */
#ifndef FW_TESTPTY_H
#define FW_TESTPTY_H

#include <stddef.h>

#include "fw_testproc.h"

typedef struct fw_pty fw_pty_t;

/* Starts argv (argv[0] a path) on a new terminal of cols x rows, stderr appended to
 * err_path. *index is set to its index in procs. Returns NULL on failure. */
fw_pty_t *fw_pty_start(fw_procs_t *procs, char *const argv[], const char *err_path,
                       int cols, int rows, int *index);

/* Types `keys` (bytes as a terminal sends them: "\r" is Enter). Returns 0 or -1. */
int fw_pty_keys(fw_pty_t *p, const char *keys);

/* The last screen bytes received (escape sequences included), NUL-terminated, in buf. */
void fw_pty_screen(fw_pty_t *p, char *buf, size_t len);

/* Stops the reader and closes the terminal (the child, if alive, gets SIGHUP from the
 * kernel); NULL-safe; sets *p to NULL. */
void fw_pty_destroy(fw_pty_t **p);

/* Waits until `needle` appears in the file at `path`, at most timeout_ms, looking
 * from byte `from` on (to skip what an earlier step already found). Returns the
 * offset just past the match, or -1 on timeout. */
long fw_test_wait_text(const char *path, const char *needle, long from, int timeout_ms);

#endif
