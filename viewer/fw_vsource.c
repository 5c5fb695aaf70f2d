/* fw_vsource: snapshots from a recorded log or from a coordinator's PUB socket. */
#include "fw_vsource.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <zmq.h>

#include "fw_clock.h"
#include "fw_log.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_socket.h"

int fw_vsource_log_path(const char *arg, char *buf, size_t len)
{
    struct stat st;
    int n;
    if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        n = snprintf(buf, len, "%s/events.log", arg);
    else
        n = snprintf(buf, len, "%s", arg);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Seats in seat order, with roles and names from the scenario text when it parses
 * (a log written by another version may carry keys this loader does not know: then
 * the seats keep their ids as names, and roles come from the snapshots). */
static int s_apply_header(fw_vmodel_t *vm, const Flywheel__V1__RunHeader *h)
{
    char err[512];
    fw_scenario_t *sc = NULL;
    if (h->scenario_text && *h->scenario_text) {
        sc = fw_scenario_parse(h->scenario_path ? h->scenario_path : "scenario",
                               h->scenario_text, strlen(h->scenario_text), err, sizeof err);
        if (!sc)
            fw_log_info("viewer", "names from the log's scenario unavailable: %s", err);
    }
    for (size_t i = 0; i < h->n_seats; i++) {
        int role = FW_VROLE_OTHER;
        int s = sc ? fw_scenario_seat(sc, h->seats[i]) : -1;
        if (s >= 0)
            role = (int)sc->seats[s].role;
        if (fw_vmodel_add_node(vm, h->seats[i], role) < 0) {
            fw_scenario_destroy(&sc);
            return -1;
        }
    }
    if (sc) {
        fw_vmodel_set_scenario(vm, sc->name);
        for (size_t i = 0; i < sc->n_seats; i++) {
            if (fw_vmodel_add_node(vm, sc->seats[i].id, (int)sc->seats[i].role) < 0)
                break;
            fw_vmodel_set_name(vm, sc->seats[i].id, sc->seats[i].name, 0);
        }
        for (size_t f = 0; f < sc->n_families; f++)
            fw_vmodel_set_name(vm, sc->families[f].id, sc->families[f].name, 1);
    }
    fw_scenario_destroy(&sc);
    return 0;
}

int fw_vsource_read_log(const char *path, fw_vmodel_t *vm, int partial_ok, char *err,
                        size_t err_len)
{
    FILE *f = fopen(path, "rb");
    fw_envelope_t *env = NULL;
    int count = 0, rc, records = 0, other = 0;

    if (!f) {
        snprintf(err, err_len, "%s: %s", path, strerror(errno));
        return -1;
    }
    while ((rc = fw_proto_read_delimited(f, &env)) == FW_PROTO_OK) {
        if (records++ == 0 && env->body_case != FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER) {
            snprintf(err, err_len,
                     "%s: not a Flywheel events.log (its first record is '%s', not a run header)",
                     path, fw_proto_body_name(env));
            count = -1;
            goto out;
        }
        if (env->run_id && *env->run_id) {
            if (!*fw_vmodel_run_id(vm)) {
                fw_vmodel_set_run(vm, env->run_id);
            } else if (strcmp(env->run_id, fw_vmodel_run_id(vm)) != 0) {
                if (other++ == 0)
                    fw_log_debug("viewer", "%s holds run %s, not %s: its records are skipped",
                                 path, env->run_id, fw_vmodel_run_id(vm));
                fw_proto_free(&env);
                continue;
            }
        }
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER) {
            /* Adding seats and names is idempotent: a re-read for missed ticks is fine. */
            if (s_apply_header(vm, env->run_header) != 0) {
                snprintf(err, err_len, "%s: out of memory", path);
                count = -1;
                goto out;
            }
        } else if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            if (fw_vmodel_apply(vm, env->snapshot) < 0) {
                snprintf(err, err_len, "%s: the snapshot of tick %u is unusable", path,
                         env->snapshot->tick);
                count = -1;
                goto out;
            }
            count++;
        }
        fw_proto_free(&env);
    }
    if (rc == FW_PROTO_EOF && records == 0 && !partial_ok) {
        snprintf(err, err_len, "%s: empty file, not a Flywheel events.log", path);
        count = -1;
    } else if (rc != FW_PROTO_EOF && !(partial_ok && rc == FW_PROTO_ETRUNCATED)) {
        snprintf(err, err_len, "%s: record %d: %s%s", path, records + 1, fw_proto_strerror(rc),
                 records == 0 ? " (not a Flywheel events.log?)" : "");
        count = -1;
    }
out:
    fw_proto_free(&env);
    fclose(f);
    return count;
}

/* --- live ------------------------------------------------------------------------ */

struct fw_vlive {
    void *ctx;                  /* ZeroMQ context, owned */
    void *sub;                  /* SUB socket on the coordinator's PUB */
    fw_watch_t *watch;          /* the SUB socket's connection */
    char *endpoint;             /* the coordinator's address */
    char *history;              /* events.log to fill gaps from, or NULL */
    unsigned long received;     /* snapshots received on the socket */
    long long last_fill_ms;     /* last time the log was read, to read it at most 2x/s */
    fw_watch_state_t logged;    /* the connection state last logged */
};

fw_vlive_t *fw_vlive_new(const char *endpoint, const char *history_log,
                         const char *server_key_file, const char *secret_file, char *err,
                         size_t err_len)
{
    fw_curve_pair_t pair;
    char server_key[FW_CURVE_KEY_LEN + 1];
    int curve = 0;
    if (fw_socket_curve_client(server_key_file, secret_file, &pair, server_key, &curve, err,
                               err_len) != 0)
        return NULL;
    fw_vlive_t *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    l->last_fill_ms = -1000000;
    l->logged = FW_WATCH_NEVER;
    if (!(l->endpoint = strdup(endpoint))) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    l->ctx = zmq_ctx_new();
    if (!l->ctx) {
        snprintf(err, err_len, "cannot create a ZeroMQ context: %s", zmq_strerror(errno));
        goto fail;
    }
    char why[256];
    int rc = fw_socket_subscriber(l->ctx, endpoint, &l->watch, FW_VLIVE_HEARTBEAT_MS,
                                  FW_VLIVE_TIMEOUT_MS, curve ? &pair : NULL,
                                  curve ? server_key : NULL, &l->sub, why, sizeof why);
    if (rc == FW_SOCKET_EENDPOINT) {
        /* The endpoint came from the person who typed it: say what one looks like. */
        snprintf(err, err_len, "%s (an endpoint looks like tcp://HOST:PORT or ipc:///path)",
                 why);
        goto fail;
    }
    if (rc != FW_SOCKET_OK) {
        snprintf(err, err_len, "%s", why);
        goto fail;
    }
    if (history_log && !(l->history = strdup(history_log))) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    fw_log_info("viewer", "waiting for the coordinator at %s", endpoint);
    return l;
fail:
    fw_vlive_destroy(&l);
    return NULL;
}

void fw_vlive_destroy(fw_vlive_t **p)
{
    if (!p || !*p)
        return;
    fw_vlive_t *l = *p;
    fw_watch_destroy(&l->watch); /* before its socket closes */
    if (l->sub)
        zmq_close(l->sub);
    if (l->ctx)
        zmq_ctx_term(l->ctx);
    free(l->endpoint);
    free(l->history);
    free(l);
    *p = NULL;
}

unsigned long fw_vlive_received(const fw_vlive_t *l) { return l->received; }

fw_vlink_t fw_vlive_link(const fw_vlive_t *l)
{
    return (fw_vlink_t){fw_watch_state(l->watch), fw_watch_since(l->watch), l->endpoint};
}

/* One log line per change of the connection: what the viewer now shows. */
static void s_log_link(fw_vlive_t *l, const fw_vmodel_t *vm, fw_watch_state_t state)
{
    size_t n = fw_vmodel_n_frames(vm);
    if (state == l->logged)
        return;
    if (state == FW_WATCH_UP && l->logged == FW_WATCH_NEVER)
        fw_log_info("viewer", "connected to the coordinator at %s", l->endpoint);
    else if (state == FW_WATCH_UP)
        fw_log_info("viewer", "the coordinator at %s is back", l->endpoint);
    else if (state == FW_WATCH_DOWN && fw_vmodel_over(vm))
        fw_log_info("viewer", "the coordinator at %s has closed after the end of the run",
                    l->endpoint);
    else if (state == FW_WATCH_DOWN && n > 0)
        fw_log_info("viewer", "coordinator gone (%s): showing the last tick received (tick %u); "
                    "waiting for it to come back", l->endpoint, fw_vmodel_frame(vm, n - 1)->tick);
    else if (state == FW_WATCH_DOWN)
        fw_log_info("viewer", "coordinator gone (%s) before its first tick; waiting for it to "
                    "come back", l->endpoint);
    l->logged = state;
}

/* 1 if the frames do not run without a gap from tick 1 to the newest. */
static int s_has_gap(const fw_vmodel_t *vm)
{
    size_t n = fw_vmodel_n_frames(vm);
    if (n == 0)
        return 0;
    const fw_vframe_t *first = fw_vmodel_frame(vm, 0), *last = fw_vmodel_frame(vm, n - 1);
    return first->tick != 1 || (size_t)(last->tick - first->tick + 1) != n;
}

int fw_vlive_poll(fw_vlive_t *l, fw_vmodel_t *vm, int timeout_ms, char *err, size_t err_len)
{
    int added = 0;
    for (int i = 0; i < 4096; i++) {
        fw_envelope_t *env = NULL;
        int rc = fw_proto_recv(l->sub, i == 0 ? timeout_ms : 0, &env);
        if (rc == FW_PROTO_ETIMEDOUT || rc == FW_PROTO_EINTR)
            break;
        if (rc == FW_PROTO_EIO) {
            snprintf(err, err_len, "observer socket: %s", zmq_strerror(errno));
            return -1;
        }
        if (rc != FW_PROTO_OK) {
            fw_log_warn("viewer", "skipped a message from the coordinator: %s",
                        fw_proto_strerror(rc));
            fw_proto_free(&env);
            continue;
        }
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            if (l->received++ == 0)
                fw_log_info("viewer", "first snapshot: tick %u", env->snapshot->tick);
            if (fw_vmodel_set_run(vm, env->run_id)) {
                /* A new coordinator on the same address: its tick 2 is not the old
                 * run's tick 2. The model starts over; the history is read again. */
                fw_log_info("viewer", "a new run (%s) started: starting over", env->run_id);
                l->last_fill_ms = -1000000;
                added = 0;
            }
            int a = fw_vmodel_apply_at(vm, env->snapshot, fw_clock_ms());
            if (a > 0)
                added++;
            else if (a < 0 && env->snapshot->tick > 0) /* tick 0: the lobby, game state only */
                fw_log_warn("viewer", "snapshot of tick %u not usable", env->snapshot->tick);
        }
        fw_proto_free(&env);
    }
    if (l->history && s_has_gap(vm) && fw_clock_ms() - l->last_fill_ms >= 500) {
        char why[512];
        int before = (int)fw_vmodel_n_frames(vm);
        l->last_fill_ms = fw_clock_ms();
        if (fw_vsource_read_log(l->history, vm, 1, why, sizeof why) < 0)
            fw_log_debug("viewer", "history not read (yet): %s", why);
        added += (int)fw_vmodel_n_frames(vm) - before;
    }
    s_log_link(l, vm, fw_watch_poll(l->watch, fw_clock_ms()));
    return added;
}
