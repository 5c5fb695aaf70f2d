/* fw_socket: opening a ZeroMQ socket, the one way every Flywheel program does it.
 *
 * Every socket option a program sets lives here: a caller says what it needs (how
 * long close waits, queue size, send timeout, reconnection interval, mandatory
 * routing, subscription, heartbeats with a watch) and where to bind or connect; this
 * module makes the socket, sets the options in a fixed order, attaches the watch
 * before the connection exists (heartbeats and the monitor apply to connections made
 * after them) and binds or connects last. A half-made socket is never handed back.
 *
 * The options a caller does not name keep ZeroMQ's defaults, except linger: a socket
 * that is closed drops what it has not sent unless the caller asks for time
 * (ZeroMQ's default of waiting forever would hang zmq_ctx_term on a peer gone); and
 * ZMQ_MAXMSGSIZE, which is FW_PROTO_MAX_FRAME on every socket: a peer that sends a
 * larger frame is disconnected by libzmq before the frame is kept.
 */
#ifndef FW_SOCKET_H
#define FW_SOCKET_H

#include <limits.h>
#include <stddef.h>

#include "fw_curve.h"
#include "fw_watch.h"

/* An option left at ZeroMQ's default (not -1, which means something to some options:
 * no reconnection, no send timeout). */
#define FW_SOCKET_DEFAULT INT_MIN

/* What fw_socket_open sets up. Start from FW_SOCKET_OPTS_INIT and name what differs. */
typedef struct {
    const char *bind;      /* endpoint to bind, or NULL */
    const char *connect;   /* endpoint to connect to, or NULL (exactly one is set) */
    int linger_ms;         /* ZMQ_LINGER: how long close waits for unsent messages */
    int send_hwm;          /* ZMQ_SNDHWM: messages queued per peer; FW_SOCKET_DEFAULT */
    int send_timeout_ms;   /* ZMQ_SNDTIMEO: how long a send blocks; FW_SOCKET_DEFAULT */
    int reconnect_ms;      /* ZMQ_RECONNECT_IVL; FW_SOCKET_DEFAULT */
    int router_mandatory;  /* ZMQ_ROUTER_MANDATORY (ROUTER only): a send to a peer that
                              is gone fails at once instead of vanishing */
    const char *subscribe; /* SUB only: the prefix subscribed to ("" for everything) */
    fw_watch_t **watch;    /* if not NULL: a new watch of the socket (owned by the
                              caller, destroyed before the socket is closed), with: */
    int heartbeat_ms;      /* ZMTP heartbeat interval (with or without a watch; 0: none) */
    int heartbeat_timeout_ms; /* a peer silent this long is gone */
    int heartbeat_ttl_ms;  /* ZMQ_HEARTBEAT_TTL: how long peers wait for our PINGs (0:
                              libzmq's default) */
    int handshake_ms;      /* ZMQ_HANDSHAKE_IVL: a connection that has not finished its
                              ZMTP handshake in this long is closed (0: the default, 30 s) */
    /* CURVE (docs/security.md); all NULL: plaintext. A server gives its own pair and
     * its ZAP domain (fw_zap decides who may connect); a client gives its own pair
     * and the server's public key. */
    const fw_curve_pair_t *curve_self; /* this end's key pair */
    const char *curve_server_key;      /* client: the server's public key (Z85) */
    const char *zap_domain;            /* server: ZMQ_ZAP_DOMAIN */
} fw_socket_opts_t;

#define FW_SOCKET_OPTS_INIT                                                                  \
    {                                                                                        \
        .bind = NULL, .connect = NULL, .linger_ms = 0, .send_hwm = FW_SOCKET_DEFAULT,        \
        .send_timeout_ms = FW_SOCKET_DEFAULT, .reconnect_ms = FW_SOCKET_DEFAULT,             \
        .router_mandatory = 0, .subscribe = NULL, .watch = NULL, .heartbeat_ms = 0,          \
        .heartbeat_timeout_ms = 0, .heartbeat_ttl_ms = 0, .handshake_ms = 0,                 \
        .curve_self = NULL, .curve_server_key = NULL, .zap_domain = NULL                     \
    }

/* Results of fw_socket_open, for callers that tell the cases apart. */
enum {
    FW_SOCKET_OK = 0,
    FW_SOCKET_ESETUP = -1,    /* no socket, an option refused, or the watch failed */
    FW_SOCKET_EENDPOINT = -2, /* the endpoint was refused (malformed, unknown transport,
                                 address in use) */
};

/* Opens a socket of ZeroMQ `type` (ZMQ_ROUTER, ZMQ_DEALER, ...) in ctx as opts says and
 * binds or connects it. Returns FW_SOCKET_OK with the socket in *out (owned by the
 * caller: zmq_close it, after destroying its watch); or an FW_SOCKET_E* code with *out
 * NULL, nothing left open, the reason in err ("cannot connect to 'URL': Invalid
 * argument") and errno as the failing ZeroMQ call left it. */
int fw_socket_open(void *ctx, int type, const fw_socket_opts_t *opts, void **out, char *err,
                   size_t err_len);

/* An observer's socket: a SUB connected to `publish`, subscribed to everything, that
 * closes at once (an observer has nothing to send). watch, heartbeat_ms and
 * timeout_ms as in fw_socket_opts_t (watch NULL: none); self and server_key as
 * curve_self and curve_server_key (NULL: plaintext). Returns as fw_socket_open. */
int fw_socket_subscriber(void *ctx, const char *publish, fw_watch_t **watch, int heartbeat_ms,
                         int timeout_ms, const fw_curve_pair_t *self, const char *server_key,
                         void **out, char *err, size_t err_len);

/* A client's CURVE setting, from the options a program was given: the server's public
 * key file (NULL: plaintext) and this end's secret key file (NULL: a new pair for this
 * run, enough for a server that admits any key). Fills *pair and server_key; returns
 * 0 (and *on: whether CURVE is on), or -1 with the reason in err. */
int fw_socket_curve_client(const char *server_key_file, const char *secret_file,
                           fw_curve_pair_t *pair, char server_key[FW_CURVE_KEY_LEN + 1],
                           int *on, char *err, size_t err_len);

/* Whether an endpoint is reachable from this machine only: ipc://, inproc://, and
 * tcp:// on a loopback address (127.0.0.0/8, localhost, [::1]). a tcp address of every interface (the star), 0.0.0.0, a
 * network interface or host name are not: anyone on the network may connect. */
int fw_socket_endpoint_is_local(const char *url);

/* Changes how long closing `sock` waits for unsent messages (a leaving player's Bye).
 * Returns 0, or -1 with errno set. */
int fw_socket_set_linger(void *sock, int linger_ms);

/* What a FW_SOCKET_* code means. */
const char *fw_socket_strerror(int rc);

#endif
