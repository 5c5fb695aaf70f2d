/* fw_watch: is the peer at the other end of a connecting socket there?
 *
 * A player's client and a live viewer must tell "the game is quiet" (a long turn, a
 * pause) from "the game server is gone" within seconds. ZeroMQ hides connections, so
 * this module turns on ZMTP heartbeats on the socket (a peer that stops answering
 * PINGs is disconnected after the timeout; a process that dies closes its end at once)
 * and reads the socket's monitor events:
 *
 *   NEVER  no ZMTP handshake has succeeded yet (nothing answers at the address)
 *   UP     a peer completed the handshake and has not gone since
 *   DOWN   the peer went away after being UP; ZeroMQ keeps reconnecting on its own
 *
 * Usage: make the socket, fw_watch_new() before zmq_connect() (heartbeat options only
 * apply to connections made after them), call fw_watch_poll() from the loop, and
 * fw_watch_destroy() before closing the socket. One watch per socket; the monitor's
 * inproc endpoint is named after the socket, so many watches share one context.
 */
#ifndef FW_WATCH_H
#define FW_WATCH_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    FW_WATCH_NEVER = 0,
    FW_WATCH_UP = 1,
    FW_WATCH_DOWN = 2,
} fw_watch_state_t;

typedef struct fw_watch fw_watch_t;

/* Sets ZMTP heartbeats on `sock` (a PING every heartbeat_ms; the connection is dropped
 * when nothing comes back within timeout_ms) and attaches a monitor on `ctx`. The
 * socket stays the caller's. Returns an owned watch, or NULL with the reason in err
 * (always NUL-terminated when err_len > 0). */
fw_watch_t *fw_watch_new(void *ctx, void *sock, int heartbeat_ms, int timeout_ms, char *err,
                         size_t err_len);

/* Stops the monitor and frees the watch; NULL-safe; sets *p to NULL. Call it before
 * closing the watched socket. */
void fw_watch_destroy(fw_watch_t **p);

/* Reads the monitor events that have arrived (never blocks) and returns the state.
 * now_ms is the caller's monotonic clock, recorded as the time of a change. */
fw_watch_state_t fw_watch_poll(fw_watch_t *w, int64_t now_ms);

/* The state as of the last poll, and the monotonic time it began (the watch's
 * creation for NEVER). */
fw_watch_state_t fw_watch_state(const fw_watch_t *w);
int64_t fw_watch_since(const fw_watch_t *w);

/* A listening socket has many peers: each connection that dropped (closed by the
 * peer, or silent past the heartbeat timeout) is queued, by its file descriptor, as
 * fw_watch_poll reads the events. Takes the oldest into *fd and returns 1, or returns
 * 0 when none is queued. Match it to a peer with the descriptor its messages came on
 * (fw_proto_recv_from's src_fd). */
int fw_watch_take_gone(fw_watch_t *w, int *fd);

/* How many times a connection went DOWN, and how many connection attempts failed
 * (refused, unreachable, handshake timed out) since the watch began. */
unsigned fw_watch_drops(const fw_watch_t *w);
unsigned fw_watch_failures(const fw_watch_t *w);

/* How many handshakes the server refused to authenticate (CURVE: its ZAP handler
 * did not admit this socket's key). Never retried into success: the key is wrong. */
unsigned fw_watch_auth_refused(const fw_watch_t *w);

/* "not reached yet", "connected", "lost". */
const char *fw_watch_state_name(fw_watch_state_t state);

#endif
