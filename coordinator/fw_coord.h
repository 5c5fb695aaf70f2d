/* fw_coord: the coordinator's run: sockets, seats, the tick clock and the outputs.
 *
 * It binds a ROUTER socket for agents and a PUB socket for observers, waits in a
 * lobby until the seats are claimed, then steps the market tick by tick. It owns the
 * market, the event log and the run directory's files. It survives anything a peer
 * sends: a malformed or invalid message is refused with a reason and logged; a seat
 * silent past the tick timeout gets the default action (do nothing), and is not
 * waited for again until it speaks.
 *
 * Network play (docs/network.md). Each seat is held by a player (a connected agent),
 * by a house bot (the seat's built-in strategy, run inside this process), or nobody
 * (the lobby); the seat table (fw_seats) holds who and decides the claims, takeovers
 * and hand-backs, and this module sends what they call for. With house bots on:
 *   - the lobby ends when `players` seats have players or `start_after_ms` passes
 *     (or the operator says go); every empty seat then gets a house bot;
 *   - a player that disconnects, says Bye, or misses `takeover_after` ticks in a row
 *     is replaced by the house bot; a Hello carrying the seat's resume token (from
 *     its Welcome) takes the seat back, and a late joiner may claim any seat a house
 *     bot holds: the bot plays the current tick, the player gets the next TickStart.
 * Invariants: a house bot's actions take exactly the path of a player's (the inbox,
 * the market in seat order, the event log), and it is seeded from the seat's seed,
 * so a run replays exactly whoever played. Pacing is lockstep (wait for every
 * player, at most tick_timeout_ms) or a deadline (a wall-clock turn timer, carried
 * in every TickStart): actions that arrive after their tick was cleared are refused
 * as late, counted per seat (Snapshot.seats[].late) and logged.
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
    /* Network play; all zero = every seat must be claimed, lockstep (`flywheel run`). */
    int house_bots;                /* fill empty seats and replace lost players */
    uint32_t players;              /* with house_bots: start once this many seats have
                                    * players (0 = every seat) */
    int start_after_ms;            /* with house_bots: start after this long in the
                                    * lobby even if players are missing; < 0 = never */
    int deadline_ms;               /* > 0: deadline pacing with this turn timer;
                                    * 0: lockstep */
    uint32_t takeover_after;       /* with house_bots: a player silent this many ticks
                                    * in a row is replaced (0 = never) */
    /* Operator controls, raised by signal handlers; either may be NULL. *pause
     * non-zero holds the game after the current tick; *go non-zero starts the game
     * from the lobby now (with house bots) and is cleared by the coordinator. */
    volatile sig_atomic_t *pause;
    volatile sig_atomic_t *go;
    /* CURVE (docs/security.md); curve_secret NULL = plaintext. With it, both sockets
     * are CURVE servers and an authentication handler (fw_zap) admits the players
     * whose public keys are in allow_dir (or any key: allow_any) and the viewers whose
     * keys are in viewer_allow_dir (NULL: any viewer key; the link is still
     * encrypted). The coordinator does not open a socket without the handler, and
     * stops the game if the handler stops. */
    const char *curve_secret;      /* this coordinator's NAME.key_secret */
    const char *allow_dir;         /* players' public keys (NAME.key files) */
    int allow_any;                 /* any player key (a class that wants encryption only) */
    const char *viewer_allow_dir;  /* viewers' public keys; NULL = any */
    /* Crash-resume (docs/security.md): non-zero = this run was started before and
     * died; out_dir holds its events.log. The coordinator replays the log's sealed
     * ticks (checking each state hash), cuts a torn last record, rewrites metrics.csv
     * to match, takes the seats' resume tokens from out_dir, waits for the players to
     * come back and plays on from the next tick. */
    int resume;
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
