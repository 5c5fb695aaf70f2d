/* fw_zap: see fw_zap.h. */
#include "fw_zap.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "fw_log.h"
#include "fw_text.h"

#define S_MAX_FRAMES 8 /* a CURVE request has 7 */

struct fw_zap {
    void *ctx;                  /* borrowed */
    void *control;              /* PAIR: the owner's end, to say stop */
    char control_ep[64];        /* inproc endpoint of the control pair */
    pthread_t thread;           /* answers requests */
    fw_curve_allow_t *agents;   /* owned; read only by the thread while it runs */
    fw_curve_allow_t *viewers;  /* owned; likewise */
    atomic_bool running;        /* the thread answers requests */
    atomic_uint_fast64_t accepted;
    atomic_uint_fast64_t refused;
    char last_refused[FW_CURVE_KEY_LEN + 1]; /* the thread's: the key refused last */
    uint64_t repeats;           /* the thread's: refusals of that key in a row */
};

typedef struct {
    zmq_msg_t part[S_MAX_FRAMES];
    int n;
} s_request_t;

static void s_request_close(s_request_t *r)
{
    for (int i = 0; i < r->n; i++)
        zmq_msg_close(&r->part[i]);
    r->n = 0;
}

/* Reads one request, every frame of it (more than S_MAX_FRAMES: the rest is read and
 * dropped). Returns 0, or -1 when the socket failed. */
static int s_read_request(void *rep, s_request_t *r)
{
    r->n = 0;
    int more = 1;
    while (more) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, rep, 0) < 0) {
            zmq_msg_close(&m);
            s_request_close(r);
            return -1;
        }
        more = zmq_msg_more(&m);
        if (r->n < S_MAX_FRAMES)
            r->part[r->n++] = m;
        else
            zmq_msg_close(&m);
    }
    return 0;
}

static bool s_is(const zmq_msg_t *m, const char *text)
{
    size_t n = strlen(text);
    return zmq_msg_size((zmq_msg_t *)m) == n && memcmp(zmq_msg_data((zmq_msg_t *)m), text, n) == 0;
}

static void s_copy(char *out, size_t cap, zmq_msg_t *m)
{
    size_t n = zmq_msg_size(m);
    if (n >= cap)
        n = cap - 1;
    memcpy(out, zmq_msg_data(m), n);
    out[n] = '\0';
}

static int s_send(void *rep, const void *data, size_t len, int more)
{
    return zmq_send(rep, data, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

/* Decides one request and answers it (RFC 27: version, request id, status code,
 * status text, user id, metadata). */
static int s_answer(fw_zap_t *z, void *rep, s_request_t *r)
{
    const char *user = NULL, *why = "malformed request";
    char domain[64] = "", address[64] = "", key[FW_CURVE_KEY_LEN + 1] = "";
    if (r->n >= 7 && s_is(&r->part[0], "1.0")) {
        s_copy(domain, sizeof domain, &r->part[2]);
        s_copy(address, sizeof address, &r->part[3]);
        const fw_curve_allow_t *list = !strcmp(domain, FW_ZAP_AGENTS)    ? z->agents
                                       : !strcmp(domain, FW_ZAP_VIEWERS) ? z->viewers
                                                                         : NULL;
        if (!s_is(&r->part[5], "CURVE")) {
            why = "not CURVE";
        } else if (zmq_msg_size(&r->part[6]) != 32) {
            why = "malformed client key";
        } else {
            zmq_z85_encode(key, zmq_msg_data(&r->part[6]), 32);
            if (!list)
                why = "no allow list for this domain";
            else if (!(user = fw_curve_allow_find(list, key)))
                why = "key not on the allow list";
        }
    }
    if (user) {
        atomic_fetch_add(&z->accepted, 1);
        fw_log_info("auth", "%s: %s connected from %s", domain, user, address);
    } else {
        atomic_fetch_add(&z->refused, 1);
        /* A refused client reconnects every few hundred ms: say it once, then at the
         * 2nd, 4th, 8th... attempt, so the log shows it goes on without filling up. */
        z->repeats = strcmp(z->last_refused, key) == 0 ? z->repeats + 1 : 1;
        snprintf(z->last_refused, sizeof z->last_refused, "%s", key);
        if ((z->repeats & (z->repeats - 1)) == 0) {
            char clean[80];
            fw_log_warn("auth", "%s: refused a connection from %s (key %s): %s%s",
                        domain[0] ? fw_text_clean(clean, sizeof clean, domain, 40) : "?",
                        address[0] ? address : "?", key[0] ? key : "?", why,
                        z->repeats > 1 ? " (again)" : "");
        }
    }
    const char *code = user ? "200" : "400", *text = user ? "OK" : why;
    if (r->n < 2) /* no request id: nothing libzmq can match an answer to */
        return 0;
    if (s_send(rep, "1.0", 3, 1) != 0 ||
        s_send(rep, zmq_msg_data(&r->part[1]), zmq_msg_size(&r->part[1]), 1) != 0 ||
        s_send(rep, code, 3, 1) != 0 || s_send(rep, text, strlen(text), 1) != 0 ||
        s_send(rep, user ? user : "", user ? strlen(user) : 0, 1) != 0 ||
        s_send(rep, "", 0, 0) != 0)
        return -1;
    return 0;
}

typedef struct {
    fw_zap_t *z;
    void *rep;     /* bound by the starter, handed to the thread */
    void *control; /* the thread's end of the control pair */
} s_thread_arg_t;

static void *s_run(void *arg)
{
    s_thread_arg_t a = *(s_thread_arg_t *)arg;
    free(arg);
    zmq_pollitem_t items[2] = {{a.rep, 0, ZMQ_POLLIN, 0}, {a.control, 0, ZMQ_POLLIN, 0}};
    for (;;) {
        if (zmq_poll(items, 2, -1) < 0) {
            if (zmq_errno() == EINTR)
                continue;
            break; /* the context is ending */
        }
        if (items[1].revents & ZMQ_POLLIN)
            break; /* told to stop */
        if (items[0].revents & ZMQ_POLLIN) {
            s_request_t r;
            if (s_read_request(a.rep, &r) != 0)
                break;
            int rc = s_answer(a.z, a.rep, &r);
            s_request_close(&r);
            if (rc != 0)
                break;
        }
    }
    /* From here no connection can be admitted: the owner stops the game when it sees. */
    atomic_store(&a.z->running, false);
    zmq_close(a.rep);
    zmq_close(a.control);
    return NULL;
}

fw_zap_t *fw_zap_start(void *ctx, fw_curve_allow_t **agents, fw_curve_allow_t **viewers,
                       char *err, size_t err_len)
{
    assert(ctx);
    fw_zap_t *z = calloc(1, sizeof *z);
    void *rep = NULL, *peer = NULL;
    if (!z) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    z->ctx = ctx;
    z->agents = agents ? *agents : NULL;
    z->viewers = viewers ? *viewers : NULL;
    if (agents)
        *agents = NULL;
    if (viewers)
        *viewers = NULL;
    atomic_init(&z->running, true);
    atomic_init(&z->accepted, 0);
    atomic_init(&z->refused, 0);
    /* Bound here, before the thread runs, so that a second handler in this context
     * (the address is taken) is an error now, not a silent open door later. */
    rep = zmq_socket(ctx, ZMQ_REP);
    int linger = 0;
    if (!rep || zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_bind(rep, FW_ZAP_ENDPOINT) != 0) {
        snprintf(err, err_len, "cannot start the authentication handler on %s: %s",
                 FW_ZAP_ENDPOINT, zmq_strerror(zmq_errno()));
        goto fail;
    }
    snprintf(z->control_ep, sizeof z->control_ep, "inproc://fw-zap-control-%p", (void *)z);
    z->control = zmq_socket(ctx, ZMQ_PAIR);
    peer = zmq_socket(ctx, ZMQ_PAIR);
    if (!z->control || !peer || zmq_setsockopt(z->control, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(peer, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(z->control, z->control_ep) != 0 || zmq_connect(peer, z->control_ep) != 0) {
        snprintf(err, err_len, "cannot start the authentication handler: %s",
                 zmq_strerror(zmq_errno()));
        goto fail;
    }
    s_thread_arg_t *arg = malloc(sizeof *arg);
    if (!arg) {
        snprintf(err, err_len, "out of memory");
        goto fail;
    }
    *arg = (s_thread_arg_t){z, rep, peer};
    int rc = pthread_create(&z->thread, NULL, s_run, arg);
    if (rc != 0) {
        free(arg);
        snprintf(err, err_len, "cannot start the authentication handler's thread: %s",
                 strerror(rc));
        goto fail;
    }
    return z;
fail:
    if (rep)
        zmq_close(rep);
    if (peer)
        zmq_close(peer);
    if (z) {
        if (z->control)
            zmq_close(z->control);
        fw_curve_allow_destroy(&z->agents);
        fw_curve_allow_destroy(&z->viewers);
        free(z);
    } else {
        fw_curve_allow_destroy(agents);
        fw_curve_allow_destroy(viewers);
    }
    return NULL;
}

bool fw_zap_running(const fw_zap_t *z)
{
    return z && atomic_load(&((fw_zap_t *)z)->running);
}

void fw_zap_counts(const fw_zap_t *z, uint64_t *accepted, uint64_t *refused)
{
    fw_zap_t *m = (fw_zap_t *)z;
    if (accepted)
        *accepted = z ? (uint64_t)atomic_load(&m->accepted) : 0;
    if (refused)
        *refused = z ? (uint64_t)atomic_load(&m->refused) : 0;
}

void fw_zap_stop(fw_zap_t **p)
{
    if (!p || !*p)
        return;
    fw_zap_t *z = *p;
    /* A thread that already stopped no longer reads the pair: the send still queues. */
    zmq_send(z->control, "", 0, ZMQ_DONTWAIT);
    pthread_join(z->thread, NULL);
    zmq_close(z->control);
    fw_curve_allow_destroy(&z->agents);
    fw_curve_allow_destroy(&z->viewers);
    free(z);
    *p = NULL;
}
