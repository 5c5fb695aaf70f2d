/* Who may play, against a real coordinator with CURVE on (docs/security.md): keys made
 * by `flywheel keys new`, an allow list of a seat's key (openai) and a player's key
 * (alice). Every path: a seat's key plays its seat to the end of the game and no
 * other seat; a player's key takes a free seat and then only that one; the same key
 * connecting twice keeps the newest session; a message naming another seat is
 * refused; a key not on the list, and a plaintext client, are never heard (the agent
 * says why and exits 3); a viewer with the game's public key sees the game; a
 * coordinator whose secret key others may read, or whose handler cannot start, opens
 * nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_coord.h"
#include "fw_curve.h"
#include "fw_proto.h"
#include "fw_socket.h"
#include "fw_testproc.h"
#include "fw_testpty.h"
#include "fw_zap.h"

static fw_procs_t s_procs;
static char s_dir[64], s_listen[1024], s_publish[1024], s_out[1024], s_log[1024];
static char s_keys[1024], s_allowed[1024], s_others[1024];
static void *s_ctx;
static void *s_socks[16]; /* every socket a test opens, closed in the teardown */
static int s_n_socks;

static void *s_keep(void *sock)
{
    cr_assert_lt(s_n_socks, 16);
    s_socks[s_n_socks++] = sock;
    return sock;
}

/* Closes a socket the test is done with (a player leaving). */
static void s_close(void *sock)
{
    for (int i = 0; i < s_n_socks; i++)
        if (s_socks[i] == sock) {
            zmq_close(sock);
            s_socks[i] = NULL;
        }
}

static void s_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", s_dir, name);
}

/* `flywheel keys new DIR NAME...`, as a user types it. */
static void s_keys_new(const char *dir, const char *name1, const char *name2)
{
    char bin[1024], log[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    s_path(log, sizeof log, "keys.log");
    char *argv[] = {bin, "keys", "new", (char *)dir, (char *)name1, (char *)name2, NULL};
    int p = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 30000), 0, "flywheel keys new failed");
}

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(s_publish, sizeof s_publish, "ipc://%s/observers", s_dir);
    s_path(s_out, sizeof s_out, "out");
    s_path(s_log, sizeof s_log, "coordinator.log");
    s_path(s_keys, sizeof s_keys, "keys");
    s_path(s_allowed, sizeof s_allowed, "allowed");
    s_path(s_others, sizeof s_others, "others");
    s_keys_new(s_keys, "coordinator", NULL);
    s_keys_new(s_allowed, "openai", "alice");
    s_keys_new(s_others, "mallory", NULL);
    s_ctx = zmq_ctx_new();
}

static void s_teardown(void)
{
    for (int i = 0; i < s_n_socks; i++)
        if (s_socks[i])
            zmq_close(s_socks[i]);
    zmq_ctx_term(s_ctx);
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(auth, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* The coordinator of classroom.yaml with CURVE, keys from `allowed`; the game starts
 * when two seats have players. Returns its process index. */
static int s_coordinator(const char *secret)
{
    char bin[1024], sc[1024], endpoints[1200];
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", s_publish,
                    "--out", s_out, "--ticks", "3", "--players", "2", "--pace", "lockstep",
                    "--tick-timeout", "3000", "--curve-secret", (char *)secret, "--allow",
                    s_allowed, "--log-level", "info", NULL};
    int p = fw_procs_start(&s_procs, argv, s_log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "the coordinator did not bind");
    return p;
}

/* A DEALER to the game made with the key pair in `secret_file`. */
static void *s_dealer(const char *secret_file)
{
    char err[512], server[1200];
    fw_curve_pair_t self;
    char server_key[FW_CURVE_KEY_LEN + 1];
    snprintf(server, sizeof server, "%s/coordinator.key", s_keys);
    int on = 0;
    cr_assert_eq(fw_socket_curve_client(server, secret_file, &self, server_key, &on, err,
                                        sizeof err), 0, "%s", err);
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    o.connect = s_listen;
    o.curve_self = &self;
    o.curve_server_key = server_key;
    void *d = NULL;
    cr_assert_eq(fw_socket_open(s_ctx, ZMQ_DEALER, &o, &d, err, sizeof err), FW_SOCKET_OK, "%s",
                 err);
    return s_keep(d);
}

static void s_send(void *d, uint64_t seq, const char *seat, fw_envelope_t *env)
{
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->seq = seq;
    env->seat = (char *)seat;
    cr_assert_eq(fw_proto_send(d, env), 0);
}

/* The next Welcome or Refusal on d (status messages skipped). */
static fw_envelope_t *s_answer(void *d)
{
    for (int i = 0; i < 200; i++) {
        fw_envelope_t *r = NULL;
        int rc = fw_proto_recv(d, 15000, &r);
        cr_assert_eq(rc, FW_PROTO_OK, "no answer: %s", fw_proto_strerror(rc));
        if (r->body_case == FLYWHEEL__V1__ENVELOPE__BODY_WELCOME ||
            r->body_case == FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL)
            return r;
        fw_proto_free(&r);
    }
    cr_assert_fail("no Welcome or Refusal among 200 messages");
    return NULL;
}

static fw_envelope_t *s_hello(void *d, const char *seat)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = (char *)seat;
    h.role = seat[0] ? 0 : FLYWHEEL__V1__ROLE__ROLE_LAB;
    h.agent = "test_auth";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    s_send(d, 1, seat, &env);
    return s_answer(d);
}

static void s_expect_refusal(fw_envelope_t *r, Flywheel__V1__RefusalCode code, const char *needle)
{
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL, "got %s",
                 fw_proto_body_name(r));
    cr_assert_eq(r->refusal->code, code, "code %d: %s", r->refusal->code, r->refusal->reason);
    cr_assert_not_null(strstr(r->refusal->reason, needle), "reason '%s' lacks '%s'",
                       r->refusal->reason, needle);
}

/* An agent process; NULL secret = a new pair for this run, NULL server key = plaintext. */
static int s_agent(const char *seat, const char *secret, int curve, const char *log)
{
    char bin[1024], server[1200];
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(server, sizeof server, "%s/coordinator.key", s_keys);
    char *argv[16];
    int n = 0;
    argv[n++] = bin;
    argv[n++] = "--connect";
    argv[n++] = s_listen;
    argv[n++] = "--seat";
    argv[n++] = (char *)seat;
    argv[n++] = "--idle-timeout";
    argv[n++] = "60";
    if (curve) {
        argv[n++] = "--server-key";
        argv[n++] = server;
    }
    if (secret) {
        argv[n++] = "--curve-secret";
        argv[n++] = (char *)secret;
    }
    argv[n] = NULL;
    return fw_procs_start(&s_procs, argv, log);
}

Test(auth, listed_keys_play_their_seats_and_no_other_and_strangers_are_never_heard)
{
    char secret[1200], openai_secret[1200], alice_secret[1200], mallory_secret[1200], log[1200];
    snprintf(secret, sizeof secret, "%s/coordinator.key_secret", s_keys);
    snprintf(openai_secret, sizeof openai_secret, "%s/openai.key_secret", s_allowed);
    snprintf(alice_secret, sizeof alice_secret, "%s/alice.key_secret", s_allowed);
    snprintf(mallory_secret, sizeof mallory_secret, "%s/mallory.key_secret", s_others);
    int coord = s_coordinator(secret);

    /* Mallory's key is not on the list: her agent is told so and stops (exit 3). */
    s_path(log, sizeof log, "mallory.log");
    int mallory = s_agent("aws", mallory_secret, 1, log);
    cr_assert_eq(fw_procs_wait(&s_procs, mallory, 60000), 3, "refused agent: exit 3");
    char *text = fw_test_read_file(log, NULL);
    cr_assert(text && strstr(text, "does not admit this agent's key"), "%s", text ? text : "");
    free(text);
    cr_assert_geq(fw_test_wait_text(s_log, "refused a connection", 0, 20000), 0);
    cr_assert_geq(fw_test_wait_text(s_log, "key not on the allow list", 0, 1000), 0);

    /* The seat's key takes no other seat. */
    void *openai_probe = s_dealer(openai_secret);
    fw_envelope_t *r = s_hello(openai_probe, "aws");
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN,
                     "your key is the key of seat 'openai'");
    fw_proto_free(&r);
    s_close(openai_probe);

    /* Alice's key (a player, not a seat) takes a free lab seat, then only that one. */
    void *alice = s_dealer(alice_secret);
    r = s_hello(alice, "");
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s",
                 fw_proto_body_name(r));
    char alice_seat[64];
    snprintf(alice_seat, sizeof alice_seat, "%s", r->welcome->seat);
    cr_assert(strcmp(alice_seat, "openai") != 0, "openai's seat is its key's");
    fw_proto_free(&r);
    /* A message naming another seat is refused (identity is the connection's key). */
    fw_envelope_t act = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    act.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    act.actions = &a;
    s_send(alice, 2, "openai", &act);
    r = s_answer(alice);
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_NOT_YOURS, "not 'openai'");
    fw_proto_free(&r);
    /* The same key twice: the newest session holds the seat. */
    void *alice2 = s_dealer(alice_secret);
    r = s_hello(alice2, "");
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s",
                 fw_proto_body_name(r));
    cr_assert_str_eq(r->welcome->seat, alice_seat, "the same seat, to the newest session");
    fw_proto_free(&r);
    cr_assert_geq(fw_test_wait_text(s_log, "connected again; the newest session keeps the seat",
                                    0, 10000), 0);
    s_send(alice, 3, alice_seat, &act);
    r = s_answer(alice);
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, "say Hello first");
    fw_proto_free(&r);

    /* A plaintext agent never completes a handshake: it is never seated. */
    s_path(log, sizeof log, "plain.log");
    char bin[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    char *plain_argv[] = {bin, "--connect", s_listen, "--seat", "google", "--idle-timeout", "2",
                          NULL};
    int plain = fw_procs_start(&s_procs, plain_argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, plain, 60000), 5, "a plaintext agent hears nothing");

    /* A viewer that knows the game's public key (no key of its own: viewers are open)
     * follows the game; openai's agent plays its seat to the end. */
    char server[1200], err[512], skey[FW_CURVE_KEY_LEN + 1];
    fw_curve_pair_t vself;
    int on = 0;
    snprintf(server, sizeof server, "%s/coordinator.key", s_keys);
    cr_assert_eq(fw_socket_curve_client(server, NULL, &vself, skey, &on, err, sizeof err), 0);
    void *sub = NULL;
    cr_assert_eq(fw_socket_subscriber(s_ctx, s_publish, NULL, 0, 0, &vself, skey, &sub, err,
                                      sizeof err), FW_SOCKET_OK, "%s", err);
    s_keep(sub);
    s_path(log, sizeof log, "openai.log");
    int openai = s_agent("openai", openai_secret, 1, log);
    int seen = 0;
    for (int i = 0; i < 400 && !seen; i++) {
        fw_envelope_t *e = NULL;
        if (fw_proto_recv(sub, 15000, &e) == FW_PROTO_OK && e->snapshot && e->snapshot->tick >= 1)
            seen = 1;
        fw_proto_free(&e);
    }
    cr_assert(seen, "the viewer never saw a tick");
    s_close(alice);
    s_close(alice2);
    cr_assert_eq(fw_procs_wait(&s_procs, openai, 90000), 0, "openai's agent plays to the end");
    cr_assert_eq(fw_procs_wait(&s_procs, coord, 30000), 0);
    text = fw_test_read_file(s_log, NULL);
    cr_assert(strstr(text, "allowed: openai connected from") || strstr(text, "openai connected"),
              "the handler names who connected");
    free(text);
}

/* A secret key that others may read is refused before anything opens. */
Test(auth, a_coordinator_with_a_readable_secret_opens_nothing)
{
    char secret[1200], endpoints[1200];
    snprintf(secret, sizeof secret, "%s/coordinator.key_secret", s_keys);
    cr_assert_eq(chmod(secret, 0644), 0);
    char bin[1024], sc[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", s_publish,
                    "--out", s_out, "--curve-secret", secret, "--allow-any", NULL};
    int p = fw_procs_start(&s_procs, argv, s_log);
    cr_assert_eq(fw_procs_wait(&s_procs, p, 30000), 1);
    char *text = fw_test_read_file(s_log, NULL);
    cr_assert(text && strstr(text, "may be read by others (mode 644)"), "%s", text ? text : "");
    free(text);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_neq(access(endpoints, F_OK), 0, "no endpoint was opened");
}

/* libzmq admits every key when no handler answers: a coordinator that cannot start
 * its own (the address is taken in its context) refuses to open the game. */
Test(auth, a_coordinator_without_its_handler_refuses_to_start)
{
    char secret[1200], sc_path[1024], err[512], endpoints[1200];
    snprintf(secret, sizeof secret, "%s/coordinator.key_secret", s_keys);
    fw_test_source_path(sc_path, sizeof sc_path, "scenarios/classroom.yaml");
    fw_scenario_t *sc = fw_scenario_load(sc_path, err, sizeof err);
    cr_assert_not_null(sc, "%s", err);
    void *ctx = zmq_ctx_new();
    void *squatter = zmq_socket(ctx, ZMQ_REP);
    cr_assert_eq(zmq_bind(squatter, FW_ZAP_ENDPOINT), 0);
    volatile sig_atomic_t stop = 0;
    fw_coord_config_t cfg = {.scenario = sc, .listen = s_listen, .publish = s_publish,
                             .out_dir = s_out, .seed = 1, .tick_timeout_ms = 1000,
                             .join_timeout_ms = 1000, .zmq_ctx = ctx, .stop = &stop,
                             .curve_secret = secret, .allow_any = 1};
    cr_assert_eq(fw_coord_run(&cfg), FW_COORD_EFAIL);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_neq(access(endpoints, F_OK), 0, "no endpoint was opened");
    zmq_close(squatter);
    zmq_ctx_term(ctx);
    fw_scenario_destroy(&sc);
}
