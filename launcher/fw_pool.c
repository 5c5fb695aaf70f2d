/* fw_pool: see fw_pool.h. */
#include "fw_pool.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fw_launch.h"

typedef struct {
    fw_supervisor_t *sv;  /* NULL when the slot is free */
    size_t job;
} s_slot_t;

unsigned fw_pool_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1u : (unsigned)n;
}

/* Starts job j in slot s; a job that cannot start is reported done with 127. */
static void s_start(s_slot_t *s, const fw_pool_job_t *job, fw_pool_done_fn done, void *ctx)
{
    s->sv = fw_supervisor_new();
    if (!s->sv || fw_supervisor_spawn(s->sv, "run", job->argv) < 0) {
        fw_supervisor_destroy(&s->sv);
        done(ctx, job->id, 127);
    }
}

/* Reaps slot s's job if it has ended; returns 1 if the slot is now free. */
static int s_poll(s_slot_t *s, const fw_pool_job_t *jobs, fw_pool_done_fn done, void *ctx)
{
    fw_child_exit_t ex;
    int r = fw_supervisor_reap(s->sv, &ex);
    if (r == 0)
        return 0;
    int code = r < 0 ? 1
                     : WIFEXITED(ex.status) ? WEXITSTATUS(ex.status) : 128 + WTERMSIG(ex.status);
    fw_supervisor_destroy(&s->sv);
    done(ctx, jobs[s->job].id, code);
    return 1;
}

int fw_pool_run(const fw_pool_job_t *jobs, size_t n, unsigned parallel,
                volatile sig_atomic_t *stop, fw_pool_done_fn done, void *ctx)
{
    if (parallel < 1)
        parallel = 1;
    s_slot_t *slots = calloc(parallel, sizeof *slots);
    size_t next = 0, running = 0;
    int rc = 0;
    if (!slots)
        return -1;
    while (next < n || running > 0) {
        if (*stop) {
            rc = 130;
            break;
        }
        for (unsigned i = 0; i < parallel && next < n; i++)
            if (!slots[i].sv) {
                slots[i].job = next;
                s_start(&slots[i], &jobs[next++], done, ctx);
                running += slots[i].sv ? 1 : 0;
            }
        int freed = 0;
        for (unsigned i = 0; i < parallel; i++)
            if (slots[i].sv && s_poll(&slots[i], jobs, done, ctx)) {
                running--;
                freed = 1;
            }
        if (!freed) {
            struct timespec nap = {0, 20 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
    }
    for (unsigned i = 0; i < parallel; i++)
        fw_supervisor_destroy(&slots[i].sv); /* stops the jobs if we were interrupted */
    free(slots);
    return rc;
}
