/* fw_curve and fw_zap: key files (written, read back, refused when bad or readable by
 * others), allow lists, and the ZAP handler deciding real CURVE connections over
 * ipc (inproc has no handshake): a listed key gets through with its name as the user id, an unlisted one
 * never delivers a frame, each domain keeps its own list, a second handler in the
 * same context cannot start, and the handler says when it has stopped. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_curve.h"
#include "fw_socket.h"
#include "fw_testproc.h"
#include "fw_zap.h"

static char s_dir[64];

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
}

static void s_teardown(void)
{
    fw_test_rmtree(s_dir);
}

TestSuite(fw_curve, .init = s_setup, .fini = s_teardown, .timeout = 60);

static void s_path(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", s_dir, name);
}

static void s_write(const char *name, const char *text, mode_t mode)
{
    char path[256];
    s_path(path, sizeof path, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

Test(fw_curve, a_new_pair_is_written_read_back_and_never_overwritten)
{
    char keys[256], path[300], err[512];
    fw_curve_pair_t made, read;
    s_path(keys, sizeof keys, "keys");
    cr_assert_eq(fw_curve_new(keys, "alice", &made, err, sizeof err), 0, "%s", err);
    struct stat st;
    snprintf(path, sizeof path, "%s/alice.key_secret", keys);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "the secret is its owner's alone");
    cr_assert_eq(fw_curve_read_secret(path, &read, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(read.public_key, made.public_key);
    cr_assert_str_eq(read.secret_key, made.secret_key);
    char pub[FW_CURVE_KEY_LEN + 1];
    snprintf(path, sizeof path, "%s/alice.key", keys);
    cr_assert_eq(fw_curve_read_public(path, pub, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(pub, made.public_key);
    char *text = fw_test_read_file(path, NULL);
    cr_assert_null(strstr(text, made.secret_key), "the public file holds no secret");
    free(text);

    cr_assert_eq(fw_curve_new(keys, "alice", &read, err, sizeof err), -1);
    cr_assert(strstr(err, "alice.key_secret: File exists") != NULL, "%s", err);
    cr_assert_eq(fw_curve_new(keys, "../bob", &read, err, sizeof err), -1);
    cr_assert(strstr(err, "cannot name a key") != NULL, "%s", err);
}

/* The format of pyzmq's zmq.auth.create_certificates (and CZMQ's zcert) reads too. */
Test(fw_curve, a_certificate_written_by_pyzmq_reads)
{
    char pub[FW_CURVE_KEY_LEN + 1], sec[FW_CURVE_KEY_LEN + 1], path[256], err[512], text[1024];
    cr_assert_eq(zmq_curve_keypair(pub, sec), 0);
    snprintf(text, sizeof text,
             "#   ****  Generated on 2026-01-01 10:00:00.000000 by pyzmq  ****\n"
             "#   ZeroMQ CURVE **Secret** Certificate\n#   DO NOT PROVIDE THIS FILE TO OTHER "
             "USERS nor change its permissions.\n\nmetadata\ncurve\n    public-key = \"%s\"\n"
             "    secret-key = \"%s\"\n", pub, sec);
    s_write("py.key_secret", text, 0600);
    fw_curve_pair_t p;
    s_path(path, sizeof path, "py.key_secret");
    cr_assert_eq(fw_curve_read_secret(path, &p, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(p.public_key, pub);
    cr_assert_str_eq(p.secret_key, sec);
}

Test(fw_curve, bad_key_files_are_refused_with_file_and_line)
{
    char pub[FW_CURVE_KEY_LEN + 1], sec[FW_CURVE_KEY_LEN + 1], other[FW_CURVE_KEY_LEN + 1],
        path[256], err[512], text[512];
    cr_assert_eq(zmq_curve_keypair(pub, sec), 0);
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n", pub,
             sec);
    s_write("open.key_secret", text, 0644);
    fw_curve_pair_t p;
    s_path(path, sizeof path, "open.key_secret");
    cr_assert_eq(fw_curve_read_secret(path, &p, err, sizeof err), -1);
    cr_assert(strstr(err, "may be read by others (mode 644)") != NULL, "%s", err);

    s_write("short.key", "curve\n    public-key = \"abc\"\n", 0644);
    s_path(path, sizeof path, "short.key");
    cr_assert_eq(fw_curve_read_public(path, other, err, sizeof err), -1);
    cr_assert(strstr(err, "short.key:2: public-key is not a 40-character Z85 key") != NULL, "%s",
              err);

    s_write("none.key", "hello\n", 0644);
    s_path(path, sizeof path, "none.key");
    cr_assert_eq(fw_curve_read_public(path, other, err, sizeof err), -1);
    cr_assert(strstr(err, "no public-key line") != NULL, "%s", err);

    /* Halves of two pairs: the public key would not be the one the peer sees. */
    cr_assert_eq(zmq_curve_keypair(other, text), 0);
    char mixed[512];
    snprintf(mixed, sizeof mixed, "curve\n    public-key = \"%s\"\n    secret-key = \"%s\"\n",
             other, sec);
    s_write("mixed.key_secret", mixed, 0600);
    s_path(path, sizeof path, "mixed.key_secret");
    cr_assert_eq(fw_curve_read_secret(path, &p, err, sizeof err), -1);
    cr_assert(strstr(err, "its public key is not the one of its secret key") != NULL, "%s", err);
}

Test(fw_curve, an_allow_list_names_its_keys_and_refuses_what_is_not_one)
{
    char dir[256], err[512];
    fw_curve_pair_t a, b, c;
    s_path(dir, sizeof dir, "allowed");
    cr_assert_eq(fw_curve_new(dir, "openai", &a, err, sizeof err), 0, "%s", err);
    cr_assert_eq(fw_curve_new(dir, "alice", &b, err, sizeof err), 0, "%s", err);
    cr_assert_eq(zmq_curve_keypair(c.public_key, c.secret_key), 0);
    fw_curve_allow_t *l = fw_curve_allow_new(dir, false, err, sizeof err);
    cr_assert_not_null(l, "%s", err);
    cr_assert_eq(fw_curve_allow_count(l), 2, "the secret files are not keys to admit");
    cr_assert_str_eq(fw_curve_allow_find(l, a.public_key), "openai");
    cr_assert_str_eq(fw_curve_allow_find(l, b.public_key), "alice");
    cr_assert_null(fw_curve_allow_find(l, c.public_key));
    cr_assert_null(fw_curve_allow_find(l, "short"));
    cr_assert_eq(fw_curve_allow_add(l, "coordinator", c.public_key, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(fw_curve_allow_find(l, c.public_key), "coordinator");
    cr_assert_str_eq(fw_curve_allow_find(l, a.public_key), "openai", "still in order");
    cr_assert_eq(fw_curve_allow_add(l, "mallory", a.public_key, err, sizeof err), -1);
    cr_assert(strstr(err, "listed already, as 'openai'") != NULL, "%s", err);
    fw_curve_allow_destroy(&l);
    cr_assert_null(l);

    fw_curve_allow_t *any = fw_curve_allow_new(NULL, true, err, sizeof err);
    cr_assert(fw_curve_allow_any(any));
    cr_assert_str_eq(fw_curve_allow_find(any, c.public_key), c.public_key,
                     "with any, the key is the name");
    fw_curve_allow_destroy(&any);

    char empty[256], path[300], text[512];
    s_path(empty, sizeof empty, "empty");
    cr_assert_eq(mkdir(empty, 0700), 0);
    cr_assert_null(fw_curve_allow_new(empty, false, err, sizeof err));
    cr_assert(strstr(err, "holds no public key") != NULL, "%s", err);
    /* One key under two names: which would be who? */
    snprintf(text, sizeof text, "curve\n    public-key = \"%s\"\n", a.public_key);
    snprintf(path, sizeof path, "%s/twin.key", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    cr_assert_null(fw_curve_allow_new(dir, false, err, sizeof err));
    cr_assert(strstr(err, "gives one key two names") != NULL, "%s", err);
    cr_assert_null(fw_curve_allow_new("/nonexistent/keys", false, err, sizeof err));
    cr_assert(strstr(err, "cannot open the allow list /nonexistent/keys") != NULL, "%s", err);
}

Test(fw_curve, local_endpoints_are_told_from_network_ones)
{
    cr_assert(fw_socket_endpoint_is_local("ipc:///tmp/x"));
    cr_assert(fw_socket_endpoint_is_local("inproc://x"));
    cr_assert(fw_socket_endpoint_is_local("tcp://127.0.0.1:5555"));
    cr_assert(fw_socket_endpoint_is_local("tcp://127.1.2.3:5555"));
    cr_assert(fw_socket_endpoint_is_local("tcp://localhost:5555"));
    cr_assert(fw_socket_endpoint_is_local("tcp://[::1]:5555"));
    cr_assert_not(fw_socket_endpoint_is_local("tcp://*:5555"));
    cr_assert_not(fw_socket_endpoint_is_local("tcp://0.0.0.0:5555"));
    cr_assert_not(fw_socket_endpoint_is_local("tcp://192.168.1.10:5555"));
    cr_assert_not(fw_socket_endpoint_is_local("tcp://127.0.0.1.example.org:5555"));
    cr_assert_not(fw_socket_endpoint_is_local("tcp://eth0:5555"));
}

/* ---- the handler, with real CURVE sockets ------------------------------------------ */

/* An ipc endpoint in the test's directory (inproc has no handshake, so no CURVE). */
typedef struct {
    char agents[300], viewers[300];
} s_eps_t;

static s_eps_t s_eps(void)
{
    s_eps_t e;
    snprintf(e.agents, sizeof e.agents, "ipc://%s/agents.ipc", s_dir);
    snprintf(e.viewers, sizeof e.viewers, "ipc://%s/viewers.ipc", s_dir);
    return e;
}

typedef struct {
    void *ctx;
    fw_curve_pair_t server, alice, mallory;
    fw_zap_t *zap;
    char dir[256];
} s_auth_t;

/* A context with a handler whose agents' list holds alice, and viewers' list `viewers`
 * (a directory name under the test's, or NULL for nobody). */
static void s_auth_start(s_auth_t *a, const char *viewers)
{
    char err[512];
    memset(a, 0, sizeof *a);
    a->ctx = zmq_ctx_new();
    s_path(a->dir, sizeof a->dir, "players");
    cr_assert_eq(fw_curve_new(a->dir, "alice", &a->alice, err, sizeof err), 0, "%s", err);
    cr_assert_eq(zmq_curve_keypair(a->server.public_key, a->server.secret_key), 0);
    cr_assert_eq(zmq_curve_keypair(a->mallory.public_key, a->mallory.secret_key), 0);
    fw_curve_allow_t *agents = fw_curve_allow_new(a->dir, false, err, sizeof err);
    fw_curve_allow_t *vlist = NULL;
    if (viewers) {
        char vdir[256];
        s_path(vdir, sizeof vdir, viewers);
        vlist = fw_curve_allow_new(vdir, false, err, sizeof err);
        cr_assert_not_null(vlist, "%s", err);
    }
    a->zap = fw_zap_start(a->ctx, &agents, &vlist, err, sizeof err);
    cr_assert_not_null(a->zap, "%s", err);
    cr_assert_null(agents, "the handler owns the lists");
}

static void s_auth_stop(s_auth_t *a)
{
    fw_zap_stop(&a->zap);
    zmq_ctx_term(a->ctx);
}

static void *s_open(s_auth_t *a, int type, const char *bind, const char *connect,
                    const fw_curve_pair_t *self, const char *server_key, const char *domain)
{
    fw_socket_opts_t o = FW_SOCKET_OPTS_INIT;
    char err[256];
    void *sock = NULL;
    o.bind = bind;
    o.connect = connect;
    o.curve_self = self;
    o.curve_server_key = server_key;
    o.zap_domain = domain;
    if (type == ZMQ_SUB)
        o.subscribe = "";
    cr_assert_eq(fw_socket_open(a->ctx, type, &o, &sock, err, sizeof err), FW_SOCKET_OK, "%s", err);
    return sock;
}

/* Waits until the handler has refused `n` connections in all (a refused client keeps
 * trying: its connection is closed each time). */
static void s_wait_refused(const s_auth_t *a, uint64_t n)
{
    uint64_t refused = 0;
    for (long long until = fw_clock_ms() + 20000; fw_clock_ms() < until; fw_clock_sleep_ms(5)) {
        fw_zap_counts(a->zap, NULL, &refused);
        if (refused >= n)
            return;
    }
    cr_assert_fail("the handler refused %llu connections, not %llu", (unsigned long long)refused,
                   (unsigned long long)n);
}

Test(fw_curve, a_listed_key_connects_under_its_name_and_another_delivers_nothing)
{
    s_auth_t a;
    s_eps_t ep = s_eps();
    s_auth_start(&a, NULL);
    void *router = s_open(&a, ZMQ_ROUTER, ep.agents, NULL, &a.server, NULL,
                          FW_ZAP_AGENTS);
    void *mallory = s_open(&a, ZMQ_DEALER, NULL, ep.agents, &a.mallory,
                           a.server.public_key, NULL);
    zmq_send(mallory, "let me in", 9, ZMQ_DONTWAIT);
    s_wait_refused(&a, 1);

    void *alice = s_open(&a, ZMQ_DEALER, NULL, ep.agents, &a.alice,
                         a.server.public_key, NULL);
    cr_assert_eq(zmq_send(alice, "hello", 5, 0), 5);
    zmq_msg_t id, body;
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    int timeout = 10000;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    cr_assert_geq(zmq_msg_recv(&id, router, 0), 0, "alice's message never came");
    cr_assert_eq(zmq_msg_recv(&body, router, 0), 5);
    cr_assert_eq(memcmp(zmq_msg_data(&body), "hello", 5), 0, "only alice's came: mallory's never");
    const char *user = zmq_msg_gets(&body, "User-Id");
    cr_assert_not_null(user);
    cr_assert_str_eq(user, "alice");
    zmq_msg_close(&id);
    zmq_msg_close(&body);
    timeout = 0;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_init(&id);
    cr_assert_lt(zmq_msg_recv(&id, router, 0), 0, "nothing else arrived");
    zmq_msg_close(&id);
    uint64_t accepted = 0;
    fw_zap_counts(a.zap, &accepted, NULL);
    cr_assert_eq(accepted, 1);

    /* A plaintext client never finishes a handshake with a CURVE server. */
    void *plain = s_open(&a, ZMQ_DEALER, NULL, ep.agents, NULL, NULL, NULL);
    zmq_send(plain, "plain", 5, ZMQ_DONTWAIT);
    void *again = s_open(&a, ZMQ_DEALER, NULL, ep.agents, &a.alice,
                         a.server.public_key, NULL);
    zmq_send(again, "again", 5, 0);
    timeout = 10000;
    zmq_setsockopt(router, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_init(&id);
    zmq_msg_init(&body);
    cr_assert_geq(zmq_msg_recv(&id, router, 0), 0);
    cr_assert_eq(zmq_msg_recv(&body, router, 0), 5);
    cr_assert_eq(memcmp(zmq_msg_data(&body), "again", 5), 0, "the plaintext one is not heard");
    zmq_msg_close(&id);
    zmq_msg_close(&body);

    zmq_close(plain);
    zmq_close(again);
    zmq_close(alice);
    zmq_close(mallory);
    zmq_close(router);
    s_auth_stop(&a);
}

/* Each domain has its own list: alice's player key does not make her a viewer, and a
 * viewer's key does not make it a player; a listed viewer receives what is published. */
Test(fw_curve, each_domain_admits_its_own_list)
{
    char err[512], vdir[256];
    fw_curve_pair_t projector;
    s_path(vdir, sizeof vdir, "viewers");
    cr_assert_eq(fw_curve_new(vdir, "projector", &projector, err, sizeof err), 0, "%s", err);
    s_auth_t a;
    s_eps_t ep = s_eps();
    s_auth_start(&a, "viewers");
    void *pub = s_open(&a, ZMQ_PUB, ep.viewers, NULL, &a.server, NULL,
                       FW_ZAP_VIEWERS);
    void *router = s_open(&a, ZMQ_ROUTER, ep.agents, NULL, &a.server, NULL,
                          FW_ZAP_AGENTS);
    void *alice_sub = s_open(&a, ZMQ_SUB, NULL, ep.viewers, &a.alice,
                             a.server.public_key, NULL);
    s_wait_refused(&a, 1);
    void *proj_dealer = s_open(&a, ZMQ_DEALER, NULL, ep.agents, &projector,
                               a.server.public_key, NULL);
    zmq_send(proj_dealer, "x", 1, ZMQ_DONTWAIT);
    s_wait_refused(&a, 2);

    void *proj_sub = s_open(&a, ZMQ_SUB, NULL, ep.viewers, &projector,
                            a.server.public_key, NULL);
    /* A subscription takes effect once its connection is made: publish until it lands. */
    char buf[16];
    int got = -1;
    for (long long until = fw_clock_ms() + 10000; got < 0 && fw_clock_ms() < until;) {
        zmq_send(pub, "tick", 4, 0);
        zmq_pollitem_t it = {proj_sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&it, 1, 50) == 1)
            got = zmq_recv(proj_sub, buf, sizeof buf, 0);
    }
    cr_assert_eq(got, 4, "the listed viewer never received");
    cr_assert_lt(zmq_recv(alice_sub, buf, sizeof buf, ZMQ_DONTWAIT), 0,
                 "a player's key is not a viewer's");
    zmq_close(proj_sub);
    zmq_close(proj_dealer);
    zmq_close(alice_sub);
    zmq_close(router);
    zmq_close(pub);
    s_auth_stop(&a);
}

Test(fw_curve, a_second_handler_in_a_context_cannot_start)
{
    s_auth_t a;
    s_auth_start(&a, NULL);
    char err[512];
    fw_curve_allow_t *any = fw_curve_allow_new(NULL, true, err, sizeof err);
    cr_assert_null(fw_zap_start(a.ctx, &any, NULL, err, sizeof err));
    cr_assert_null(any, "freed with the failure");
    cr_assert(strstr(err, "cannot start the authentication handler on inproc://zeromq.zap.01: "
                          "Address already in use") != NULL, "%s", err);
    cr_assert(fw_zap_running(a.zap), "the first one still answers");
    s_auth_stop(&a);
}

/* When its context ends under it, the handler stops, and says so. */
Test(fw_curve, the_handler_says_when_it_has_stopped)
{
    s_auth_t a;
    s_auth_start(&a, NULL);
    cr_assert(fw_zap_running(a.zap));
    zmq_ctx_shutdown(a.ctx);
    for (long long until = fw_clock_ms() + 10000;
         fw_zap_running(a.zap) && fw_clock_ms() < until;)
        fw_clock_sleep_ms(5);
    cr_assert_not(fw_zap_running(a.zap));
    s_auth_stop(&a);
}
