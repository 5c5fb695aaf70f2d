/* fw_embedded: see fw_embedded.h. */
#include "fw_embedded.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <zmq.h>

#include "fw_agent_run.h"
#include "fw_coord.h"
#include "fw_log.h"

#define S_LISTEN "inproc://flywheel-agents"
#define S_PUBLISH "inproc://flywheel-observers"

typedef struct {
    fw_coord_config_t cfg;
    int rc;
} s_coord_job_t;

typedef struct {
    fw_agent_config_t cfg;
    fw_agent_claim_t *claims;
    size_t n;
    int rc;
    char reason[256];
} s_seats_job_t;

static void *s_coord_thread(void *arg)
{
    s_coord_job_t *j = arg;
    j->rc = fw_coord_run(&j->cfg);
    return NULL;
}

static void *s_seats_thread(void *arg)
{
    s_seats_job_t *j = arg;
    j->rc = fw_agent_run_seats(&j->cfg, j->claims, j->n, NULL, j->reason, sizeof j->reason);
    return NULL;
}

int fw_embedded_run(const fw_embedded_opts_t *o)
{
    const fw_scenario_t *sc = o->scenario;
    void *ctx = zmq_ctx_new();
    fw_agent_claim_t *claims = calloc(sc->n_seats ? sc->n_seats : 1, sizeof *claims);
    if (!ctx || !claims) {
        fw_log_error("embedded", "out of memory");
        free(claims);
        if (ctx)
            zmq_ctx_term(ctx);
        return FW_COORD_EFAIL;
    }
    /* Sockets: a connection, its monitor and its watch per seat, and the
     * coordinator's own; descriptors: inproc pipes use a few per socket. */
    int sockets = (int)(4 * sc->n_seats + 64);
    if (sockets > zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS))
        zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, sockets);
    struct rlimit rl;
    rlim_t want = (rlim_t)(8 * sc->n_seats + 256);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    s_coord_job_t coord = {
        .cfg = {.scenario = sc, .listen = S_LISTEN, .publish = S_PUBLISH,
                .out_dir = o->out_dir, .seed = o->seed, .ticks = o->ticks,
                .tick_timeout_ms = o->tick_timeout_ms, .join_timeout_ms = 60000,
                .zmq_ctx = ctx, .stop = o->stop},
        .rc = FW_COORD_EFAIL};
    s_seats_job_t seats = {.n = sc->n_seats, .claims = claims, .rc = FW_AGENT_EIO};
    seats.cfg.zmq_ctx = ctx;
    seats.cfg.url = S_LISTEN;
    seats.cfg.idle_timeout_ms = 60000;
    seats.cfg.stop = o->stop;
    seats.cfg.name = "flywheel (embedded)";
    /* Each seat plays the scenario's strategy for it, as `flywheel run` asks the
     * agent processes to: the seat's own default when it names none. */
    for (size_t i = 0; i < sc->n_seats; i++)
        claims[i] = (fw_agent_claim_t){sc->seats[i].id, 0, NULL};

    pthread_t ct, st;
    int rc = FW_COORD_EFAIL;
    if (pthread_create(&ct, NULL, s_coord_thread, &coord) != 0) {
        fw_log_error("embedded", "cannot start the coordinator's thread");
        goto out;
    }
    if (pthread_create(&st, NULL, s_seats_thread, &seats) != 0) {
        fw_log_error("embedded", "cannot start the seats' thread");
        *o->stop = 1; /* the coordinator gives up its lobby */
        pthread_join(ct, NULL);
        goto out;
    }
    pthread_join(ct, NULL);
    pthread_join(st, NULL);
    rc = coord.rc;
    if (rc == FW_COORD_OK && seats.rc != FW_AGENT_BYE)
        fw_log_warn("embedded", "the seats ended with: %s", seats.reason);
out:
    free(claims);
    zmq_ctx_term(ctx);
    return rc;
}
