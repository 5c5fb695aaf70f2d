/* fw_proto: the one module that packs, unpacks, frames, sends and receives
 * flywheel.v1.Envelope messages (on ZeroMQ sockets and in events.log files).
 *
 * Nothing else in Flywheel calls protobuf-c's __pack/__unpack or zmq_send/zmq_recv.
 * Every length that comes from outside (a ZeroMQ frame, a varint in a log) is checked
 * against a cap before anything is allocated for it.
 *
 * Ownership: an envelope returned by fw_proto_unpack/recv/read is owned by the caller
 * and freed with fw_proto_free(). Envelopes built by the caller on the stack (with
 * FLYWHEEL__V1__ENVELOPE__INIT) are never freed by this module.
 */
#ifndef FW_PROTO_H
#define FW_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flywheel.pb-c.h"

#define FW_PROTOCOL_VERSION 1u
/* Largest Envelope accepted from a peer or a log, in bytes. Snapshots of a
 * 1000-seat scenario stay well below it. */
#define FW_PROTO_MAX_FRAME (4u * 1024u * 1024u)
/* Most memory one envelope may take once unpacked, whatever its size on the wire. */
#define FW_PROTO_MAX_UNPACKED (8u * FW_PROTO_MAX_FRAME)
/* The most frames one envelope from the coordinator comes in (a TickStart: 3). */
#define FW_PROTO_MAX_PARTS 3u
/* Largest ZeroMQ routing identity accepted. */
#define FW_PROTO_MAX_IDENTITY 255u

typedef Flywheel__V1__Envelope fw_envelope_t;

/* Result codes: 0 is success, every failure is negative. */
enum {
    FW_PROTO_OK = 0,
    FW_PROTO_ETIMEDOUT = -1,   /* nothing arrived before the timeout */
    FW_PROTO_ETOOBIG = -2,     /* frame or record over FW_PROTO_MAX_FRAME */
    FW_PROTO_EMALFORMED = -3,  /* bytes are not an Envelope, or no body set */
    FW_PROTO_EVERSION = -4,    /* protocol_version != FW_PROTOCOL_VERSION */
    FW_PROTO_EFRAMING = -5,    /* wrong number of ZeroMQ frames in a message */
    FW_PROTO_EIO = -6,         /* socket or file error; errno tells more */
    FW_PROTO_EOF = -7,         /* clean end of a log file */
    FW_PROTO_ETRUNCATED = -8,  /* a log record cut short */
    FW_PROTO_EINTR = -9,       /* interrupted by a signal */
    FW_PROTO_EBUDGET = -10,    /* unpacking would take more memory than the budget */
};

/* A short description of a result code ("frame over the size cap"). */
const char *fw_proto_strerror(int rc);

/* The schema hash of the .proto this binary was built from (hex SHA-256). */
const char *fw_proto_schema_hash(void);

/* Packs `env` into a newly allocated buffer (*out, *out_len); caller frees *out.
 * Returns 0, or FW_PROTO_ETOOBIG if the packed size exceeds the cap. */
int fw_proto_pack(const fw_envelope_t *env, uint8_t **out, size_t *out_len);

/* A growable byte buffer, kept between uses (fw_proto_pack_body_once and friends). */
typedef struct {
    uint8_t *bytes; /* owned; NULL until used */
    size_t len, cap;
} fw_proto_buf_t;

/* Frees b's bytes; b may be used again. */
void fw_proto_buf_clear(fw_proto_buf_t *b);

/* Packs a Snapshot into `b` (its bytes reused): the body that the run's log record and
 * its published message share, so that it is packed once a tick. Returns 0,
 * FW_PROTO_ETOOBIG or FW_PROTO_EIO (out of memory). */
int fw_proto_pack_snapshot(fw_proto_buf_t *b, const Flywheel__V1__Snapshot *snap);

/* Packs into `out` the envelope `env` would pack to, with its body (the case env names;
 * its pointer is not read) taken already packed from `body`: the same bytes as
 * fw_proto_pack, for a body packed once and sent or logged under several envelopes.
 * Returns 0, FW_PROTO_ETOOBIG or FW_PROTO_EIO. */
int fw_proto_pack_with_body(fw_proto_buf_t *out, const fw_envelope_t *env,
                            const fw_proto_buf_t *body);

/* Unpacks `len` bytes. The size cap is checked before protobuf-c allocates anything,
 * and protobuf-c allocates within fw_proto_unpack_budget(len) bytes; bytes that are
 * not what fw_proto_pack writes are accepted only if the envelope, packed again as
 * events.log keeps it, unpacks again (within its own budget and cap); the version
 * is checked after. On success *out is owned by the caller. Returns 0,
 * FW_PROTO_ETOOBIG, FW_PROTO_EBUDGET, FW_PROTO_EMALFORMED or FW_PROTO_EVERSION (in
 * which case *out is still set, so the caller can reply to the sender's seq), or
 * FW_PROTO_EIO if memory runs out. fw_proto_recv_from/_fd (a coordinator's ROUTER:
 * agents' messages, which it logs) unpack this way; fw_proto_recv (what a DEALER or a
 * SUB gets from the coordinator) and fw_proto_read_delimited (the coordinator's own
 * records) skip the repacking check: their bytes are fw_proto_pack's already. */
int fw_proto_unpack(const uint8_t *data, size_t len, fw_envelope_t **out);

/* What unpacking `len` bytes may allocate: 64 KiB plus 16 times the bytes, at most
 * FW_PROTO_MAX_UNPACKED (a legitimate Envelope takes a few times its size). */
size_t fw_proto_unpack_budget(size_t len);

/* Frees an envelope from fw_proto_unpack/recv/read; NULL-safe; sets *p to NULL. */
void fw_proto_free(fw_envelope_t **p);

/* --- ZeroMQ ---------------------------------------------------------------
 * DEALER/SUB/PUB side: one frame per message (the packed Envelope).
 * ROUTER side: two frames, [identity][envelope]. */

/* Sends `env` on a DEALER or PUB socket. Returns 0 or a negative code. */
int fw_proto_send(void *socket, const fw_envelope_t *env);

/* Sends an envelope already packed (fw_proto_pack_with_body) on a DEALER or PUB
 * socket, as one frame. Returns 0 or a negative code. */
int fw_proto_send_bytes(void *socket, const uint8_t *bytes, size_t len);

/* Sends `env` to the peer `identity` on a ROUTER socket, never blocking: a peer whose
 * queue is full gives FW_PROTO_ETIMEDOUT, a peer that is gone FW_PROTO_EIO (with
 * ZMQ_ROUTER_MANDATORY set; without it ZeroMQ drops the message in silence). */
int fw_proto_send_to(void *socket, const uint8_t *identity, size_t identity_len,
                     const fw_envelope_t *env);

/* A TickStart's market view packed once, to go into every seat's TickStart of a tick
 * (fw_proto_send_tick_start_to). `view` is the message the bytes were packed from. The
 * bytes are shared with the messages ZeroMQ has not sent yet (reference counted): a
 * view still being sent is never packed over. */
typedef struct fw_proto_shared fw_proto_shared_t;
typedef struct {
    const Flywheel__V1__MarketView *view;
    fw_proto_shared_t *shared; /* owns the bytes; NULL until packed */
    const uint8_t *bytes;      /* the packed view, in `shared` */
    size_t len;
} fw_proto_view_t;

/* Packs `view` into v (reusing its buffer when no message still holds it). Returns 0,
 * FW_PROTO_ETOOBIG or FW_PROTO_EIO (out of memory). */
int fw_proto_view_pack(fw_proto_view_t *v, const Flywheel__V1__MarketView *view);

/* Lets go of v's buffer (freed once no message holds it); v may be packed again. */
void fw_proto_view_clear(fw_proto_view_t *v);

/* As fw_proto_send_to for a TickStart whose market is v->view: the same bytes, but the
 * market view is not packed again, nor copied: the message goes out as three frames,
 * [the envelope up to the view][the view][the rest], the middle one sent from v's
 * bytes (ZeroMQ zero copy). A seat's view is O(seats) bytes, so packing or copying it
 * for every seat made the coordinator's tick O(seats^2). The receiver joins the
 * frames (fw_proto_recv): the envelope's bytes are those of fw_proto_pack. Any other
 * envelope is one frame, packed as by fw_proto_send_to. */
int fw_proto_send_tick_start_to(void *socket, const uint8_t *identity, size_t identity_len,
                                const fw_envelope_t *env, const fw_proto_view_t *v);

/* The packed bytes of fw_proto_send_tick_start_to (for tests): as fw_proto_pack. */
int fw_proto_pack_tick_start(const fw_envelope_t *env, const fw_proto_view_t *v, uint8_t **out,
                             size_t *out_len);

/* Receives one message from a DEALER or SUB socket, waiting at most timeout_ms
 * (-1 = forever, 0 = poll). A message of up to FW_PROTO_MAX_PARTS frames is one
 * envelope split (fw_proto_send_tick_start_to) and is joined; more frames are drained
 * and refused (FW_PROTO_EFRAMING), as is a join over FW_PROTO_MAX_FRAME
 * (FW_PROTO_ETOOBIG). Returns 0 with *out owned by the caller, or a negative code; on
 * FW_PROTO_EVERSION *out is set as in fw_proto_unpack. */
int fw_proto_recv(void *socket, int timeout_ms, fw_envelope_t **out);

/* The market view of the TickStarts a process's seats receive, unpacked once: every
 * seat of a tick gets the same view, and unpacking it for each made a process of many
 * seats (and an embedded run) O(seats^2) a tick. */
typedef struct fw_proto_view_cache fw_proto_view_cache_t;

/* A new, empty cache, or NULL when out of memory. */
fw_proto_view_cache_t *fw_proto_view_cache_new(void);

/* Frees the cache; NULL-safe; sets *p to NULL. */
void fw_proto_view_cache_destroy(fw_proto_view_cache_t **p);

/* As fw_proto_recv, but a TickStart's market view comes from `cache`: unpacked only
 * when its bytes differ from the last one's. The envelope is the one fw_proto_recv
 * gives, except that tick_start->market belongs to the cache: it stays valid until
 * the next call with the cache, or the cache's end. An envelope whose shape is not
 * what a coordinator sends is unpacked whole, as by fw_proto_recv. */
int fw_proto_recv_cached(void *socket, int timeout_ms, fw_proto_view_cache_t *cache,
                         fw_envelope_t **out);

/* The same on bytes already received (for tests). */
int fw_proto_unpack_cached(const uint8_t *data, size_t len, fw_proto_view_cache_t *cache,
                           fw_envelope_t **out);

/* Receives one message from a ROUTER socket: the sender's identity is copied into
 * identity (capacity FW_PROTO_MAX_IDENTITY + 1 bytes) and its length stored in
 * *identity_len even when the envelope is refused, so the caller can answer the
 * sender. Extra or missing frames give FW_PROTO_EFRAMING. */
int fw_proto_recv_from(void *socket, int timeout_ms, uint8_t *identity,
                       size_t *identity_len, fw_envelope_t **out);

/* The longest ZAP user id fw_proto_recv_from_fd hands back. */
#define FW_PROTO_MAX_USER 63

/* The same, and *src_fd (if not NULL) is the file descriptor of the connection the
 * message came on (-1 if unknown): a ROUTER's monitor names a dropped connection by
 * it (fw_watch_take_gone); user (if not NULL, FW_PROTO_MAX_USER + 1 bytes) the ZAP
 * user id of that connection: with CURVE, who holds the key it was made with (see
 * fw_zap); "" without. */
int fw_proto_recv_from_fd(void *socket, int timeout_ms, uint8_t *identity,
                          size_t *identity_len, int *src_fd, char *user, fw_envelope_t **out);

/* Whether two envelopes carry the same Actions, field for field (their packed bytes
 * are equal); false if either is not an Actions. */
bool fw_proto_same_actions(const fw_envelope_t *a, const fw_envelope_t *b);

/* --- Delimited records (events.log) ----------------------------------------
 * Each record is the packed Envelope preceded by its length as a base-128 varint:
 * protobuf's standard delimited framing (writeDelimitedTo / parseDelimitedFrom). */

/* Appends one record. Returns 0 or FW_PROTO_EIO/FW_PROTO_ETOOBIG. */
int fw_proto_write_delimited(FILE *f, const fw_envelope_t *env);

/* Appends one record of an envelope already packed (fw_proto_pack_with_body). */
int fw_proto_write_delimited_bytes(FILE *f, const uint8_t *bytes, size_t len);

/* Reads the next record. Returns 0 with *out owned by the caller, FW_PROTO_EOF at a
 * clean end, FW_PROTO_ETRUNCATED, FW_PROTO_ETOOBIG or FW_PROTO_EMALFORMED. */
int fw_proto_read_delimited(FILE *f, fw_envelope_t **out);

/* The name of an envelope's body ("hello", "tick_start", ...), or "none". */
const char *fw_proto_body_name(const fw_envelope_t *env);

#endif
