/* fw_embedded: `flywheel run --embedded`, a run in one process.
 *
 * The coordinator runs on one thread and every seat on another (one DEALER per seat,
 * fw_agent_run_seats), over inproc:// in one ZeroMQ context, with the same protobuf
 * messages as the processes `flywheel run` starts: the same seed gives the same bytes
 * in metrics.csv. For fast sweeps, and for a whole run under one debugger. Each thread
 * owns its own state; the only thing the threads share is the context (and the log,
 * whose label was set before they start).
 */
#ifndef FW_EMBEDDED_H
#define FW_EMBEDDED_H

#include <signal.h>
#include <stdint.h>

#include "fw_scenario.h"

typedef struct {
    const fw_scenario_t *scenario; /* borrowed */
    const char *out_dir;           /* the run directory (exists) */
    uint64_t seed;                 /* the run's seed (resolved by the caller) */
    uint32_t ticks;                /* 0 = the scenario's */
    int tick_timeout_ms;           /* the coordinator's wait for a tick's actions */
    volatile sig_atomic_t *stop;   /* raised by the caller's signal handler */
} fw_embedded_opts_t;

/* Runs the scenario to its end (or *stop). Returns the coordinator's result
 * (FW_COORD_OK, FW_COORD_EFAIL, FW_COORD_EINTERRUPTED); the reason of a failure is
 * logged. */
int fw_embedded_run(const fw_embedded_opts_t *o);

#endif
