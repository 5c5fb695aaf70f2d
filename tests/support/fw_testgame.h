/* fw_testgame: a served game inside a test, with real processes: its private
 * directory and ipc:// endpoints, the coordinator (or `flywheel serve`) it runs, the
 * human clients (`flywheel-agent --strategy human`) that play it on pseudo-terminals,
 * and the record it leaves (events.log, metrics.csv).
 *
 * The helpers assert (Criterion) and say on failure which case was being played
 * (fw_game_t.what) with the logs that tell why. fw_game_fini() kills every process
 * and closes every terminal the game started; FW_TEST_KEEP=1 keeps a copy of the
 * directory in /tmp/kept-<name>.
 */
#ifndef FW_TESTGAME_H
#define FW_TESTGAME_H

#include <stddef.h>
#include <stdint.h>

#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_testpty.h"

#define FW_GAME_MAX_TICKS 64
#define FW_GAME_MAX_PTYS 128

typedef struct {
    fw_procs_t procs;
    char dir[64];          /* private directory, removed at fini */
    char listen[300];      /* ipc://DIR/agents */
    char publish[300];     /* ipc://DIR/observers */
    char out[300];         /* the run directory: DIR/out */
    char coord_log[300];   /* the coordinator's (or serve's) output */
    int coord;             /* its index in procs, -1 before it starts */
    char what[160];        /* the case being played, for failure messages */
    fw_pty_t *ptys[FW_GAME_MAX_PTYS]; /* every client's terminal */
    size_t n_ptys;
} fw_game_t;

void fw_game_init(fw_game_t *g);
void fw_game_fini(fw_game_t *g);

/* Starts `program` of the build tree with `first` as its arguments (NULL-ended,
 * e.g. {"serve", SCENARIO, ...}), its output in log_path and stdin empty. Returns its
 * index in g->procs. */
int fw_game_start(fw_game_t *g, const char *program, char *const args[], const char *log_path);

/* The coordinator with house bots on classroom.yaml, on g's endpoints, with `extra`
 * options (NULL-ended); waits until it has bound. Sets g->coord. */
void fw_game_start_coordinator(fw_game_t *g, char *const extra[]);

/* Waits for `needle` in the file (a log) after offset `from`; asserts it comes within
 * timeout_ms and returns the offset past it. */
long fw_game_wait_text(fw_game_t *g, const char *path, const char *needle, long from,
                       int timeout_ms);

/* A human client on a 80x24 terminal. */
typedef struct {
    fw_pty_t *pty;
    int proc;           /* index in the game's procs */
    char log[320];      /* its stderr: what its screen showed, line by line */
    long seen;          /* offset in log past the last line waited for */
} fw_player_t;

/* Starts a client for `seat` named "alice" (resume = "" for a first join); its log is
 * DIR/player-<n>.log. */
void fw_player_start(fw_game_t *g, fw_player_t *p, const char *seat, const char *resume, int n);

/* The same, for a player called `name`, on a terminal of 80 x rows. */
void fw_player_start_named(fw_game_t *g, fw_player_t *p, const char *seat, const char *name,
                           int rows, const char *resume, int n);

/* Waits for a line of the client's log after the last one waited for. */
void fw_player_wait(fw_game_t *g, fw_player_t *p, int timeout_ms, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Sends the moves of tick t on screen: presses Enter until the client says it sent
 * them (an Enter right after a refresh is held back on purpose, so the key is
 * repeated; the client's own send before the deadline counts too). */
void fw_player_send(fw_game_t *g, fw_player_t *p, uint32_t t);

/* Waits for tick t on screen, then sends its moves. */
void fw_player_play(fw_game_t *g, fw_player_t *p, uint32_t t);

/* Closes the client's terminal (its process, if alive, gets SIGHUP). */
void fw_player_stop(fw_game_t *g, fw_player_t *p);

/* The resume token the client logged with its Welcome ("" if none yet). */
void fw_player_token(const fw_player_t *p, char *token, size_t len);

/* What events.log says about one seat, tick by tick. */
typedef struct {
    uint32_t ticks;                               /* snapshots */
    Flywheel__V1__Holder holder[FW_GAME_MAX_TICKS + 2];
    int actions[FW_GAME_MAX_TICKS + 2];           /* Actions records of the seat */
    int present[FW_GAME_MAX_TICKS + 2];           /* the snapshot: the seat answered */
    int final;                                    /* the last snapshot is final */
} fw_record_t;

void fw_game_record(fw_game_t *g, fw_record_t *r, const char *seat, int seat_index);

/* Rows of metrics.csv (ticks recorded). */
size_t fw_game_metrics_rows(fw_game_t *g);

#endif
