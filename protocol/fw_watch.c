/* fw_watch: see fw_watch.h. */
#include "fw_watch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "fw_clock.h"

#define S_GONE_MAX 64 /* disconnections kept until taken; older ones are dropped */

struct fw_watch {
    void *sock;               /* the watched socket (borrowed) */
    int gone[S_GONE_MAX];     /* file descriptors of connections dropped, oldest first */
    size_t n_gone;
    unsigned gone_lost;       /* disconnections not kept: the queue was full */
    void *pair;               /* reads the monitor's events */
    fw_watch_state_t state;   /* as of the last poll */
    int64_t since;            /* monotonic ms the state began */
    unsigned drops;           /* UP -> DOWN transitions */
    unsigned failures;        /* failed connection attempts */
    unsigned auth_refused;    /* handshakes the server's ZAP handler refused */
};

fw_watch_t *fw_watch_new(void *ctx, void *sock, int heartbeat_ms, int timeout_ms, char *err,
                         size_t err_len)
{
    char endpoint[64];
    int linger = 0;
    fw_watch_t *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    w->sock = sock;
    w->since = fw_clock_ms();
    if (zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &heartbeat_ms, sizeof heartbeat_ms) != 0 ||
        zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &timeout_ms, sizeof timeout_ms) != 0) {
        snprintf(err, err_len, "cannot set heartbeats: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    snprintf(endpoint, sizeof endpoint, "inproc://fw-watch-%p", sock);
    /* Handshakes, not TCP connections: a stopped process's kernel still accepts TCP. */
    if (zmq_socket_monitor(sock, endpoint,
                           ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |
                               ZMQ_EVENT_CONNECT_RETRIED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) != 0) {
        snprintf(err, err_len, "cannot monitor the socket: %s", zmq_strerror(zmq_errno()));
        goto fail;
    }
    w->pair = zmq_socket(ctx, ZMQ_PAIR);
    if (!w->pair || zmq_setsockopt(w->pair, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(w->pair, endpoint) != 0) {
        snprintf(err, err_len, "cannot read the monitor: %s", zmq_strerror(zmq_errno()));
        zmq_socket_monitor(sock, NULL, 0);
        goto fail;
    }
    return w;
fail:
    if (w->pair)
        zmq_close(w->pair);
    free(w);
    return NULL;
}

void fw_watch_destroy(fw_watch_t **p)
{
    if (!p || !*p)
        return;
    fw_watch_t *w = *p;
    zmq_socket_monitor(w->sock, NULL, 0);
    zmq_close(w->pair);
    free(w);
    *p = NULL;
}

/* Reads one event (two frames: 16-bit event and 32-bit value, then the endpoint);
 * *value is the event's value (the file descriptor, for a disconnection). Returns the
 * event, or 0 when none is waiting. */
static unsigned s_next_event(fw_watch_t *w, uint32_t *value)
{
    zmq_msg_t msg;
    unsigned event = 0;
    *value = 0;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, w->pair, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return 0;
    }
    if (zmq_msg_size(&msg) >= 2) {
        uint16_t e;
        memcpy(&e, zmq_msg_data(&msg), sizeof e);
        event = e;
    }
    if (zmq_msg_size(&msg) >= 6)
        memcpy(value, (const char *)zmq_msg_data(&msg) + 2, sizeof *value);
    /* The endpoint frame: read and dropped. */
    while (zmq_msg_more(&msg)) {
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, w->pair, ZMQ_DONTWAIT) < 0)
            break;
    }
    zmq_msg_close(&msg);
    return event ? event : 0xffffffffu;
}

fw_watch_state_t fw_watch_poll(fw_watch_t *w, int64_t now_ms)
{
    unsigned e;
    uint32_t value;
    while ((e = s_next_event(w, &value)) != 0) {
        fw_watch_state_t next = w->state;
        switch (e) {
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
            next = FW_WATCH_UP;
            break;
        case ZMQ_EVENT_DISCONNECTED:
            if (w->n_gone < S_GONE_MAX)
                w->gone[w->n_gone++] = (int)value;
            else
                w->gone_lost++;
            if (w->state == FW_WATCH_UP) {
                next = FW_WATCH_DOWN;
                w->drops++;
            } else {
                w->failures++; /* connected, but the handshake never completed */
            }
            break;
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
            w->auth_refused++;
            w->failures++;
            break;
        case ZMQ_EVENT_CONNECT_RETRIED:
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
            w->failures++;
            break;
        default:
            break;
        }
        if (next != w->state) {
            w->state = next;
            w->since = now_ms;
        }
    }
    return w->state;
}

int fw_watch_take_gone(fw_watch_t *w, int *fd)
{
    if (w->n_gone == 0)
        return 0;
    *fd = w->gone[0];
    memmove(w->gone, w->gone + 1, (w->n_gone - 1) * sizeof *w->gone);
    w->n_gone--;
    return 1;
}

fw_watch_state_t fw_watch_state(const fw_watch_t *w) { return w->state; }
int64_t fw_watch_since(const fw_watch_t *w) { return w->since; }
unsigned fw_watch_drops(const fw_watch_t *w) { return w->drops; }
unsigned fw_watch_auth_refused(const fw_watch_t *w)
{
    return w->auth_refused;
}

unsigned fw_watch_failures(const fw_watch_t *w) { return w->failures; }

const char *fw_watch_state_name(fw_watch_state_t state)
{
    switch (state) {
    case FW_WATCH_UP: return "connected";
    case FW_WATCH_DOWN: return "lost";
    default: return "not reached yet";
    }
}
