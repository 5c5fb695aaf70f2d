/* fw_pool: runs many jobs (each a child process, typically one `flywheel run`), a
 * given number at a time, for compare and sweep.
 *
 * Each running job has a supervisor of its own (fw_launch), so it is started in its own
 * process group, carries PR_SET_PDEATHSIG, and is reaped by the pool; when *stop is
 * raised (Ctrl-C), every running job gets SIGTERM, then SIGKILL after 3 s, and all are
 * reaped before fw_pool_run returns.
 */
#ifndef FW_POOL_H
#define FW_POOL_H

#include <signal.h>
#include <stddef.h>

typedef struct {
    char *const *argv;  /* argv[0] a path or a name searched in PATH; NULL-terminated */
    size_t id;          /* the caller's, passed back to done */
} fw_pool_job_t;

/* Called in the launcher as each job ends: its exit code, or 128 + signal, or 127 if it
 * could not be started. */
typedef void (*fw_pool_done_fn)(void *ctx, size_t id, int code);

/* Runs jobs[0..n-1], at most `parallel` (>= 1) at once, in order of the array.
 * Returns 0 once every job has ended (whatever their codes), 130 if *stop was raised
 * (the jobs not yet started are not started), -1 when out of memory. */
int fw_pool_run(const fw_pool_job_t *jobs, size_t n, unsigned parallel,
                volatile sig_atomic_t *stop, fw_pool_done_fn done, void *ctx);

/* The processors online (at least 1): the default number of jobs at once. */
unsigned fw_pool_cpus(void);

#endif
