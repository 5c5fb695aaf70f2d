/* The handshake against a real coordinator: refusals with reasons for a wrong
 * version, a wrong schema, an unknown or taken seat, garbage and oversized frames;
 * the coordinator stays up through all of it, and the agent binary exits 3 with
 * the reason when refused. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "fw_proto.h"
#include "fw_testproc.h"

static fw_procs_t s_procs;
static char s_dir[64], s_listen[1024];
static int s_coord;
static void *s_ctx;

static void s_setup(void)
{
    char bin[1024], sc[1024], out[1024], pub[1024], log[1024], endpoints[1024];
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(log, sizeof log, "%s/coordinator.log", s_dir);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", pub, "--out", out,
                    "--join-timeout", "30000", "--log-level", "info", NULL};
    s_coord = fw_procs_start(&s_procs, argv, log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator did not bind");
    s_ctx = zmq_ctx_new();
}

static void s_teardown(void)
{
    zmq_ctx_term(s_ctx);
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

static void *s_dealer(void)
{
    void *d = zmq_socket(s_ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(d, s_listen), 0);
    return d;
}

/* Sends a Hello and returns the answer (caller frees). */
static fw_envelope_t *s_hello(void *d, uint32_t version, const char *seat, int role, const char *hash)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *reply = NULL;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = (char *)seat;
    h.role = role;
    h.schema_hash = (char *)hash;
    h.agent = "test_handshake";
    env.protocol_version = version;
    env.seq = 1;
    env.seat = (char *)seat;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    cr_assert_eq(fw_proto_send(d, &env), 0);
    int rc = fw_proto_recv(d, 5000, &reply);
    cr_assert(rc == FW_PROTO_OK, "no answer to Hello: %s", fw_proto_strerror(rc));
    return reply;
}

static void s_expect_refusal(fw_envelope_t *r, Flywheel__V1__RefusalCode code, const char *needle)
{
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL, "got %s", fw_proto_body_name(r));
    cr_assert_eq(r->refusal->code, code, "code %d: %s", r->refusal->code, r->refusal->reason);
    cr_assert_not_null(strstr(r->refusal->reason, needle), "reason '%s' lacks '%s'", r->refusal->reason, needle);
}

TestSuite(handshake, .init = s_setup, .fini = s_teardown, .timeout = 60);

Test(handshake, wrong_version_is_refused)
{
    void *d = s_dealer();
    fw_envelope_t *r = s_hello(d, 99, "aws", 0, "");
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_VERSION, "version 99");
    fw_proto_free(&r);
    zmq_close(d);
}

Test(handshake, wrong_schema_is_refused)
{
    void *d = s_dealer();
    fw_envelope_t *r = s_hello(d, FW_PROTOCOL_VERSION, "aws", 0, "deadbeef");
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SCHEMA, "schema mismatch");
    fw_proto_free(&r);
    zmq_close(d);
}

Test(handshake, unknown_and_taken_seats_are_refused)
{
    void *a = s_dealer(), *b = s_dealer();
    fw_envelope_t *r = s_hello(a, FW_PROTOCOL_VERSION, "nosuch", 0, "");
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT, "no seat 'nosuch'");
    fw_proto_free(&r);

    r = s_hello(a, FW_PROTOCOL_VERSION, "aws", 0, fw_proto_schema_hash());
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME);
    cr_assert_str_eq(r->welcome->seat, "aws");
    cr_assert_neq(r->run_id[0], '\0', "the Welcome carries the run id");
    fw_proto_free(&r);

    r = s_hello(b, FW_PROTOCOL_VERSION, "aws", 0, "");
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN, "taken");
    fw_proto_free(&r);

    /* By role: any free lab seat. */
    r = s_hello(b, FW_PROTOCOL_VERSION, "", FLYWHEEL__V1__ROLE__ROLE_LAB, "");
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME);
    cr_assert_eq(r->welcome->role, FLYWHEEL__V1__ROLE__ROLE_LAB);
    fw_proto_free(&r);
    zmq_close(a);
    zmq_close(b);
}

Test(handshake, garbage_and_oversized_frames_are_refused_and_the_coordinator_lives)
{
    void *d = s_dealer();
    fw_envelope_t *r = NULL;
    static const char junk[] = "\xff\xff\xff\x0f definitely not protobuf";
    cr_assert_eq(zmq_send(d, junk, sizeof junk, 0), (int)sizeof junk);
    cr_assert_eq(fw_proto_recv(d, 5000, &r), 0);
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_MALFORMED, "refused");
    fw_proto_free(&r);

    /* A frame over the cap: libzmq (ZMQ_MAXMSGSIZE) drops the connection before the
     * coordinator sees a byte of it, so no answer comes; the DEALER reconnects. */
    size_t big = FW_PROTO_MAX_FRAME + 1;
    char *huge = calloc(1, big);
    cr_assert_eq(zmq_send(d, huge, big, 0), (int)big);
    free(huge);
    cr_assert_eq(fw_proto_recv(d, 2000, &r), FW_PROTO_ETIMEDOUT, "an answer to an oversized frame");

    /* Actions before Hello */
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions act = FLYWHEEL__V1__ACTIONS__INIT;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.seq = 1;
    env.seat = "aws";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &act;
    cr_assert_eq(fw_proto_send(d, &env), 0);
    cr_assert_eq(fw_proto_recv(d, 5000, &r), 0);
    s_expect_refusal(r, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNEXPECTED, "Hello first");
    fw_proto_free(&r);

    cr_assert(fw_procs_alive(&s_procs, s_coord), "the coordinator survived");
    r = s_hello(d, FW_PROTOCOL_VERSION, "google", 0, "");
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "and still takes agents");
    fw_proto_free(&r);
    zmq_close(d);
}

Test(handshake, refused_agent_binary_exits_3_with_the_reason)
{
    char bin[1024], log[1024];
    void *d = s_dealer();
    fw_envelope_t *r = s_hello(d, FW_PROTOCOL_VERSION, "openai", 0, "");
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME);
    fw_proto_free(&r);

    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(log, sizeof log, "%s/agent.log", s_dir);
    char *argv[] = {bin, "--connect", s_listen, "--seat", "openai", NULL};
    int a = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, a, 10000), 3, "a refused agent exits 3");
    char *text = fw_test_read_file(log, NULL);
    cr_assert_not_null(text);
    cr_assert_not_null(strstr(text, "taken"), "the agent says why: %s", text);
    free(text);
    zmq_close(d);
}
