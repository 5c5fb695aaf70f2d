/* fw_testproc: starting, watching and cleaning up real processes in tests.
 *
 * Every process a test starts is recorded in a fw_procs_t; fw_procs_cleanup() kills
 * (SIGKILL) and reaps whatever is still running, so a failing assertion never
 * leaves a coordinator or an agent behind. Children also get PR_SET_PDEATHSIG, so
 * they die with the test process even if it crashes.
 */
#ifndef FW_TESTPROC_H
#define FW_TESTPROC_H

#include <stddef.h>
#include <sys/types.h>

#define FW_PROCS_MAX 256

typedef struct {
    pid_t pid[FW_PROCS_MAX];    /* started processes; 0 once reaped */
    int status[FW_PROCS_MAX];   /* wait status once reaped */
    size_t n;
} fw_procs_t;

/* Starts argv (argv[0] a path) with stdout/stderr sent to `log_path` (NULL = inherit).
 * Returns the index in procs, or -1. */
int fw_procs_start(fw_procs_t *p, char *const argv[], const char *log_path);

/* Starts the build tree's `program` ("flywheel", ...) with the NULL-terminated `args`
 * after its name (at most FW_PROCS_MAX_ARGS of them), output to `log_path`. Returns
 * the index in procs, or -1. */
#define FW_PROCS_MAX_ARGS 48
int fw_procs_start_program(fw_procs_t *p, const char *program, char *const args[],
                           const char *log_path);

/* Waits up to timeout_ms for process i to exit. Returns its exit code, 128+signal if
 * killed, or -1 on timeout. */
int fw_procs_wait(fw_procs_t *p, int i, int timeout_ms);

/* 1 if process i is still running. */
int fw_procs_alive(fw_procs_t *p, int i);

/* SIGKILLs and reaps every process still running. */
void fw_procs_cleanup(fw_procs_t *p);

/* A path under the build or source tree: "$FW_BUILD_DIR/name" (tests run from CTest
 * get these from the environment; by hand they default to ./ and ..). */
const char *fw_test_build_path(char *buf, size_t len, const char *name);
const char *fw_test_source_path(char *buf, size_t len, const char *name);

/* A fresh private directory under /tmp (mkdtemp), written into buf. */
const char *fw_test_tmpdir(char *buf, size_t len);

/* Removes a directory tree (rm -rf); best effort. */
void fw_test_rmtree(const char *dir);

/* Reads a whole file into a malloc'd NUL-terminated buffer; NULL if unreadable. */
char *fw_test_read_file(const char *path, size_t *len);

/* Waits until `path` exists, up to timeout_ms. Returns 0 or -1. */
int fw_test_wait_file(const char *path, int timeout_ms);

/* A suite whose tests start processes in a private directory: declares s_procs and
 * s_dir, an init that makes the directory, a fini that kills and reaps every process
 * the test left (pass or fail) and removes the directory (kept when FW_KEEP_TMP is
 * set, to look at a failure), and the Criterion suite `name` with that timeout in
 * seconds. Use after <criterion/criterion.h> and <stdlib.h>. */
#define FW_TEST_PROCS_SUITE(name, timeout_s)                                              \
    static fw_procs_t s_procs;                                                            \
    static char s_dir[64];                                                                \
    static void s_setup(void) { cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir)); } \
    static void s_teardown(void)                                                          \
    {                                                                                     \
        fw_procs_cleanup(&s_procs);                                                       \
        if (!getenv("FW_KEEP_TMP"))                                                       \
            fw_test_rmtree(s_dir);                                                        \
    }                                                                                     \
    TestSuite(name, .init = s_setup, .fini = s_teardown, .timeout = (timeout_s))

#endif
