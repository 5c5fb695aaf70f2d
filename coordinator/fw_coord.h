/* fw_coord: the coordinator's run: sockets, seats, the tick clock and the outputs.
 *
 * It binds a ROUTER socket for agents and a PUB socket for observers, waits until
 * every seat is claimed, then steps the market tick by tick in lockstep. It owns the
 * market, the event log and the run directory's files. It survives anything a peer
 * sends: a malformed or invalid message is refused with a reason and logged; a seat
 * silent past the tick timeout gets the default action (do nothing), and is not
 * waited for again until it speaks.
 */
#ifndef FW_COORD_H
#define FW_COORD_H

#include <signal.h>
#include <stdint.h>

#include "fw_scenario.h"

typedef struct {
    const fw_scenario_t *scenario; /* borrowed, loaded by the caller */
    const char *listen;            /* ROUTER endpoint for agents, e.g. ipc:///tmp/x/agents */
    const char *publish;           /* PUB endpoint for observers */
    const char *out_dir;           /* run directory; created if missing */
    uint64_t seed;                 /* run seed (the caller resolves the default) */
    uint32_t ticks;                /* ticks to run; 0 = the scenario's */
    int tick_timeout_ms;           /* wait for a tick's actions at most this long */
    int join_timeout_ms;           /* wait for every seat at most this long; < 0 = forever */
    void *zmq_ctx;                 /* borrowed ZeroMQ context (shared for inproc://) */
    volatile sig_atomic_t *stop;   /* set to non-zero (by a signal handler) to stop */
} fw_coord_config_t;

/* Results of fw_coord_run, used as the coordinator's exit codes. */
enum {
    FW_COORD_OK = 0,          /* every tick ran and the outputs are written */
    FW_COORD_EFAIL = 1,       /* a part failed: bind, files, seats never came, books */
    FW_COORD_EINTERRUPTED = 130, /* stopped by *stop; outputs cover the ticks run */
};

/* Runs the whole run. Returns one of the codes above; the reason is logged. */
int fw_coord_run(const fw_coord_config_t *cfg);

#endif
