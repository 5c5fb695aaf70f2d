/* fw_coord: see fw_coord.h. */
#include "fw_coord.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_arena.h"
#include "fw_eventlog.h"
#include "fw_inbox.h"
#include "fw_log.h"
#include "fw_market.h"
#include "fw_outputs.h"
#include "fw_proto.h"
#include "fw_rng.h"
#include "fw_version.h"

/* One seat of the scenario and the connection that holds it. */
typedef struct {
    int claimed;                                  /* an agent holds the seat */
    uint8_t identity[FW_PROTO_MAX_IDENTITY + 1];  /* its ROUTER identity */
    size_t identity_len;
    uint64_t last_seq;      /* highest seq accepted from it */
    uint64_t sent_seq;      /* our seq towards it */
    int silent;             /* missed a tick: not waited for until it speaks again */
    int left;               /* said Bye */
    uint32_t refusals;      /* refusals sent to it, to rate-limit the log */
} fw_seat_conn_t;

typedef struct {
    const fw_coord_config_t *cfg;
    const fw_scenario_t *sc;
    void *router;            /* agents */
    void *pub;               /* observers */
    char run_id[40];
    uint32_t ticks;
    uint32_t tick;           /* tick being collected (0 in the lobby) */
    int running;             /* past the lobby */
    fw_seat_conn_t *seats;   /* n_seats */
    uint64_t pub_seq;
    fw_market_t *market;
    fw_inbox_t *inbox;
    fw_eventlog_t *log;
    fw_metrics_csv_t *csv;
    fw_arena_t *arena;       /* per message being built */
    fw_arena_t *tick_arena;  /* per tick: results and snapshot */
} fw_coord_t;

static int64_t s_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int s_path(char *buf, size_t len, const char *dir, const char *name)
{
    return snprintf(buf, len, "%s/%s", dir, name) < (int)len ? 0 : -1;
}

/* mkdir -p */
static int s_mkdirs(const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return -1;
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(path, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

/* ---- sending ---------------------------------------------------------------- */

static void s_envelope(fw_coord_t *c, fw_envelope_t *env, uint32_t seat)
{
    flywheel__v1__envelope__init(env);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->run_id = c->run_id;
    env->tick = c->tick;
    env->seq = ++c->seats[seat].sent_seq;
    env->seat = (char *)c->sc->seats[seat].id;
}

static void s_send_seat(fw_coord_t *c, uint32_t seat, fw_envelope_t *env)
{
    const fw_seat_conn_t *sc = &c->seats[seat];
    int rc = fw_proto_send_to(c->router, sc->identity, sc->identity_len, env);
    /* A peer that is gone is the tick timeout's business, not an error here. */
    if (rc != FW_PROTO_OK)
        fw_log_debug("seats", "send %s to %s failed: %s", fw_proto_body_name(env),
                     c->sc->seats[seat].id, fw_proto_strerror(rc));
}

/* Refuses a message from `identity` (seat index or -1 if it holds none). */
static void s_refuse(fw_coord_t *c, const uint8_t *identity, size_t identity_len, int seat,
                     Flywheel__V1__RefusalCode code, uint64_t refused_seq, const char *reason)
{
    fw_envelope_t env;
    Flywheel__V1__Refusal refusal = FLYWHEEL__V1__REFUSAL__INIT;
    refusal.code = code;
    refusal.reason = (char *)reason;
    refusal.refused_seq = refused_seq;
    if (seat >= 0) {
        s_envelope(c, &env, (uint32_t)seat);
        c->seats[seat].refusals++;
    } else {
        flywheel__v1__envelope__init(&env);
        env.protocol_version = FW_PROTOCOL_VERSION;
        env.run_id = c->run_id;
        env.tick = c->tick;
    }
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL;
    env.refusal = &refusal;
    /* Log the first few refusals of a seat; a peer stuck in a loop must not flood. */
    if (seat < 0 || c->seats[seat].refusals <= 5)
        fw_log_warn("seats", "refused message from %s: %s",
                    seat >= 0 ? c->sc->seats[seat].id : "an unknown peer", reason);
    int rc = fw_proto_send_to(c->router, identity, identity_len, &env);
    if (rc != FW_PROTO_OK)
        fw_log_debug("seats", "refusal not delivered: %s", fw_proto_strerror(rc));
}

/* ---- handshake ---------------------------------------------------------------- */

static int s_seat_of_identity(const fw_coord_t *c, const uint8_t *id, size_t len)
{
    for (uint32_t s = 0; s < c->sc->n_seats; s++)
        if (c->seats[s].claimed && c->seats[s].identity_len == len &&
            memcmp(c->seats[s].identity, id, len) == 0)
            return (int)s;
    return -1;
}

static char *s_params(fw_arena_t *a, const fw_seat_t *seat)
{
    char buf[2048];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < seat->n_params && used < sizeof buf; i++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%.17g", i ? ";" : "",
                                 seat->params[i].key, seat->params[i].value);
    return fw_arena_strdup(a, buf);
}

static void s_welcome(fw_coord_t *c, uint32_t seat)
{
    const fw_scenario_t *sc = c->sc;
    fw_arena_t *a = c->arena;
    fw_envelope_t env;
    Flywheel__V1__Welcome w = FLYWHEEL__V1__WELCOME__INIT;
    char month[16];

    fw_arena_reset(a);
    w.seat = (char *)sc->seats[seat].id;
    w.role = (Flywheel__V1__Role)sc->seats[seat].role;
    w.seat_seed = fw_rng_seat_seed(c->cfg->seed, seat);
    w.ticks = c->ticks;
    w.scenario = (char *)sc->name;
    fw_scenario_month(sc, 1, month, sizeof month);
    w.start_month = month;
    w.params = s_params(a, &sc->seats[seat]);
    w.n_families = sc->n_families;
    w.families = fw_arena_calloc(a, sc->n_families, sizeof *w.families);
    for (size_t f = 0; f < sc->n_families; f++) {
        const fw_family_t *fam = &sc->families[f];
        Flywheel__V1__ChipFamily *cf = fw_arena_calloc(a, 1, sizeof *cf);
        flywheel__v1__chip_family__init(cf);
        cf->id = (char *)fam->id;
        cf->vendor = (char *)sc->seats[fam->vendor].id;
        cf->perf_milli = fam->perf_milli;
        cf->unit_cost = fam->unit_cost;
        cf->lead_time = fam->lead_time;
        cf->life = fam->life;
        cf->captive_of = fam->captive_of >= 0 ? (char *)sc->seats[fam->captive_of].id : "";
        cf->opening_price = fam->price;
        w.families[f] = cf;
    }
    w.n_seats = sc->n_seats;
    w.seats = fw_arena_calloc(a, sc->n_seats, sizeof *w.seats);
    for (size_t s = 0; s < sc->n_seats; s++) {
        Flywheel__V1__SeatInfo *si = fw_arena_calloc(a, 1, sizeof *si);
        flywheel__v1__seat_info__init(si);
        si->id = (char *)sc->seats[s].id;
        si->name = (char *)sc->seats[s].name;
        si->role = (Flywheel__V1__Role)sc->seats[s].role;
        w.seats[s] = si;
    }
    s_envelope(c, &env, seat);
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
    env.welcome = &w;
    s_send_seat(c, seat, &env);
}

static void s_hello(fw_coord_t *c, const uint8_t *id, size_t id_len, const fw_envelope_t *env)
{
    const fw_scenario_t *sc = c->sc;
    const Flywheel__V1__Hello *h = env->hello;
    char reason[256];
    int seat = s_seat_of_identity(c, id, id_len);

    if (seat >= 0) {
        snprintf(reason, sizeof reason, "this connection already holds seat '%s'",
                 sc->seats[seat].id);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, env->seq,
                 reason);
        return;
    }
    if (h->schema_hash[0] && strcmp(h->schema_hash, fw_proto_schema_hash()) != 0) {
        snprintf(reason, sizeof reason, "schema mismatch: agent built from %.12s..., "
                 "coordinator from %.12s...", h->schema_hash, fw_proto_schema_hash());
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA, env->seq, reason);
        return;
    }
    if (h->seat[0]) {
        seat = fw_scenario_seat(sc, h->seat);
        if (seat < 0) {
            snprintf(reason, sizeof reason, "no seat '%.64s' in scenario '%s'", h->seat, sc->name);
            s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT,
                     env->seq, reason);
            return;
        }
        if (c->seats[seat].claimed) {
            snprintf(reason, sizeof reason, "seat '%s' is taken", sc->seats[seat].id);
            s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN, env->seq,
                     reason);
            return;
        }
    } else {
        for (uint32_t s = 0; s < sc->n_seats && seat < 0; s++)
            if (!c->seats[s].claimed && (int)sc->seats[s].role == (int)h->role)
                seat = (int)s;
        if (seat < 0) {
            snprintf(reason, sizeof reason, "no free seat of role '%s'",
                     fw_role_name((fw_role_t)h->role));
            s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT,
                     env->seq, reason);
            return;
        }
    }
    fw_seat_conn_t *conn = &c->seats[seat];
    memset(conn, 0, sizeof *conn);
    conn->claimed = 1;
    memcpy(conn->identity, id, id_len);
    conn->identity_len = id_len;
    conn->last_seq = env->seq;
    fw_log_info("seats", "seat %s claimed by %.64s", sc->seats[seat].id,
                h->agent[0] ? h->agent : "an agent");
    s_welcome(c, (uint32_t)seat);
}

/* ---- receiving ----------------------------------------------------------------- */

static void s_actions(fw_coord_t *c, int seat, const uint8_t *id, size_t id_len,
                      fw_envelope_t **env)
{
    char reason[160];
    uint64_t seq = (*env)->seq;
    uint32_t tick = (*env)->tick;
    if (!c->running) {
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, seq,
                 "actions before the first tick");
        return;
    }
    fw_inbox_status_t st = fw_inbox_put(c->inbox, (uint32_t)seat, env);
    c->seats[seat].silent = 0; /* it speaks: wait for it again from the next tick */
    if (st == FW_INBOX_ACCEPTED)
        return;
    snprintf(reason, sizeof reason, "actions for tick %u refused (now collecting tick %u): %s",
             tick, c->tick, fw_inbox_strstatus(st));
    s_refuse(c, id, id_len, seat,
             st == FW_INBOX_LATE ? FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE
             : st == FW_INBOX_DUPLICATE ? FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_DUPLICATE
                                        : FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED,
             seq, reason);
}

/* Receives and handles one message, waiting at most timeout_ms. Returns 0 if a
 * message was handled or none came, -1 if interrupted. */
static int s_receive(fw_coord_t *c, int timeout_ms)
{
    uint8_t id[FW_PROTO_MAX_IDENTITY + 1];
    size_t id_len = 0;
    fw_envelope_t *env = NULL;
    char reason[200];
    int rc = fw_proto_recv_from(c->router, timeout_ms, id, &id_len, &env);

    if (rc == FW_PROTO_ETIMEDOUT)
        return 0;
    if (rc == FW_PROTO_EINTR)
        return -1;
    int seat = id_len ? s_seat_of_identity(c, id, id_len) : -1;
    if (rc != FW_PROTO_OK) {
        if (id_len == 0) {
            fw_log_warn("seats", "unreadable message dropped: %s", fw_proto_strerror(rc));
        } else if (rc == FW_PROTO_EVERSION) {
            snprintf(reason, sizeof reason, "protocol version %u, coordinator speaks %u",
                     env->protocol_version, FW_PROTOCOL_VERSION);
            s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION, env->seq,
                     reason);
        } else {
            snprintf(reason, sizeof reason, "message refused: %s", fw_proto_strerror(rc));
            s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED, 0,
                     reason);
        }
        fw_proto_free(&env);
        return 0;
    }
    if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_HELLO) {
        s_hello(c, id, id_len, env);
        goto out;
    }
    if (seat < 0) {
        s_refuse(c, id, id_len, -1, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, env->seq,
                 "say Hello first: this connection holds no seat");
        goto out;
    }
    if (strcmp(env->seat, c->sc->seats[seat].id) != 0) {
        snprintf(reason, sizeof reason, "this connection holds seat '%s', not '%.64s'",
                 c->sc->seats[seat].id, env->seat);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS, env->seq,
                 reason);
        goto out;
    }
    if (env->seq <= c->seats[seat].last_seq) {
        snprintf(reason, sizeof reason, "seq %" PRIu64 " after %" PRIu64 ": it must increase",
                 env->seq, c->seats[seat].last_seq);
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEQUENCE, env->seq,
                 reason);
        goto out;
    }
    c->seats[seat].last_seq = env->seq;
    switch (env->body_case) {
    case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS:
        s_actions(c, seat, id, id_len, &env);
        break;
    case FLYWHEEL__V1__ENVELOPE__BODY_BYE:
        fw_log_info("seats", "seat %s left: %.100s", c->sc->seats[seat].id, env->bye->reason);
        c->seats[seat].left = 1;
        c->seats[seat].silent = 1;
        break;
    default:
        snprintf(reason, sizeof reason, "a %s is not accepted from an agent",
                 fw_proto_body_name(env));
        s_refuse(c, id, id_len, seat, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, env->seq,
                 reason);
        break;
    }
out:
    fw_proto_free(&env);
    return 0;
}

/* ---- the run -------------------------------------------------------------------- */

static int s_lobby(fw_coord_t *c)
{
    int64_t deadline = c->cfg->join_timeout_ms >= 0 ? s_now_ms() + c->cfg->join_timeout_ms : -1;
    fw_log_info("lobby", "waiting for %zu seats", c->sc->n_seats);
    for (;;) {
        size_t claimed = 0;
        for (uint32_t s = 0; s < c->sc->n_seats; s++)
            claimed += c->seats[s].claimed;
        if (claimed == c->sc->n_seats)
            return FW_COORD_OK;
        if (*c->cfg->stop)
            return FW_COORD_EINTERRUPTED;
        int64_t now = s_now_ms();
        if (deadline >= 0 && now >= deadline) {
            char missing[512];
            size_t used = 0;
            missing[0] = '\0';
            for (uint32_t s = 0; s < c->sc->n_seats && used < sizeof missing; s++)
                if (!c->seats[s].claimed)
                    used += (size_t)snprintf(missing + used, sizeof missing - used, " %s",
                                             c->sc->seats[s].id);
            fw_log_error("lobby", "seats not claimed after %d ms:%s", c->cfg->join_timeout_ms,
                         missing);
            return FW_COORD_EFAIL;
        }
        int wait = deadline >= 0 ? (int)(deadline - now) : 1000;
        if (s_receive(c, wait > 200 ? 200 : wait) < 0 && *c->cfg->stop)
            return FW_COORD_EINTERRUPTED;
    }
}

static void s_send_tick_starts(fw_coord_t *c)
{
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__TickStart ts = FLYWHEEL__V1__TICK_START__INIT;
        if (!c->seats[s].claimed || c->seats[s].left)
            continue;
        fw_arena_reset(c->arena);
        fw_market_view(c->market, s, c->arena, &ts);
        s_envelope(c, &env, s);
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
        env.tick_start = &ts;
        s_send_seat(c, s, &env);
    }
}

/* Waits until every seat that is not silent has acted, or the tick timeout. */
static int s_collect(fw_coord_t *c)
{
    int64_t deadline = s_now_ms() + c->cfg->tick_timeout_ms;
    for (;;) {
        size_t waiting = 0;
        for (uint32_t s = 0; s < c->sc->n_seats; s++)
            if (!c->seats[s].silent && !fw_inbox_has(c->inbox, s))
                waiting++;
        if (waiting == 0)
            break;
        int64_t left = deadline - s_now_ms();
        if (left <= 0)
            break;
        if (s_receive(c, (int)left) < 0 && *c->cfg->stop)
            return FW_COORD_EINTERRUPTED;
        if (*c->cfg->stop)
            return FW_COORD_EINTERRUPTED;
    }
    for (uint32_t s = 0; s < c->sc->n_seats; s++)
        if (!c->seats[s].silent && !fw_inbox_has(c->inbox, s)) {
            c->seats[s].silent = 1;
            fw_log_warn("tick", "seat %s silent past the tick timeout (%d ms) at tick %u: "
                        "default action, not waited for until it speaks",
                        c->sc->seats[s].id, c->cfg->tick_timeout_ms, c->tick);
        }
    return FW_COORD_OK;
}

static int s_clear_tick(fw_coord_t *c, Flywheel__V1__Snapshot *snap)
{
    const fw_scenario_t *sc = c->sc;
    Flywheel__V1__Actions **actions = fw_arena_calloc(c->tick_arena, sc->n_seats, sizeof *actions);
    Flywheel__V1__TickResult **results = fw_arena_calloc(c->tick_arena, sc->n_seats,
                                                         sizeof *results);
    char err[256];

    fw_inbox_actions(c->inbox, actions);
    int rc = fw_market_step(c->market, actions, c->tick_arena, results, snap, err, sizeof err);
    if (rc != FW_MARKET_OK) {
        fw_log_error("market", "tick %u could not be cleared: %s", c->tick, err);
        return FW_COORD_EFAIL;
    }
    /* The log holds what the market used, in the order it used it. */
    for (uint32_t s = 0; s < sc->n_seats; s++) {
        const fw_envelope_t *acted = fw_inbox_envelope(c->inbox, s);
        if (acted && fw_eventlog_append(c->log, acted) != FW_PROTO_OK) {
            fw_log_error("log", "cannot append to events.log: %s", strerror(errno));
            return FW_COORD_EFAIL;
        }
    }
    for (uint32_t s = 0; s < sc->n_seats; s++) {
        fw_envelope_t env;
        if (!c->seats[s].claimed || c->seats[s].left)
            continue;
        s_envelope(c, &env, s);
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT;
        env.tick_result = results[s];
        s_send_seat(c, s, &env);
    }
    fw_envelope_t pub = FLYWHEEL__V1__ENVELOPE__INIT;
    pub.protocol_version = FW_PROTOCOL_VERSION;
    pub.run_id = c->run_id;
    pub.tick = c->tick;
    pub.seq = ++c->pub_seq;
    pub.seat = "";
    pub.body_case = FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT;
    pub.snapshot = snap;
    rc = fw_proto_send(c->pub, &pub);
    if (rc != FW_PROTO_OK)
        fw_log_warn("observers", "snapshot of tick %u not published: %s", c->tick,
                    fw_proto_strerror(rc));
    if (fw_eventlog_append(c->log, &pub) != FW_PROTO_OK || fw_eventlog_flush(c->log) != 0) {
        fw_log_error("log", "cannot write events.log: %s", strerror(errno));
        return FW_COORD_EFAIL;
    }
    rc = fw_metrics_csv_append(c->csv, snap);
    if (rc != 0) {
        fw_log_error("outputs", "cannot write metrics.csv: %s",
                     rc == -2 ? "metric columns changed" : strerror(errno));
        return FW_COORD_EFAIL;
    }
    return FW_COORD_OK;
}

static void s_goodbye(fw_coord_t *c, const char *reason)
{
    for (uint32_t s = 0; s < c->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__Bye bye = FLYWHEEL__V1__BYE__INIT;
        if (!c->seats[s].claimed || c->seats[s].left)
            continue;
        bye.reason = (char *)reason;
        s_envelope(c, &env, s);
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
        env.bye = &bye;
        s_send_seat(c, s, &env);
    }
}

static int s_write_endpoints(fw_coord_t *c)
{
    char listen[256], publish[256], path[4096], tmp[4100];
    size_t len = sizeof listen;
    if (zmq_getsockopt(c->router, ZMQ_LAST_ENDPOINT, listen, &len) != 0)
        return -1;
    len = sizeof publish;
    if (zmq_getsockopt(c->pub, ZMQ_LAST_ENDPOINT, publish, &len) != 0)
        return -1;
    if (s_path(path, sizeof path, c->cfg->out_dir, "endpoints") != 0)
        return -1;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "listen=%s\npublish=%s\n", listen, publish);
    if (fclose(f) != 0)
        return -1;
    fw_log_info("sockets", "agents: %s  observers: %s", listen, publish);
    /* Rename last, so a reader never sees half a file. */
    return rename(tmp, path);
}

static int s_open_sockets(fw_coord_t *c)
{
    const fw_coord_config_t *cfg = c->cfg;
    int one = 1, linger = 1000, hwm = 100000;
    c->router = zmq_socket(cfg->zmq_ctx, ZMQ_ROUTER);
    c->pub = zmq_socket(cfg->zmq_ctx, ZMQ_PUB);
    if (!c->router || !c->pub)
        return -1;
    /* Mandatory routing: a message to a peer that is gone fails at once instead of
     * being dropped in silence or queued forever. */
    zmq_setsockopt(c->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(c->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(c->pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(c->pub, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_bind(c->router, cfg->listen) != 0) {
        fw_log_error("sockets", "cannot listen on %s: %s", cfg->listen, zmq_strerror(errno));
        return -1;
    }
    if (zmq_bind(c->pub, cfg->publish) != 0) {
        fw_log_error("sockets", "cannot publish on %s: %s", cfg->publish, zmq_strerror(errno));
        return -1;
    }
    return 0;
}

static void s_run_id(fw_coord_t *c)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
    x ^= (uint64_t)getpid() << 32;
    fw_rng_t r;
    fw_rng_seed(&r, x ^ c->cfg->seed);
    snprintf(c->run_id, sizeof c->run_id, "%016" PRIx64, fw_rng_next(&r));
}

static fw_eventlog_t *s_open_log(fw_coord_t *c, const char *path)
{
    const fw_scenario_t *sc = c->sc;
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__RunHeader h = FLYWHEEL__V1__RUN_HEADER__INIT;
    char started[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(started, sizeof started, "%Y-%m-%dT%H:%M:%SZ", &tm);
    char **seats = calloc(sc->n_seats, sizeof *seats);
    if (!seats)
        return NULL;
    for (size_t s = 0; s < sc->n_seats; s++)
        seats[s] = (char *)sc->seats[s].id;
    h.scenario_path = sc->path;
    h.scenario_text = sc->text;
    h.seed = c->cfg->seed;
    h.ticks = c->ticks;
    h.flywheel_version = FW_VERSION;
    h.schema_hash = (char *)fw_proto_schema_hash();
    h.started_utc = started;
    h.n_seats = sc->n_seats;
    h.seats = seats;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = c->run_id;
    env.seat = "";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER;
    env.run_header = &h;
    fw_eventlog_t *log = fw_eventlog_open(path, &env);
    free(seats);
    return log;
}

int fw_coord_run(const fw_coord_config_t *cfg)
{
    fw_coord_t coord, *c = &coord;
    char path[4096];
    int rc = FW_COORD_EFAIL;
    const char *stopped = NULL;
    int books_ok = 1;
    Flywheel__V1__Snapshot snap = FLYWHEEL__V1__SNAPSHOT__INIT;
    const Flywheel__V1__Snapshot *last = NULL;
    int64_t started = s_now_ms();

    memset(c, 0, sizeof *c);
    c->cfg = cfg;
    c->sc = cfg->scenario;
    c->ticks = cfg->ticks ? cfg->ticks : cfg->scenario->ticks;
    s_run_id(c);
    c->seats = calloc(c->sc->n_seats, sizeof *c->seats);
    c->market = fw_market_new(c->sc, c->ticks);
    c->inbox = fw_inbox_new((uint32_t)c->sc->n_seats);
    c->arena = fw_arena_new();
    c->tick_arena = fw_arena_new();
    if (!c->seats || !c->market || !c->inbox || !c->arena || !c->tick_arena) {
        fw_log_error("coordinator", "out of memory, or the opening books do not balance");
        goto out;
    }
    if (s_mkdirs(cfg->out_dir) != 0) {
        fw_log_error("outputs", "cannot create %s: %s", cfg->out_dir, strerror(errno));
        goto out;
    }
    if (s_path(path, sizeof path, cfg->out_dir, "events.log") != 0 ||
        !(c->log = s_open_log(c, path))) {
        fw_log_error("outputs", "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    if (s_path(path, sizeof path, cfg->out_dir, "metrics.csv") != 0 ||
        !(c->csv = fw_metrics_csv_open(path))) {
        fw_log_error("outputs", "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    if (s_open_sockets(c) != 0)
        goto out;
    if (s_write_endpoints(c) != 0) {
        fw_log_error("outputs", "cannot write the endpoints file in %s: %s", cfg->out_dir,
                     strerror(errno));
        goto out;
    }
    fw_log_info("coordinator", "run %s: scenario %s, %u ticks, seed %" PRIu64, c->run_id,
                c->sc->name, c->ticks, cfg->seed);

    rc = s_lobby(c);
    if (rc != FW_COORD_OK) {
        stopped = rc == FW_COORD_EINTERRUPTED ? "interrupted in the lobby" : "seats never came";
        goto finish;
    }
    c->running = 1;
    for (c->tick = 1; c->tick <= c->ticks; c->tick++) {
        fw_arena_reset(c->tick_arena);
        fw_inbox_open(c->inbox, c->tick);
        fw_market_prepare(c->market);
        s_send_tick_starts(c);
        rc = s_collect(c);
        if (rc == FW_COORD_OK)
            rc = s_clear_tick(c, &snap);
        if (rc != FW_COORD_OK) {
            books_ok = rc != FW_COORD_EFAIL;
            last = NULL;
            stopped = rc == FW_COORD_EINTERRUPTED ? "interrupted" : "a tick failed";
            break;
        }
        last = &snap;
        fw_log_debug("tick", "tick %u of %u cleared", c->tick, c->ticks);
    }
    if (rc == FW_COORD_OK)
        fw_log_info("coordinator", "run complete: %u ticks in %.2f s", c->ticks,
                    (double)(s_now_ms() - started) / 1000.0);
finish:
    s_goodbye(c, stopped ? stopped : "run complete");
    {
        fw_summary_info_t info = {c->run_id, cfg->seed, c->ticks,
                                  (double)(s_now_ms() - started) / 1000.0, books_ok, stopped,
                                  last};
        if (s_path(path, sizeof path, cfg->out_dir, "summary.json") != 0 ||
            fw_summary_write(path, c->sc, c->market, &info) != 0) {
            fw_log_error("outputs", "cannot write summary.json in %s", cfg->out_dir);
            rc = FW_COORD_EFAIL;
        }
    }
out:
    if (fw_metrics_csv_close(&c->csv) != 0 || fw_eventlog_close(&c->log) != 0) {
        fw_log_error("outputs", "cannot finish writing the outputs: %s", strerror(errno));
        rc = FW_COORD_EFAIL;
    }
    if (c->router)
        zmq_close(c->router);
    if (c->pub)
        zmq_close(c->pub);
    fw_arena_destroy(&c->tick_arena);
    fw_arena_destroy(&c->arena);
    fw_inbox_destroy(&c->inbox);
    fw_market_destroy(&c->market);
    free(c->seats);
    return rc;
}
