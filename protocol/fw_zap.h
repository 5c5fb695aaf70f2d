/* fw_zap: the ZAP handler that decides who may connect to a CURVE socket.
 *
 * libzmq asks a ZAP handler (ZeroMQ RFC 27) about every connection to a CURVE server
 * socket, on inproc://zeromq.zap.01 of the socket's context, before the connection
 * carries one frame. With no handler bound it accepts every client key, so a
 * coordinator that turns CURVE on starts this handler before it opens a socket, and
 * stops the game if the handler stops (fw_zap_running).
 *
 * The handler runs on its own thread, which owns its socket and the allow lists it
 * was given. Each server socket names its ZAP domain (ZMQ_ZAP_DOMAIN): "agents" for
 * the ROUTER players connect to, "viewers" for the PUB viewers subscribe to; each
 * domain has its own allow list. A key on the domain's list is accepted and its name
 * becomes the connection's user id (what zmq_msg_gets(msg, "User-Id") reads); every
 * other request (an unknown key, another domain, another mechanism than CURVE) is
 * refused with 400, and libzmq closes that connection before the application sees it.
 */
#ifndef FW_ZAP_H
#define FW_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fw_curve.h"

#define FW_ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define FW_ZAP_AGENTS "agents"   /* the domain of the players' ROUTER */
#define FW_ZAP_VIEWERS "viewers" /* the domain of the observers' PUB */

typedef struct fw_zap fw_zap_t;

/* Binds the handler in ctx and starts its thread; returns once it answers requests.
 * Takes ownership of both lists (*agents, *viewers; either may be NULL: that domain
 * then admits nobody). Returns NULL with the reason in err (another handler is bound
 * in this context, no thread, no memory); the lists are then freed as well. */
fw_zap_t *fw_zap_start(void *ctx, fw_curve_allow_t **agents, fw_curve_allow_t **viewers,
                       char *err, size_t err_len);

/* Whether the handler still answers: false once its thread has stopped for any
 * reason (its socket failed, the context is ending). */
bool fw_zap_running(const fw_zap_t *z);

/* Connections accepted and refused so far. */
void fw_zap_counts(const fw_zap_t *z, uint64_t *accepted, uint64_t *refused);

/* Stops the thread and frees everything; NULL-safe; sets *p to NULL. Call it before
 * zmq_ctx_term of the handler's context. */
void fw_zap_stop(fw_zap_t **p);

#endif
