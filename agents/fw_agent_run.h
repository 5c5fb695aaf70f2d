/* fw_agent_run: the socket shell around the seat core (fw_agent.h): one DEALER socket
 * per seat, all served by one zmq_poll loop on the caller's thread. Each seat says
 * Hello, waits for Welcome or Refusal, then feeds every message to its core and sends
 * what it answers, until Bye, a fatal Refusal, silence past the idle timeout, or the
 * caller's stop flag; a seat that ends leaves the others playing. fw_agent_run() is
 * the same loop for one seat. The caller owns the ZeroMQ context, so threads can
 * share one.
 *
 * One socket per seat, not one for many: the coordinator knows a seat by its
 * connection (a ROUTER routing id), so the seats of a process are exactly the seats of
 * as many processes, and grouping them changes nothing the coordinator sees
 * (docs/architecture.md, "Many seats per process").
 */
#ifndef FW_AGENT_RUN_H
#define FW_AGENT_RUN_H

#include <signal.h>
#include <stddef.h>

#include "fw_agent.h"
#include "fw_curve.h"
#include "fw_watch.h"

typedef struct {
    void *zmq_ctx;         /* borrowed; the caller creates and terminates it */
    const char *url;       /* coordinator endpoint: tcp://, ipc:// or inproc:// */
    const char *seat;      /* seat to claim, or NULL/"" for any free seat of `role` */
    Flywheel__V1__Role role;  /* with no seat: the role to play; else a check, or 0 */
    const char *strategy;  /* NULL/"" = the seat's role default */
    int idle_timeout_ms;   /* give up after this long without a message; > 0 */
    /* Raised (non-zero) by a signal handler to stop the run; may be NULL. */
    volatile sig_atomic_t *stop;
    /* Called once when the Welcome arrives (e.g. to put the seat in the log prefix);
     * may be NULL. */
    void (*on_welcome)(void *arg, const char *seat, Flywheel__V1__Role role);
    void *on_welcome_arg;
    /* Network play: the resume token of a seat this agent held before (NULL or "" =
     * none), and a name for the lobby display (NULL or "" = the program's name). */
    const char *resume_token;
    const char *name;
    /* CURVE (docs/security.md): this agent's key pair and the coordinator's public key
     * (Z85); both NULL = plaintext. */
    const fw_curve_pair_t *curve_self;
    const char *curve_server_key;
    /* The same as the player typed them (" --server-key FILE ...", or NULL), for the
     * command a person types to take the seat back. */
    const char *key_options;
} fw_agent_config_t;

/* One seat a process asks for: by name, or any free seat of a role. */
typedef struct {
    const char *seat;         /* seat to claim, or NULL/"" for any free seat of `role` */
    Flywheel__V1__Role role;  /* with no seat: the role to play; else a check, or 0 */
    const char *resume_token; /* the token of a seat held before, or NULL/"" */
} fw_agent_claim_t;

/* Plays n seats (n >= 1), one DEALER socket each, in one loop on the caller's thread
 * until every seat has ended. cfg gives what the seats share (context, URL, strategy,
 * idle timeout, stop flag, CURVE keys, name, on_welcome, called once per seat); its
 * seat, role and resume_token are ignored in favour of each claim's. Every claim is
 * checked before anything connects: a bad one returns FW_AGENT_EUSAGE at once. Each
 * seat ends on its own (Bye, refusal, silence, a socket error) and the others play on;
 * on the stop flag every seat still playing says Bye and ends STOPPED. Returns the
 * worst seat's outcome, in this order from best to worst: BYE, STOPPED, LOST,
 * REFUSED, EIO, EUSAGE; with `outcomes` non-NULL, outcomes[i] is claim i's. `reason`
 * (if reason_len > 0, always NUL-terminated) says why the worst seat ended, prefixed
 * with its seat ("seat aws: ...") when n > 1. */
int fw_agent_run_seats(const fw_agent_config_t *cfg, const fw_agent_claim_t *claims, size_t n,
                       int *outcomes, char *reason, size_t reason_len);

/* Plays one seat on a DEALER socket connected to cfg->url until the run ends. The
 * socket is closed (linger 0) before returning; the context is left to the caller.
 * On STOPPED the seat says Bye to the coordinator before leaving. Returns the
 * outcome: FW_AGENT_BYE, FW_AGENT_REFUSED, FW_AGENT_LOST, FW_AGENT_STOPPED,
 * FW_AGENT_EUSAGE or FW_AGENT_EIO; `reason` (if reason_len > 0, always
 * NUL-terminated) says why in one line for the last four. fw_agent_run_seats with one
 * claim made of cfg->seat, cfg->role and cfg->resume_token. */
int fw_agent_run(const fw_agent_config_t *cfg, char *reason, size_t reason_len);

/* A DEALER socket on cfg->zmq_ctx connected to cfg->url, with linger 0 and a send
 * timeout of send_timeout_ms, so that a send to a vanished coordinator fails instead
 * of blocking for ever; ZeroMQ tries a lost connection again every second. With
 * `watch` non-NULL, *watch is set to a fw_watch of the socket (ZMTP heartbeats: a
 * coordinator that died or stopped answering is seen within seconds); the caller
 * destroys it before closing the socket. Returns the socket (the caller closes it),
 * or NULL with the reason in msg and *outcome set to FW_AGENT_EIO or FW_AGENT_EUSAGE
 * (a bad URL). */
void *fw_agent_connect(const fw_agent_config_t *cfg, int send_timeout_ms, fw_watch_t **watch,
                       int *outcome, char *msg, size_t len);

/* Fills *env and *hello with cfg's Hello: its seat (or role), resume token and
 * player name (strings borrowed from cfg). */
void fw_agent_hello_for(const fw_agent_config_t *cfg, fw_envelope_t *env,
                        Flywheel__V1__Hello *hello);

#endif
