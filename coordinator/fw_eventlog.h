/* fw_eventlog: the run's events.log, an append-only file of Envelope records, each
 * preceded by its length as a varint (protobuf's delimited framing).
 *
 * The first record is a RunHeader (scenario text, seed, versions); then, for each
 * tick, every accepted Actions envelope in seat order and the tick's Snapshot. The
 * file is flushed after every tick, so a crash loses at most the tick in progress.
 */
#ifndef FW_EVENTLOG_H
#define FW_EVENTLOG_H

#include "fw_proto.h"

typedef struct fw_eventlog fw_eventlog_t;

/* Creates (truncates) `path` and writes `header` as the first record. Returns an
 * owned log, or NULL with errno set (the file could not be created or written). */
fw_eventlog_t *fw_eventlog_open(const char *path, const fw_envelope_t *header);

/* Opens an existing log to append to it (a run resumed from it: fw_eventlog_recover
 * first). Returns an owned log, or NULL with errno set. */
fw_eventlog_t *fw_eventlog_reopen(const char *path);

/* Called by fw_eventlog_recover for each sealed tick, in order: the tick's Actions
 * records in the order logged, and its Snapshot record (borrowed for the call).
 * Returns 0 to go on, or non-zero to stop the recovery (an error the caller reports). */
typedef int (*fw_eventlog_tick_fn)(void *arg, fw_envelope_t *const *actions, size_t n_actions,
                                   const fw_envelope_t *snapshot);

/* What fw_eventlog_recover found. */
typedef struct {
    uint32_t ticks;         /* sealed ticks: the tick of the last Snapshot record (0: none) */
    long kept_bytes;        /* the log's length after its last sealed tick */
    long dropped_bytes;     /* what followed it and was cut: a torn last record, or the
                             * Actions of a tick whose Snapshot was never written */
} fw_eventlog_recovery_t;

/* Reads the log at `path` without changing it: its RunHeader (into *header, owned by
 * the caller: fw_proto_free), then each sealed tick (its Actions, then its Snapshot),
 * handed to fn (NULL: only counted). Reading stops at the end, or at a torn or cut last
 * record (what follows the last sealed tick is counted in out->dropped_bytes). Returns
 * 0 with *out filled, or -1 with the reason in err (unreadable, no header, a record
 * that is not the next tick's, fn's stop). `flywheel export` reads a run with it. */
int fw_eventlog_read(const char *path, fw_envelope_t **header, fw_eventlog_tick_fn fn,
                     void *arg, fw_eventlog_recovery_t *out, char *err, size_t err_len);

/* Reads the log at `path` after a crash: its RunHeader (into *header, owned by the
 * caller: fw_proto_free), then each sealed tick (its Actions, then its Snapshot),
 * handed to fn. Whatever follows the last sealed tick is cut from the file, so that
 * appending goes on from a clean record boundary. Returns 0 with *out filled, or -1
 * with the reason in err (unreadable, no header, a record that is not the next
 * tick's, fn's stop). */
int fw_eventlog_recover(const char *path, fw_envelope_t **header, fw_eventlog_tick_fn fn,
                        void *arg, fw_eventlog_recovery_t *out, char *err, size_t err_len);

/* Appends one record. Returns 0 or a negative fw_proto code. */
int fw_eventlog_append(fw_eventlog_t *log, const fw_envelope_t *env);

/* Appends one record already packed (fw_proto_pack_with_body), unflushed. */
int fw_eventlog_append_bytes(fw_eventlog_t *log, const uint8_t *bytes, size_t len);

/* Flushes buffered records to the file. Returns 0 or FW_PROTO_EIO. */
int fw_eventlog_flush(fw_eventlog_t *log);

/* Flushes, closes and frees; NULL-safe; sets *p to NULL. Returns 0 or FW_PROTO_EIO. */
int fw_eventlog_close(fw_eventlog_t **p);

#endif
