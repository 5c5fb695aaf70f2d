/* fw_run: the `flywheel run` command, one whole simulation.
 *
 *   flywheel run SCENARIO [--out DIR] [--seed N] [--ticks N] [--transport ipc|tcp]
 *                         [--tick-timeout MS] [--seats-per-process K] [--view] [--check]
 *                         [--quiet] [--log-level L]
 *
 * Loads the scenario first (a bad file starts nothing, exit 2), starts the coordinator,
 * waits for it to publish its endpoints, subscribes to its snapshots, starts the agent
 * processes, K seats each in scenario order (`flywheel-agent --seats a,b,...`; one
 * --seat each for K = 1) (and, with --view, a viewer window), shows progress until the coordinator
 * exits, then prints the summary table. The viewer has its own supervisor: closing its
 * window never stops the run, and the end of the run never closes the window.
 * Ctrl-C (or SIGTERM) stops every child: SIGTERM, 3 s, SIGKILL, all reaped (exit 130).
 *
 * This is a command, not library code: it prints to the user's terminal. main.c parses
 * its options and owns the signal handler; docs/launcher.md is the user's page and the
 * reusable pieces live in fw_launch.c.
 */
#ifndef FW_RUN_H
#define FW_RUN_H

#include <signal.h>

#include "fw_launch.h"

/* The most seats one agent process is given (flywheel-agent's own cap). */
#define FW_RUN_SEATS_PER_PROCESS_MAX 4096

typedef struct {
    const char *scenario;      /* path as given */
    const char *out;           /* --out, or NULL for runs/<name>-<time> */
    const char *seed;          /* validated decimal text, forwarded as is */
    const char *ticks;
    const char *tick_timeout;
    const char *log_level;
    fw_transport_t transport;
    int quiet;
    int check;                 /* --check: report the scenario's checks */
    int view;                  /* --view: start flywheel-viewer on the run */
    unsigned seats_per_process; /* --seats-per-process: seats per agent process, >= 1
                                 * (0 is taken as 1) */
    int embedded;              /* --embedded: coordinator and seats as threads of this
                                * process over inproc:// (fw_embedded) */
    volatile sig_atomic_t *stop;  /* non-zero: stop the run (set by the caller's
                                   * SIGINT/SIGTERM handler); not owned */
    void (*catch_signals)(void);  /* called once, just before the first child starts:
                                   * from then on Ctrl-C sets *stop instead of ending
                                   * the launcher, and the run stops its children */
} fw_run_opts_t;

/* Runs the scenario o->scenario to its end. Returns the process exit code: 0 the run
 * completed, 1 it failed, 2 bad scenario, 4 a check failed (o->check), 130 stopped
 * (*o->stop). Every child it started has ended when it returns. */
int fw_run(const fw_run_opts_t *o);

#endif
