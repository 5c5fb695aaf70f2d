/* fw_socket: see fw_socket.h. */
#include "fw_socket.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

#include "fw_proto.h"

/* Connections a bound socket lets wait to be accepted (listen(2)'s backlog; the kernel
 * caps it at net.core.somaxconn). libzmq's default is 100: a run of 256 seats, whose
 * agents all connect at once, overflowed it, and the connections refused were retried
 * only a reconnect interval (a second) later: about one start-up in two. */
#define S_BACKLOG 4096

/* Sets an int option unless it is left at ZeroMQ's default. */
static int s_set_int(void *sock, int option, int value)
{
    if (value == FW_SOCKET_DEFAULT)
        return 0;
    return zmq_setsockopt(sock, option, &value, sizeof value);
}

static int s_set_options(void *sock, const fw_socket_opts_t *o)
{
    /* No frame larger than an Envelope may be: libzmq drops the connection of a peer
     * that sends one before a byte of it is kept (on every socket). */
    const int64_t max_frame = FW_PROTO_MAX_FRAME;
    if (zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_frame, sizeof max_frame) != 0 ||
        zmq_setsockopt(sock, ZMQ_LINGER, &o->linger_ms, sizeof o->linger_ms) != 0 ||
        s_set_int(sock, ZMQ_SNDHWM, o->send_hwm) != 0 ||
        s_set_int(sock, ZMQ_SNDTIMEO, o->send_timeout_ms) != 0 ||
        s_set_int(sock, ZMQ_RECONNECT_IVL, o->reconnect_ms) != 0 ||
        (o->bind && s_set_int(sock, ZMQ_BACKLOG, S_BACKLOG) != 0))
        return -1;
    /* A ROUTER's routing ids are not identity: a second connection that asks for a
     * routing id already in use never takes over the first (HANDOVER stays off; the
     * seat table decides who holds a seat, from the key or the resume token). */
    if (o->router_mandatory && (s_set_int(sock, ZMQ_ROUTER_MANDATORY, 1) != 0 ||
                                s_set_int(sock, ZMQ_ROUTER_HANDOVER, 0) != 0))
        return -1;
    if (o->curve_self) {
        const int server = o->curve_server_key == NULL;
        if (zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, o->curve_self->secret_key,
                           FW_CURVE_KEY_LEN) != 0)
            return -1;
        if (server && (s_set_int(sock, ZMQ_CURVE_SERVER, 1) != 0 ||
                       (o->zap_domain && zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, o->zap_domain,
                                                        strlen(o->zap_domain)) != 0)))
            return -1;
        if (!server && (zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, o->curve_self->public_key,
                                       FW_CURVE_KEY_LEN) != 0 ||
                        zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, o->curve_server_key,
                                       FW_CURVE_KEY_LEN) != 0))
            return -1;
    }
    if (o->heartbeat_ms > 0 && (s_set_int(sock, ZMQ_HEARTBEAT_IVL, o->heartbeat_ms) != 0 ||
                                s_set_int(sock, ZMQ_HEARTBEAT_TIMEOUT,
                                          o->heartbeat_timeout_ms) != 0))
        return -1;
    if (o->heartbeat_ttl_ms > 0 && s_set_int(sock, ZMQ_HEARTBEAT_TTL, o->heartbeat_ttl_ms) != 0)
        return -1;
    if (o->handshake_ms > 0 && s_set_int(sock, ZMQ_HANDSHAKE_IVL, o->handshake_ms) != 0)
        return -1;
    if (o->subscribe && zmq_setsockopt(sock, ZMQ_SUBSCRIBE, o->subscribe, strlen(o->subscribe)) != 0)
        return -1;
    return 0;
}

int fw_socket_open(void *ctx, int type, const fw_socket_opts_t *opts, void **out, char *err,
                   size_t err_len)
{
    assert(ctx && opts && out);
    assert((opts->bind != NULL) != (opts->connect != NULL));
    int rc = FW_SOCKET_OK, saved = 0;
    *out = NULL;
    if (opts->watch)
        *opts->watch = NULL;

    void *sock = zmq_socket(ctx, type);
    if (!sock) {
        snprintf(err, err_len, "cannot create a socket: %s", zmq_strerror(zmq_errno()));
        return FW_SOCKET_ESETUP;
    }
    if (s_set_options(sock, opts) != 0) {
        saved = zmq_errno();
        snprintf(err, err_len, "cannot set up a socket: %s", zmq_strerror(saved));
        rc = FW_SOCKET_ESETUP;
        goto out;
    }
    /* Before the connection exists: heartbeats and the monitor apply to later ones. */
    if (opts->watch && !(*opts->watch = fw_watch_new(ctx, sock, opts->heartbeat_ms,
                                                     opts->heartbeat_timeout_ms, err,
                                                     err_len))) {
        saved = zmq_errno();
        rc = FW_SOCKET_ESETUP;
        goto out;
    }
    if (opts->bind ? zmq_bind(sock, opts->bind) != 0 : zmq_connect(sock, opts->connect) != 0) {
        saved = zmq_errno();
        snprintf(err, err_len, "cannot %s '%s': %s",
                 opts->bind ? "bind to" : opts->subscribe ? "subscribe to" : "connect to",
                 opts->bind ? opts->bind : opts->connect, zmq_strerror(saved));
        rc = FW_SOCKET_EENDPOINT;
        goto out;
    }
    *out = sock;
    return FW_SOCKET_OK;
out:
    if (opts->watch)
        fw_watch_destroy(opts->watch); /* before its socket closes */
    zmq_close(sock);
    errno = saved; /* the caller may word the failing call's reason its own way */
    return rc;
}

int fw_socket_subscriber(void *ctx, const char *publish, fw_watch_t **watch, int heartbeat_ms,
                         int timeout_ms, const fw_curve_pair_t *self, const char *server_key,
                         void **out, char *err, size_t err_len)
{
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.connect = publish;
    o.subscribe = "";
    o.watch = watch;
    o.heartbeat_ms = heartbeat_ms;
    o.heartbeat_timeout_ms = timeout_ms;
    if (self && server_key) {
        o.curve_self = self;
        o.curve_server_key = server_key;
    }
    return fw_socket_open(ctx, ZMQ_SUB, &o, out, err, err_len);
}

int fw_socket_curve_client(const char *server_key_file, const char *secret_file,
                           fw_curve_pair_t *pair, char server_key[FW_CURVE_KEY_LEN + 1],
                           int *on, char *err, size_t err_len)
{
    *on = 0;
    if (!server_key_file) {
        if (secret_file) {
            snprintf(err, err_len, "--curve-secret needs --server-key: the coordinator's "
                     "public key, to know it is the one you meant");
            return -1;
        }
        return 0;
    }
    if (fw_curve_read_public(server_key_file, server_key, err, err_len) != 0)
        return -1;
    if (secret_file) {
        if (fw_curve_read_secret(secret_file, pair, err, err_len) != 0)
            return -1;
    } else if (zmq_curve_keypair(pair->public_key, pair->secret_key) != 0) {
        snprintf(err, err_len, "cannot make a key pair: %s", zmq_strerror(zmq_errno()));
        return -1;
    }
    *on = 1;
    return 0;
}

int fw_socket_endpoint_is_local(const char *url)
{
    if (!strncmp(url, "ipc://", 6) || !strncmp(url, "inproc://", 9))
        return 1;
    if (strncmp(url, "tcp://", 6) != 0)
        return 0;
    const char *host = url + 6;
    /* A ZeroMQ tcp endpoint may name the interface to bind (or connect from) before
     * a ';': the address after it is the one that matters for who can reach it. */
    const char *semi = strchr(host, ';');
    if (semi)
        host = semi + 1;
    if (!strncmp(host, "[::1]:", 6) || !strncmp(host, "localhost:", 10))
        return 1;
    if (strncmp(host, "127.", 4) != 0)
        return 0;
    /* 127.a.b.c: digits and dots up to the port. */
    const char *p = host + 4;
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    return *p == ':';
}

int fw_socket_set_linger(void *sock, int linger_ms)
{
    return zmq_setsockopt(sock, ZMQ_LINGER, &linger_ms, sizeof linger_ms);
}

const char *fw_socket_strerror(int rc)
{
    switch (rc) {
    case FW_SOCKET_OK:
        return "ok";
    case FW_SOCKET_ESETUP:
        return "cannot set up the socket";
    case FW_SOCKET_EENDPOINT:
        return "the endpoint was refused";
    default:
        return "unknown socket error";
    }
}
