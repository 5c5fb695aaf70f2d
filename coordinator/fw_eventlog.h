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

/* Appends one record. Returns 0 or a negative fw_proto code. */
int fw_eventlog_append(fw_eventlog_t *log, const fw_envelope_t *env);

/* Flushes buffered records to the file. Returns 0 or FW_PROTO_EIO. */
int fw_eventlog_flush(fw_eventlog_t *log);

/* Flushes, closes and frees; NULL-safe; sets *p to NULL. Returns 0 or FW_PROTO_EIO. */
int fw_eventlog_close(fw_eventlog_t **p);

#endif
