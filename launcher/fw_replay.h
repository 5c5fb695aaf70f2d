/* fw_replay: `flywheel replay --verify DIR`, a run recomputed from its events.log.
 *
 * The log holds the run's header (the scenario as read), every seat's Actions of
 * every tick (the house bots' too) and each tick's Snapshot with the state hash. The
 * market is deterministic given the actions, so clearing the logged actions again
 * must reach the logged hash at every tick; the first tick where it does not is
 * named. */
#ifndef FW_REPLAY_H
#define FW_REPLAY_H

#include <stdio.h>

/* Exit codes of the command. */
enum {
    FW_REPLAY_OK = 0,       /* every tick's hash is the log's */
    FW_REPLAY_DIFFERS = 1,  /* a tick's hash differs (named) */
    FW_REPLAY_USAGE = 2,    /* bad usage */
    FW_REPLAY_BADLOG = 3,   /* the log cannot be read or its scenario loaded */
};

/* `flywheel replay ...` (argv[0] is "replay"). Prints progress and the verdict. */
int fw_replay_main(int argc, char **argv);

void fw_replay_usage(FILE *out);

#endif
