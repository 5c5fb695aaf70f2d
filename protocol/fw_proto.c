/* fw_proto: packing, framing and transport of flywheel.v1.Envelope.
 *
 * Invariants:
 * - Every length that comes from outside (a ZeroMQ frame, a varint in a log) is
 *   compared with FW_PROTO_MAX_FRAME before protobuf-c or we allocate anything for it.
 * - A multipart ZeroMQ message with the wrong number of frames is drained completely
 *   before we return, so the next receive starts on a message boundary.
 * - Nothing here logs: the caller knows the peer's seat and logs once with it.
 */
#include "fw_clock.h"
#include "fw_proto.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "fw_version.h"

/* A uint64 varint takes at most 10 bytes. */
#define S_VARINT_MAX 10

const char *fw_proto_strerror(int rc)
{
    switch (rc) {
    case FW_PROTO_OK: return "success";
    case FW_PROTO_ETIMEDOUT: return "timed out waiting for a message";
    case FW_PROTO_ETOOBIG: return "frame over the size cap";
    case FW_PROTO_EMALFORMED: return "malformed envelope";
    case FW_PROTO_EVERSION: return "protocol version mismatch";
    case FW_PROTO_EFRAMING: return "wrong number of ZeroMQ frames";
    case FW_PROTO_EIO: return "socket or file error";
    case FW_PROTO_EOF: return "end of file";
    case FW_PROTO_ETRUNCATED: return "record cut short";
    case FW_PROTO_EINTR: return "interrupted by a signal";
    case FW_PROTO_EBUDGET: return "would take more memory to unpack than its size allows";
    default: return "unknown protocol error";
    }
}

const char *fw_proto_schema_hash(void)
{
    return FW_SCHEMA_HASH;
}

const char *fw_proto_body_name(const fw_envelope_t *env)
{
    if (!env)
        return "none";
    switch (env->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_HELLO: return "hello";
    case FLYWHEEL__V1__ENVELOPE__BODY_WELCOME: return "welcome";
    case FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL: return "refusal";
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_START: return "tick_start";
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS: return "actions";
    case FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT: return "tick_result";
    case FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT: return "snapshot";
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE: return "bye";
    case FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER: return "run_header";
    case FLYWHEEL__V1__ENVELOPE__BODY_STATUS: return "status";
    default: return "none";
    }
}

/* --- pack / unpack -------------------------------------------------------- */

/* The packed size of `env`, or FW_PROTO_ETOOBIG; computed without allocating. */
static int s_packed_size(const fw_envelope_t *env, size_t *size)
{
    assert(env);
    *size = flywheel__v1__envelope__get_packed_size(env);
    return *size > FW_PROTO_MAX_FRAME ? FW_PROTO_ETOOBIG : FW_PROTO_OK;
}

int fw_proto_pack(const fw_envelope_t *env, uint8_t **out, size_t *out_len)
{
    assert(env && out && out_len);
    *out = NULL;
    *out_len = 0;
    size_t size;
    int rc = s_packed_size(env, &size);
    if (rc != FW_PROTO_OK)
        return rc;
    /* An envelope with every field at its default packs to 0 bytes; malloc(0) may
     * legitimately return NULL, which must not read as out-of-memory. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return FW_PROTO_EIO;
    size_t packed = flywheel__v1__envelope__pack(env, buf);
    assert(packed == size);
    *out = buf;
    *out_len = packed;
    return FW_PROTO_OK;
}

/* protobuf-c has no limit of its own: a few bytes on the wire can ask for a large
 * struct (an empty submessage costs 2 bytes and unpacks to a hundred), so a frame of
 * repeated empty messages amplifies many times. Unpacking goes through an allocator
 * with a budget.
 *
 * The allocator is a region: an unpacked envelope is hundreds of small blocks (one per
 * offer, holding, fill...), and a malloc and a free for each took a quarter of an
 * agent's time (a profile at 64 seats). The blocks are carved one after the other from
 * a few large chunks, and the envelope is freed by freeing the chunks. protobuf-c
 * allocates the message itself first, so the envelope sits right after the region's
 * head in the first chunk: fw_proto_free finds the region from the envelope. */
typedef struct s_chunk {
    struct s_chunk *next;  /* the chunk made before this one */
    size_t size, used;     /* bytes after this head; bytes handed out */
} s_chunk_t;

typedef struct {
    s_chunk_t *chunk;  /* the newest chunk; the region's head lives in the first one */
    size_t left;       /* bytes the unpacking may still allocate */
    bool spent;        /* an allocation was refused */
    void *first;       /* the first block handed out: the envelope */
} s_region_t;

#define S_ALIGN 16u                       /* blocks aligned for any type */
#define S_ROUND(n) (((n) + S_ALIGN - 1) & ~(size_t)(S_ALIGN - 1))
#define S_CHUNK_HEAD S_ROUND(sizeof(s_chunk_t))
#define S_REGION_HEAD S_ROUND(sizeof(s_region_t))
#define S_FIRST_CHUNK 8192u

static s_chunk_t *s_chunk_new(size_t size, s_chunk_t *next)
{
    s_chunk_t *c = malloc(S_CHUNK_HEAD + size);
    if (c)
        *c = (s_chunk_t){next, size, 0};
    return c;
}

static void *s_region_alloc(void *data, size_t size)
{
    s_region_t *r = data;
    if (size > r->left) {
        r->spent = true;
        return NULL;
    }
    size_t need = S_ROUND(size ? size : 1);
    s_chunk_t *c = r->chunk;
    if (c->size - c->used < need) {
        /* Chunks double, so an envelope of any size takes a handful of mallocs. */
        size_t grow = c->size * 2 > need ? c->size * 2 : need;
        if (!(c = s_chunk_new(grow, r->chunk)))
            return NULL;
        r->chunk = c;
    }
    void *p = (unsigned char *)c + S_CHUNK_HEAD + c->used;
    c->used += need;
    r->left -= size;
    if (!r->first)
        r->first = p;
    return p;
}

static void s_region_free(void *data, void *ptr)
{
    /* A block is never freed alone: the region goes as a whole (s_region_destroy). */
    (void)data;
    (void)ptr;
}

/* A new region, its head at the start of its first chunk. */
static s_region_t *s_region_new(size_t budget)
{
    s_chunk_t *c = s_chunk_new(S_FIRST_CHUNK, NULL);
    if (!c)
        return NULL;
    s_region_t *r = (s_region_t *)((unsigned char *)c + S_CHUNK_HEAD);
    c->used = S_REGION_HEAD;
    *r = (s_region_t){c, budget, false, NULL};
    return r;
}

static void s_region_destroy(s_region_t *r)
{
    for (s_chunk_t *c = r->chunk, *next; c; c = next) {
        next = c->next;
        free(c); /* the first chunk, freed last, holds r itself */
    }
}

size_t fw_proto_unpack_budget(size_t len)
{
    size_t budget = 64u * 1024u + 16u * len;
    return budget < FW_PROTO_MAX_UNPACKED ? budget : FW_PROTO_MAX_UNPACKED;
}

/* Unpacks a message of `desc` from `len` bytes into a new region with the budget of
 * `len` (*region, to destroy with the message). Returns 0, FW_PROTO_EBUDGET or
 * FW_PROTO_EMALFORMED. */
static int s_unpack_in_region(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
                              size_t len, s_region_t **region, ProtobufCMessage **msg)
{
    s_region_t *r = s_region_new(fw_proto_unpack_budget(len));
    *region = NULL;
    *msg = NULL;
    if (!r)
        return FW_PROTO_EBUDGET; /* not even a first chunk: no memory at all */
    ProtobufCAllocator alloc = {.alloc = s_region_alloc, .free = s_region_free,
                                .allocator_data = r};
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, &alloc, len, data);
    if (!m) {
        int rc = r->spent ? FW_PROTO_EBUDGET : FW_PROTO_EMALFORMED;
        s_region_destroy(r);
        return rc;
    }
    *region = r;
    *msg = m;
    return FW_PROTO_OK;
}

/* Unpacks an envelope into a region with the budget of `len`; 0, FW_PROTO_EBUDGET or
 * FW_PROTO_EMALFORMED. */
static int s_unpack(const uint8_t *data, size_t len, fw_envelope_t **out)
{
    s_region_t *r;
    ProtobufCMessage *m;
    *out = NULL;
    int rc = s_unpack_in_region(&flywheel__v1__envelope__descriptor, data, len, &r, &m);
    if (rc != FW_PROTO_OK)
        return rc;
    fw_envelope_t *env = (fw_envelope_t *)m;
    /* What fw_proto_free relies on: the envelope right after the region's head. */
    assert((void *)env == r->first &&
           (unsigned char *)env == (unsigned char *)r + S_REGION_HEAD);
    *out = env;
    if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET) {
        fw_proto_free(out);
        return FW_PROTO_EMALFORMED;
    }
    return FW_PROTO_OK;
}

/* Whether `env`, unpacked from data, unpacks again once packed, as events.log keeps
 * it (a log whose record its reader refuses can be neither replayed nor resumed).
 * protobuf-c accepts bytes it would never write and writes back what it then
 * refuses: an overlong tag of field 0 kept as an unknown field, padding (overlong
 * varints, a field given twice) that buys budget the packed form loses, a negative
 * enum in 5 bytes that packs to 10. Returns 0 or the code of the packed form. */
static int s_repacks(const fw_envelope_t *env, const uint8_t *data, size_t len)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    fw_envelope_t *again = NULL;
    int rc = fw_proto_pack(env, &packed, &packed_len);
    /* An honest sender's bytes are the packed form: one pack and a compare. */
    if (rc != FW_PROTO_OK || (packed_len == len && memcmp(packed, data, len) == 0))
        goto out;
    rc = s_unpack(packed, packed_len, &again);
    fw_proto_free(&again);
out:
    free(packed);
    return rc;
}

/* Unpacks `data`; with `logged`, the envelope is kept only if its packed form reads
 * back (s_repacks): what a coordinator takes from an agent goes into events.log. */
static int s_unpack_checked(const uint8_t *data, size_t len, bool logged, fw_envelope_t **out)
{
    assert(out);
    *out = NULL;
    /* Before unpack: protobuf-c allocates in proportion to what the bytes claim. */
    if (len > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    assert(data || len == 0);
    fw_envelope_t *env = NULL;
    int rc = s_unpack(data, len, &env);
    if (rc == FW_PROTO_OK && logged)
        rc = s_repacks(env, data, len);
    if (rc != FW_PROTO_OK) {
        fw_proto_free(&env);
        return rc;
    }
    *out = env;
    /* The envelope goes back even on a version mismatch so the caller can refuse
     * the sender's seq by name. */
    if (env->protocol_version != FW_PROTOCOL_VERSION)
        return FW_PROTO_EVERSION;
    return FW_PROTO_OK;
}

int fw_proto_unpack(const uint8_t *data, size_t len, fw_envelope_t **out)
{
    return s_unpack_checked(data, len, true, out);
}

void fw_proto_free(fw_envelope_t **p)
{
    if (!p || !*p)
        return;
    s_region_destroy((s_region_t *)((unsigned char *)*p - S_REGION_HEAD));
    *p = NULL;
}

/* --- ZeroMQ --------------------------------------------------------------- */

static int s_errno_code(int err)
{
    if (err == EINTR)
        return FW_PROTO_EINTR;
    if (err == EAGAIN)
        return FW_PROTO_ETIMEDOUT; /* only with ZMQ_SNDTIMEO/ZMQ_RCVTIMEO set */
    return FW_PROTO_EIO;
}

/* Packs `env` straight into a new ZeroMQ message (no intermediate copy). */
static int s_msg_from_envelope(zmq_msg_t *msg, const fw_envelope_t *env)
{
    size_t size;
    int rc = s_packed_size(env, &size);
    if (rc != FW_PROTO_OK)
        return rc;
    if (zmq_msg_init_size(msg, size) != 0)
        return FW_PROTO_EIO;
    if (size > 0) {
        size_t packed = flywheel__v1__envelope__pack(env, zmq_msg_data(msg));
        assert(packed == size);
        (void)packed;
    }
    return FW_PROTO_OK;
}

/* --- a TickStart with its market view packed once ----------------------------
 *
 * protobuf-c writes a message's fields in field-number order, each submessage as its
 * tag, its length (a varint) and its bytes, and leaves out a proto3 field at its
 * default. So the envelope of a TickStart packs as
 *     [Envelope fields 1-5][tag 13][length][TickStart fields 1-3][tag 4][length][view]
 *     [TickStart fields 5-7]
 * and each part but the view is packed here from a copy of the message with only its
 * own fields set: the bytes are the ones flywheel__v1__envelope__pack writes
 * (test_proto checks them against it). */

#define S_TAG_LEN(field) ((uint8_t)(((field) << 3) | 2)) /* wire type 2: length-delimited */

static size_t s_varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static uint8_t *s_put_varint(uint8_t *p, size_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

void fw_proto_buf_clear(fw_proto_buf_t *b)
{
    free(b->bytes);
    *b = (fw_proto_buf_t){0};
}

/* Makes room for `size` bytes in b (its contents are not kept). */
static int s_buf_reserve(fw_proto_buf_t *b, size_t size)
{
    if (size > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    if (b->bytes && b->cap >= size)
        return FW_PROTO_OK;
    uint8_t *bytes = realloc(b->bytes, size ? size : 1);
    if (!bytes)
        return FW_PROTO_EIO;
    b->bytes = bytes;
    b->cap = size ? size : 1;
    return FW_PROTO_OK;
}

int fw_proto_pack_snapshot(fw_proto_buf_t *b, const Flywheel__V1__Snapshot *snap)
{
    assert(b && snap);
    size_t size = flywheel__v1__snapshot__get_packed_size(snap);
    int rc = s_buf_reserve(b, size);
    if (rc != FW_PROTO_OK)
        return rc;
    b->len = flywheel__v1__snapshot__pack(snap, b->bytes);
    return FW_PROTO_OK;
}

int fw_proto_pack_with_body(fw_proto_buf_t *out, const fw_envelope_t *env,
                            const fw_proto_buf_t *body)
{
    assert(out && env && body && env->body_case != FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET);
    /* The envelope's own fields (1-5) come before any body (10 and up) in protobuf-c's
     * field order, so the bytes are the head's, then the body as a length-delimited
     * field (a oneof member is written even when empty: it names the message). */
    fw_envelope_t head = *env;
    head.body_case = FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET;
    size_t head_len = flywheel__v1__envelope__get_packed_size(&head);
    size_t tag = ((size_t)env->body_case << 3) | 2; /* wire type 2: length-delimited */
    size_t size = head_len + s_varint_len(tag) + s_varint_len(body->len) + body->len;
    int rc = s_buf_reserve(out, size);
    if (rc != FW_PROTO_OK)
        return rc;
    uint8_t *p = out->bytes;
    p += flywheel__v1__envelope__pack(&head, p);
    p = s_put_varint(p, tag);
    p = s_put_varint(p, body->len);
    memcpy(p, body->bytes, body->len);
    out->len = size;
    return FW_PROTO_OK;
}

/* The packed view and the messages holding it: ZeroMQ frees a zero-copy frame from
 * its I/O thread, hence the atomic count. */
struct fw_proto_shared {
    atomic_uint refs;
    size_t cap;
    uint8_t bytes[];
};

static void s_shared_unref(fw_proto_shared_t *sh)
{
    if (sh && atomic_fetch_sub(&sh->refs, 1) == 1)
        free(sh);
}

/* zmq_free_fn of a view frame. */
static void s_shared_free(void *data, void *hint)
{
    (void)data;
    s_shared_unref(hint);
}

int fw_proto_view_pack(fw_proto_view_t *v, const Flywheel__V1__MarketView *view)
{
    assert(v && view);
    size_t size = flywheel__v1__market_view__get_packed_size(view);
    if (size > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    /* Last tick's bytes may still be on their way to a slow seat: packed over only
     * when no message holds them. */
    if (!v->shared || v->shared->cap < size || atomic_load(&v->shared->refs) != 1) {
        size_t cap = size ? size : 1;
        fw_proto_shared_t *sh = malloc(sizeof *sh + cap);
        if (!sh)
            return FW_PROTO_EIO;
        atomic_init(&sh->refs, 1);
        sh->cap = cap;
        fw_proto_view_clear(v);
        v->shared = sh;
    }
    v->len = flywheel__v1__market_view__pack(view, v->shared->bytes);
    v->bytes = v->shared->bytes;
    v->view = view;
    return FW_PROTO_OK;
}

void fw_proto_view_clear(fw_proto_view_t *v)
{
    s_shared_unref(v->shared);
    *v = (fw_proto_view_t){0};
}

/* The three packable parts of a TickStart envelope around its view (see above). */
typedef struct {
    fw_envelope_t head;                 /* fields 1-5, no body */
    Flywheel__V1__TickStart before;     /* fields 1-3 */
    Flywheel__V1__TickStart after;      /* fields 5-7 */
    size_t head_len, before_len, after_len, ts_len, total;
} s_spliced_t;

/* Whether env can be sent spliced with v; if so fills *sp. */
static bool s_splice(const fw_envelope_t *env, const fw_proto_view_t *v, s_spliced_t *sp)
{
    if (!v || !v->bytes || env->body_case != FLYWHEEL__V1__ENVELOPE__BODY_TICK_START ||
        !env->tick_start || env->tick_start->market != v->view)
        return false;
    const Flywheel__V1__TickStart *ts = env->tick_start;
    sp->head = *env;
    sp->head.body_case = FLYWHEEL__V1__ENVELOPE__BODY__NOT_SET;
    sp->head.tick_start = NULL;
    flywheel__v1__tick_start__init(&sp->before);
    sp->before.tick = ts->tick;
    sp->before.month = ts->month;
    sp->before.deadline_unix_ms = ts->deadline_unix_ms;
    flywheel__v1__tick_start__init(&sp->after);
    sp->after.me = ts->me;
    sp->after.house_plays = ts->house_plays;
    sp->after.deadline_in_ms = ts->deadline_in_ms;
    sp->head_len = flywheel__v1__envelope__get_packed_size(&sp->head);
    sp->before_len = flywheel__v1__tick_start__get_packed_size(&sp->before);
    sp->after_len = flywheel__v1__tick_start__get_packed_size(&sp->after);
    sp->ts_len = sp->before_len + 1 + s_varint_len(v->len) + v->len + sp->after_len;
    sp->total = sp->head_len + 1 + s_varint_len(sp->ts_len) + sp->ts_len;
    return true;
}

/* The bytes before the view: the envelope's fields, the TickStart's tag and length,
 * its fields before the market, the market's tag and length. */
static size_t s_splice_head_len(const s_spliced_t *sp, const fw_proto_view_t *v)
{
    return sp->head_len + 1 + s_varint_len(sp->ts_len) + sp->before_len + 1 +
           s_varint_len(v->len);
}

static uint8_t *s_splice_write_head(const s_spliced_t *sp, const fw_proto_view_t *v,
                                    uint8_t *p)
{
    p += flywheel__v1__envelope__pack(&sp->head, p);
    *p++ = S_TAG_LEN(FLYWHEEL__V1__ENVELOPE__BODY_TICK_START);
    p = s_put_varint(p, sp->ts_len);
    p += flywheel__v1__tick_start__pack(&sp->before, p);
    *p++ = S_TAG_LEN(4); /* TickStart.market */
    return s_put_varint(p, v->len);
}

/* Writes the spliced envelope into out (sp->total bytes). */
static void s_splice_write(const s_spliced_t *sp, const fw_proto_view_t *v, uint8_t *out)
{
    uint8_t *p = s_splice_write_head(sp, v, out);
    memcpy(p, v->bytes, v->len);
    p += v->len;
    p += flywheel__v1__tick_start__pack(&sp->after, p);
    assert((size_t)(p - out) == sp->total);
    (void)p;
}

int fw_proto_pack_tick_start(const fw_envelope_t *env, const fw_proto_view_t *v, uint8_t **out,
                             size_t *out_len)
{
    s_spliced_t sp;
    if (!s_splice(env, v, &sp))
        return fw_proto_pack(env, out, out_len);
    *out = NULL;
    *out_len = 0;
    if (sp.total > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    if (!(*out = malloc(sp.total)))
        return FW_PROTO_EIO;
    s_splice_write(&sp, v, *out);
    *out_len = sp.total;
    return FW_PROTO_OK;
}

/* Sends `msg` (consumed on success, closed here on failure). */
static int s_send_msg(void *socket, zmq_msg_t *msg, int flags)
{
    if (zmq_msg_send(msg, socket, flags) >= 0)
        return FW_PROTO_OK;
    int err = zmq_errno();
    zmq_msg_close(msg);
    return s_errno_code(err);
}

int fw_proto_send_bytes(void *socket, const uint8_t *bytes, size_t len)
{
    assert(socket && (bytes || len == 0));
    zmq_msg_t msg;
    if (len > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    if (zmq_msg_init_size(&msg, len) != 0)
        return FW_PROTO_EIO;
    if (len)
        memcpy(zmq_msg_data(&msg), bytes, len);
    return s_send_msg(socket, &msg, 0);
}

int fw_proto_send(void *socket, const fw_envelope_t *env)
{
    assert(socket && env);
    zmq_msg_t msg;
    int rc = s_msg_from_envelope(&msg, env);
    if (rc != FW_PROTO_OK)
        return rc;
    return s_send_msg(socket, &msg, 0);
}

int fw_proto_send_to(void *socket, const uint8_t *identity, size_t identity_len,
                     const fw_envelope_t *env)
{
    return fw_proto_send_tick_start_to(socket, identity, identity_len, env, NULL);
}

/* The three frames of a spliced TickStart (see fw_proto_send_tick_start_to), made
 * before any is sent, so that a failure never leaves part of a message queued. */
static int s_msgs_from_tick_start(zmq_msg_t parts[3], const s_spliced_t *sp,
                                  const fw_proto_view_t *v)
{
    size_t head = s_splice_head_len(sp, v);
    if (zmq_msg_init_size(&parts[0], head) != 0)
        return FW_PROTO_EIO;
    if (zmq_msg_init_size(&parts[2], sp->after_len) != 0) {
        zmq_msg_close(&parts[0]);
        return FW_PROTO_EIO;
    }
    atomic_fetch_add(&v->shared->refs, 1);
    if (zmq_msg_init_data(&parts[1], (void *)v->bytes, v->len, s_shared_free, v->shared) !=
        0) {
        s_shared_unref(v->shared);
        zmq_msg_close(&parts[0]);
        zmq_msg_close(&parts[2]);
        return FW_PROTO_EIO;
    }
    uint8_t *end = s_splice_write_head(sp, v, zmq_msg_data(&parts[0]));
    assert((size_t)(end - (uint8_t *)zmq_msg_data(&parts[0])) == head);
    (void)end;
    flywheel__v1__tick_start__pack(&sp->after, zmq_msg_data(&parts[2]));
    return FW_PROTO_OK;
}

int fw_proto_send_tick_start_to(void *socket, const uint8_t *identity, size_t identity_len,
                                const fw_envelope_t *env, const fw_proto_view_t *v)
{
    assert(socket && identity && env);
    if (identity_len == 0 || identity_len > FW_PROTO_MAX_IDENTITY)
        return FW_PROTO_EFRAMING;
    /* Pack before the identity frame goes out, so a failure never leaves half a
     * multipart message queued on the socket. */
    zmq_msg_t body[3];
    size_t n_body = 1;
    s_spliced_t sp;
    int rc;
    if (!s_splice(env, v, &sp)) {
        rc = s_msg_from_envelope(&body[0], env);
    } else if (sp.total > FW_PROTO_MAX_FRAME) {
        rc = FW_PROTO_ETOOBIG;
    } else {
        rc = s_msgs_from_tick_start(body, &sp, v);
        n_body = 3;
    }
    if (rc != FW_PROTO_OK)
        return rc;
    zmq_msg_t id;
    if (zmq_msg_init_size(&id, identity_len) != 0) {
        for (size_t i = 0; i < n_body; i++)
            zmq_msg_close(&body[i]);
        return FW_PROTO_EIO;
    }
    memcpy(zmq_msg_data(&id), identity, identity_len);
    /* Never block: a ROUTER serves many peers, and one that stopped reading (its
     * queue at the high-water mark) must not stall the others. It gets EIO/EAGAIN.
     * Once the first frame is queued, the others are too (ZeroMQ queues a message's
     * frames together). */
    rc = s_send_msg(socket, &id, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    for (size_t i = 0; i < n_body; i++) {
        if (rc == FW_PROTO_OK)
            rc = s_send_msg(socket, &body[i],
                            (i + 1 < n_body ? ZMQ_SNDMORE : 0) | ZMQ_DONTWAIT);
        else
            zmq_msg_close(&body[i]);
    }
    return rc;
}

/* Waits until `socket` has a message or timeout_ms passes (-1 = forever). */
static int s_wait_readable(void *socket, int64_t deadline_ms, int timeout_ms)
{
    long wait_ms = -1;
    if (timeout_ms >= 0) {
        int64_t left = deadline_ms - fw_clock_ms();
        wait_ms = left > 0 ? (long)left : 0;
    }
    zmq_pollitem_t item = {.socket = socket, .events = ZMQ_POLLIN};
    int n = zmq_poll(&item, 1, wait_ms);
    if (n < 0)
        return s_errno_code(zmq_errno());
    if (n == 0)
        return FW_PROTO_ETIMEDOUT;
    return FW_PROTO_OK;
}

/* Receives the next frame into `msg` (initialised here), waiting at most
 * timeout_ms for the first frame of a message. On failure `msg` is closed. */
static int s_recv_first(void *socket, int timeout_ms, zmq_msg_t *msg)
{
    int64_t deadline_ms = timeout_ms >= 0 ? fw_clock_ms() + timeout_ms : 0;
    zmq_msg_init(msg);
    /* A message already queued is taken without a poll: a busy socket (the
     * coordinator's ROUTER while a tick's actions come in) then costs no system call
     * per message. A receive that does not wait reads the socket's pending commands
     * first (libzmq), so its EAGAIN is as good as a poll's "nothing". */
    if (zmq_msg_recv(msg, socket, ZMQ_DONTWAIT) >= 0)
        return FW_PROTO_OK;
    if (zmq_errno() != EAGAIN) {
        int err = zmq_errno();
        zmq_msg_close(msg);
        return s_errno_code(err);
    }
    if (timeout_ms == 0) {
        zmq_msg_close(msg);
        return FW_PROTO_ETIMEDOUT;
    }
    for (;;) {
        int rc = s_wait_readable(socket, deadline_ms, timeout_ms);
        if (rc != FW_PROTO_OK) {
            zmq_msg_close(msg);
            return rc;
        }
        if (zmq_msg_recv(msg, socket, ZMQ_DONTWAIT) >= 0)
            return FW_PROTO_OK;
        int err = zmq_errno();
        /* POLLIN can be stale (another thread, or a message dropped on the way);
         * poll again for the rest of the time. */
        if (err == EAGAIN)
            continue;
        zmq_msg_close(msg);
        return s_errno_code(err);
    }
}

/* Receives the next part of a multipart message already started. The parts of a
 * ZeroMQ message arrive together, so this never waits. */
static int s_recv_more(void *socket, zmq_msg_t *msg)
{
    zmq_msg_init(msg);
    if (zmq_msg_recv(msg, socket, 0) >= 0)
        return FW_PROTO_OK;
    int err = zmq_errno();
    zmq_msg_close(msg);
    return s_errno_code(err);
}

/* Discards the remaining parts of the current message, if any. */
static void s_drain(void *socket, bool more)
{
    while (more) {
        zmq_msg_t part;
        if (s_recv_more(socket, &part) != FW_PROTO_OK)
            return;
        more = zmq_msg_more(&part);
        zmq_msg_close(&part);
    }
}

/* Unpacks the frame `msg` (closed here) after checking its size. */
/* `logged`: the message came from an agent to a ROUTER (a coordinator), which logs
 * what it accepts. What a DEALER or a SUB receives comes from the coordinator, which
 * packed it itself: checking its repacking would cost a pack per message (a seventh
 * of a 64-seat run's time) for nothing. */
static int s_unpack_msg(zmq_msg_t *msg, bool logged, fw_envelope_t **out)
{
    int rc = zmq_msg_size(msg) > FW_PROTO_MAX_FRAME
                 ? FW_PROTO_ETOOBIG
                 : s_unpack_checked(zmq_msg_data(msg), zmq_msg_size(msg), logged, out);
    zmq_msg_close(msg);
    return rc;
}

/* Receives a message from the coordinator (a DEALER's or SUB's envelope) into `msg`:
 * one frame, or up to FW_PROTO_MAX_PARTS frames joined into one (a TickStart sent with
 * its view apart). More frames are drained and refused (FW_PROTO_EFRAMING); a join
 * over FW_PROTO_MAX_FRAME is refused (FW_PROTO_ETOOBIG). On failure `msg` is closed. */
static int s_recv_single(void *socket, int timeout_ms, zmq_msg_t *msg)
{
    int rc = s_recv_first(socket, timeout_ms, msg);
    if (rc != FW_PROTO_OK || !zmq_msg_more(msg))
        return rc;
    zmq_msg_t parts[FW_PROTO_MAX_PARTS];
    size_t n = 1, total = zmq_msg_size(msg);
    bool more = true;
    zmq_msg_init(&parts[0]);
    zmq_msg_move(&parts[0], msg);
    zmq_msg_close(msg); /* empty now; made again below for the joined envelope */
    while (more && n < FW_PROTO_MAX_PARTS) {
        if ((rc = s_recv_more(socket, &parts[n])) != FW_PROTO_OK)
            break;
        more = zmq_msg_more(&parts[n]);
        total += zmq_msg_size(&parts[n++]);
    }
    if (rc == FW_PROTO_OK && more) {
        s_drain(socket, true);
        rc = FW_PROTO_EFRAMING;
    } else if (rc == FW_PROTO_OK && total > FW_PROTO_MAX_FRAME) {
        rc = FW_PROTO_ETOOBIG;
    } else if (rc == FW_PROTO_OK && zmq_msg_init_size(msg, total) != 0) {
        rc = FW_PROTO_EIO;
    } else if (rc == FW_PROTO_OK) {
        uint8_t *at = zmq_msg_data(msg);
        for (size_t i = 0; i < n; i++) {
            memcpy(at, zmq_msg_data(&parts[i]), zmq_msg_size(&parts[i]));
            at += zmq_msg_size(&parts[i]);
        }
    }
    for (size_t i = 0; i < n; i++)
        zmq_msg_close(&parts[i]);
    return rc;
}

int fw_proto_recv(void *socket, int timeout_ms, fw_envelope_t **out)
{
    assert(socket && out);
    *out = NULL;
    zmq_msg_t msg;
    int rc = s_recv_single(socket, timeout_ms, &msg);
    if (rc != FW_PROTO_OK)
        return rc;
    return s_unpack_msg(&msg, false, out);
}

/* --- the market view unpacked once for many seats ------------------------- */

struct fw_proto_view_cache {
    fw_proto_buf_t packed;            /* the view's packed bytes */
    s_region_t *region;               /* where `view` was unpacked; NULL = none yet */
    Flywheel__V1__MarketView *view;
};

fw_proto_view_cache_t *fw_proto_view_cache_new(void)
{
    return calloc(1, sizeof(fw_proto_view_cache_t));
}

static void s_cache_drop(fw_proto_view_cache_t *c)
{
    if (c->region)
        s_region_destroy(c->region);
    c->region = NULL;
    c->view = NULL;
    c->packed.len = 0;
}

void fw_proto_view_cache_destroy(fw_proto_view_cache_t **p)
{
    if (!p || !*p)
        return;
    s_cache_drop(*p);
    fw_proto_buf_clear(&(*p)->packed);
    free(*p);
    *p = NULL;
}

/* A varint at *p (before end); false if it runs off the end or past 10 bytes. */
static bool s_get_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (unsigned shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return true;
        }
    }
    return false;
}

/* The one length-delimited field number `field` in [data, data + len): its tag at
 * *at, its payload at *payload (*payload_len bytes), its end at *field_end. Returns 1,
 * 0 if absent, -1 if the bytes are not plain protobuf (a group, a field given twice,
 * a length past the end): then the caller unpacks the whole. */
static int s_find_field(const uint8_t *data, size_t len, uint32_t field, const uint8_t **at,
                        const uint8_t **payload, size_t *payload_len, const uint8_t **field_end)
{
    const uint8_t *p = data, *end = data + len;
    int found = 0;
    while (p < end) {
        const uint8_t *start = p;
        uint64_t tag, v;
        if (!s_get_varint(&p, end, &tag))
            return -1;
        switch (tag & 7) {
        case 0:
            if (!s_get_varint(&p, end, &v))
                return -1;
            break;
        case 1:
            if (end - p < 8)
                return -1;
            p += 8;
            break;
        case 5:
            if (end - p < 4)
                return -1;
            p += 4;
            break;
        case 2:
            if (!s_get_varint(&p, end, &v) || v > (uint64_t)(end - p))
                return -1;
            if ((tag >> 3) == field) {
                if (found++)
                    return -1;
                *at = start;
                *payload = p;
                *payload_len = (size_t)v;
                *field_end = p + v;
            }
            p += v;
            break;
        default:
            return -1;
        }
    }
    return found;
}

/* Makes the cache hold the view packed in [bytes, bytes + len). Returns 0 or a code. */
static int s_cache_fill(fw_proto_view_cache_t *c, const uint8_t *bytes, size_t len)
{
    if (c->view && c->packed.len == len && memcmp(c->packed.bytes, bytes, len) == 0)
        return FW_PROTO_OK;
    s_cache_drop(c);
    int rc = s_buf_reserve(&c->packed, len);
    if (rc != FW_PROTO_OK)
        return rc == FW_PROTO_EIO ? FW_PROTO_EBUDGET : rc;
    ProtobufCMessage *view;
    rc = s_unpack_in_region(&flywheel__v1__market_view__descriptor, bytes, len, &c->region,
                            &view);
    if (rc != FW_PROTO_OK)
        return rc;
    memcpy(c->packed.bytes, bytes, len);
    c->packed.len = len;
    c->view = (Flywheel__V1__MarketView *)view;
    return FW_PROTO_OK;
}

int fw_proto_unpack_cached(const uint8_t *data, size_t len, fw_proto_view_cache_t *cache,
                           fw_envelope_t **out)
{
    const uint8_t *ts_at, *ts, *ts_end, *m_at, *m, *m_end;
    size_t ts_len, m_len;
    *out = NULL;
    if (len > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    /* Envelope.tick_start (13), then its market (4), each found once. */
    if (!cache || s_find_field(data, len, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START, &ts_at, &ts,
                               &ts_len, &ts_end) != 1 ||
        s_find_field(ts, ts_len, 4, &m_at, &m, &m_len, &m_end) != 1)
        return s_unpack_checked(data, len, false, out);
    int rc = s_cache_fill(cache, m, m_len);
    if (rc != FW_PROTO_OK)
        return rc;
    /* The envelope without the view: what comes before the TickStart, the TickStart
     * with a new length and its market field cut out, what comes after. */
    size_t rest_ts = ts_len - (size_t)(m_end - m_at);
    uint8_t lenbuf[10];
    size_t lenlen = (size_t)(s_put_varint(lenbuf, rest_ts) - lenbuf);
    size_t head = (size_t)(ts_at - data); /* up to the TickStart's tag */
    size_t cut_len = head + 1 /* tag 13 */ + lenlen + rest_ts + (size_t)(data + len - ts_end);
    uint8_t small[512];
    uint8_t *cut = cut_len <= sizeof small ? small : malloc(cut_len);
    if (!cut)
        return FW_PROTO_EBUDGET;
    uint8_t *p = cut;
    memcpy(p, data, head);
    p += head;
    *p++ = S_TAG_LEN(FLYWHEEL__V1__ENVELOPE__BODY_TICK_START);
    memcpy(p, lenbuf, lenlen);
    p += lenlen;
    memcpy(p, ts, (size_t)(m_at - ts));
    p += m_at - ts;
    memcpy(p, m_end, (size_t)(ts_end - m_end));
    p += ts_end - m_end;
    memcpy(p, ts_end, (size_t)(data + len - ts_end));
    rc = s_unpack_checked(cut, cut_len, false, out);
    if (cut != small)
        free(cut);
    if (*out && (*out)->body_case == FLYWHEEL__V1__ENVELOPE__BODY_TICK_START &&
        (*out)->tick_start)
        (*out)->tick_start->market = cache->view;
    return rc;
}

int fw_proto_recv_cached(void *socket, int timeout_ms, fw_proto_view_cache_t *cache,
                         fw_envelope_t **out)
{
    assert(socket && out);
    *out = NULL;
    zmq_msg_t msg;
    int rc = s_recv_single(socket, timeout_ms, &msg);
    if (rc != FW_PROTO_OK)
        return rc;
    rc = fw_proto_unpack_cached(zmq_msg_data(&msg), zmq_msg_size(&msg), cache, out);
    zmq_msg_close(&msg);
    return rc;
}

int fw_proto_recv_from(void *socket, int timeout_ms, uint8_t *identity,
                       size_t *identity_len, fw_envelope_t **out)
{
    return fw_proto_recv_from_fd(socket, timeout_ms, identity, identity_len, NULL, NULL, out);
}

int fw_proto_recv_from_fd(void *socket, int timeout_ms, uint8_t *identity,
                          size_t *identity_len, int *src_fd, char *user, fw_envelope_t **out)
{
    assert(socket && identity && identity_len && out);
    *out = NULL;
    *identity_len = 0;
    if (src_fd)
        *src_fd = -1;
    if (user)
        user[0] = '\0';
    zmq_msg_t id;
    int rc = s_recv_first(socket, timeout_ms, &id);
    if (rc != FW_PROTO_OK)
        return rc;

    bool more = zmq_msg_more(&id);
    size_t id_len = zmq_msg_size(&id);
    if (id_len > FW_PROTO_MAX_IDENTITY || !more) {
        /* No envelope frame, or an identity we cannot hand back to answer with. */
        zmq_msg_close(&id);
        s_drain(socket, more);
        return FW_PROTO_EFRAMING;
    }
    memcpy(identity, zmq_msg_data(&id), id_len);
    identity[id_len] = '\0'; /* capacity is FW_PROTO_MAX_IDENTITY + 1 */
    *identity_len = id_len;
    zmq_msg_close(&id);

    zmq_msg_t body;
    rc = s_recv_more(socket, &body);
    if (rc != FW_PROTO_OK)
        return rc;
    /* The connection the message came on: what a disconnection names (fw_watch). The
     * identity frame is made by the ROUTER itself; the body came off the wire. */
    if (src_fd)
        *src_fd = zmq_msg_get(&body, ZMQ_SRCFD);
    if (user) {
        /* Set by the ZAP handler when the connection was admitted (libzmq: NULL when
         * no handler answered for it). */
        const char *who = zmq_msg_gets(&body, "User-Id");
        snprintf(user, FW_PROTO_MAX_USER + 1, "%s", who ? who : "");
    }
    if (zmq_msg_more(&body)) {
        /* e.g. a REQ peer's empty delimiter: [identity][""][envelope]. */
        zmq_msg_close(&body);
        s_drain(socket, true);
        return FW_PROTO_EFRAMING;
    }
    return s_unpack_msg(&body, true, out);
}

bool fw_proto_same_actions(const fw_envelope_t *a, const fw_envelope_t *b)
{
    if (!a || !b || a->body_case != FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS ||
        b->body_case != FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS || !a->actions || !b->actions)
        return false;
    size_t na = flywheel__v1__actions__get_packed_size(a->actions);
    size_t nb = flywheel__v1__actions__get_packed_size(b->actions);
    if (na != nb)
        return false;
    if (na == 0)
        return true;
    uint8_t *pa = malloc(na), *pb = malloc(nb);
    bool same = pa && pb;
    if (same) {
        flywheel__v1__actions__pack(a->actions, pa);
        flywheel__v1__actions__pack(b->actions, pb);
        same = memcmp(pa, pb, na) == 0;
    }
    free(pa);
    free(pb);
    return same;
}

/* --- delimited records ---------------------------------------------------- */

int fw_proto_write_delimited_bytes(FILE *f, const uint8_t *bytes, size_t len)
{
    assert(f && (bytes || len == 0));
    if (len > FW_PROTO_MAX_FRAME)
        return FW_PROTO_ETOOBIG;
    uint8_t varint[S_VARINT_MAX];
    size_t n = (size_t)(s_put_varint(varint, len) - varint);
    if (fwrite(varint, 1, n, f) != n || (len > 0 && fwrite(bytes, 1, len, f) != len))
        return FW_PROTO_EIO;
    return FW_PROTO_OK;
}

int fw_proto_write_delimited(FILE *f, const fw_envelope_t *env)
{
    assert(f && env);
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = fw_proto_pack(env, &buf, &len);
    if (rc == FW_PROTO_OK)
        rc = fw_proto_write_delimited_bytes(f, buf, len);
    free(buf);
    return rc;
}

/* Reads a record's length. Bits beyond what a length under the cap can use are
 * remembered as "too big" rather than accumulated, so nothing overflows. */
static int s_read_varint(FILE *f, uint64_t *len)
{
    uint64_t v = 0;
    bool too_big = false;
    for (int i = 0; i < S_VARINT_MAX; i++) {
        int c = getc(f);
        if (c == EOF) {
            if (ferror(f))
                return FW_PROTO_EIO;
            return i == 0 ? FW_PROTO_EOF : FW_PROTO_ETRUNCATED;
        }
        unsigned shift = 7u * (unsigned)i;
        uint64_t bits = (uint64_t)(c & 0x7f);
        if (shift < 35)
            v |= bits << shift; /* at most 35 bits: fits, and covers the cap */
        else if (bits)
            too_big = true;
        if (!(c & 0x80)) {
            if (too_big || v > FW_PROTO_MAX_FRAME)
                return FW_PROTO_ETOOBIG;
            *len = v;
            return FW_PROTO_OK;
        }
    }
    return FW_PROTO_EMALFORMED; /* an 11th byte: not a varint */
}

int fw_proto_read_delimited(FILE *f, fw_envelope_t **out)
{
    assert(f && out);
    *out = NULL;
    uint8_t *buf = NULL;
    uint64_t len = 0;
    int rc = s_read_varint(f, &len);
    if (rc != FW_PROTO_OK)
        goto out;
    /* len <= FW_PROTO_MAX_FRAME here: the cap was checked before this malloc. */
    buf = malloc(len ? (size_t)len : 1);
    if (!buf) {
        rc = FW_PROTO_EIO;
        goto out;
    }
    if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
        rc = ferror(f) ? FW_PROTO_EIO : FW_PROTO_ETRUNCATED;
        goto out;
    }
    /* The log's records were packed by the coordinator: no repacking check. */
    rc = s_unpack_checked(buf, (size_t)len, false, out);
out:
    free(buf);
    return rc;
}
