/* fw_vsource: where the viewer's snapshots come from, no SDL.
 *
 * - A recorded run: a run directory's events.log (varint-delimited Envelopes: a
 *   RunHeader, then per tick the accepted Actions and the Snapshot). The header gives
 *   seat order and, through the scenario text it carries, display names.
 * - A running coordinator: a SUB socket on its --publish endpoint. PUB keeps no
 *   history, so a viewer that joins late starts from the next snapshot; given the run
 *   directory too, it reads the ticks it missed from the log (which the coordinator
 *   writes as it goes) to fill its history.
 *
 * The live source watches its connection (fw_watch: ZMTP heartbeats every second, a
 * peer silent for 3 s is lost; a coordinator that dies is lost at once) and logs each
 * change, so the header can say "coordinator gone" instead of "live". Every snapshot
 * names its run; one from another run than the model holds starts the model over
 * (fw_vmodel_set_run), and records of another run in a history log are skipped.
 */
#ifndef FW_VSOURCE_H
#define FW_VSOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "fw_vmodel.h"
#include "fw_watch.h"

/* ZMTP heartbeats on the SUB socket: a PING this often, and the connection counts as
 * lost when nothing came back for the timeout. */
#define FW_VLIVE_HEARTBEAT_MS 1000
#define FW_VLIVE_TIMEOUT_MS 3000

/* The events.log of `dir_or_file`: DIR/events.log when it is a directory, else the
 * path itself. Returns 0, or -1 if the result does not fit in buf. */
int fw_vsource_log_path(const char *dir_or_file, char *buf, size_t len);

/* Reads the log at `path` into vm: the header's seats and names (once per model),
 * then every snapshot (ticks already held are skipped). The model takes the log's run
 * id if it has none; records of another run than the model's are skipped (a history
 * log the new run at the address has not rewritten yet). With partial_ok a record cut
 * short at the end (a log still being written) ends the read without an error.
 * Returns the number of snapshots read (>= 0), or -1 with a one-line reason in err:
 * the file cannot be opened, is not a Flywheel log, or is corrupt. */
int fw_vsource_read_log(const char *path, fw_vmodel_t *vm, int partial_ok, char *err,
                        size_t err_len);

typedef struct fw_vlive fw_vlive_t;

/* Subscribes to a coordinator's PUB endpoint (tcp://host:port, ipc://path). The
 * connection is made in the background: a coordinator that is not up yet is fine.
 * history_log (may be NULL): an events.log to fill in the ticks missed before the
 * first snapshot and any gap. server_key_file (may be NULL: plaintext): the
 * coordinator's public key, for a CURVE publisher; secret_file (may be NULL: a new
 * pair) this viewer's key pair. Returns an owned source, or NULL with err set. */
fw_vlive_t *fw_vlive_new(const char *endpoint, const char *history_log,
                         const char *server_key_file, const char *secret_file, char *err,
                         size_t err_len);

/* Applies every snapshot waiting on the socket to vm, waiting at most timeout_ms for
 * the first one, then reads the connection's state. A snapshot of a new run starts vm
 * over first (logged: "a new run (ID) started: starting over"); a change of the
 * connection is logged ("connected to the coordinator at URL", "coordinator gone
 * (URL): ..."). Returns the number of new frames (>= 0), or -1 on a socket error (err
 * set). Malformed messages are logged and skipped. */
int fw_vlive_poll(fw_vlive_t *l, fw_vmodel_t *vm, int timeout_ms, char *err, size_t err_len);

/* Number of snapshots received on the socket so far. */
unsigned long fw_vlive_received(const fw_vlive_t *l);

/* The connection to the coordinator, as a live header tells it (fw_vheader). */
typedef struct {
    fw_watch_state_t state;  /* never reached, up, or gone after being up */
    int64_t since_ms;        /* monotonic ms (fw_clock_ms) the state began */
    const char *endpoint;    /* the coordinator's address, owned by the source */
} fw_vlink_t;

/* The connection as of the last fw_vlive_poll(). */
fw_vlink_t fw_vlive_link(const fw_vlive_t *l);

/* Closes the socket and frees the source; NULL-safe; sets *p to NULL. */
void fw_vlive_destroy(fw_vlive_t **p);

#endif
