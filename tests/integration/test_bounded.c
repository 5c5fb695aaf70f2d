/* Bounded input against a real coordinator (issue: trust across hosts): every bad
 * message is refused with its own code, the coordinator logs agents' text escaped,
 * a flood from one seat is capped without slowing another, a message of 300,000
 * frames is discarded without growing the coordinator by more than a few MB, and
 * through all of it the coordinator stays up and takes agents. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "fw_proto.h"
#include "fw_testproc.h"

#define CODE(x) FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_##x

static fw_procs_t s_procs;
static char s_dir[64], s_listen[1024], s_log[1024];
static int s_coord;
static void *s_ctx;
/* Every socket a test opens, closed at teardown, so a failed assertion never leaves
 * zmq_ctx_term waiting on an open socket. */
static void *s_socks[16];
static size_t s_n_socks;

static void s_setup(void)
{
    char bin[1024], sc[1024], out[1024], pub[1024], endpoints[1024];
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(s_log, sizeof s_log, "%s/coordinator.log", s_dir);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", pub, "--out", out,
                    "--join-timeout", "60000", "--log-level", "info", NULL};
    s_coord = fw_procs_start(&s_procs, argv, s_log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "coordinator did not bind");
    s_ctx = zmq_ctx_new();
}

static void s_teardown(void)
{
    for (size_t i = 0; i < s_n_socks; i++)
        zmq_close(s_socks[i]);
    s_n_socks = 0;
    zmq_ctx_term(s_ctx);
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(bounded, .init = s_setup, .fini = s_teardown, .timeout = 120);

static void *s_dealer(void)
{
    void *d = zmq_socket(s_ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(d, s_listen), 0);
    cr_assert_lt(s_n_socks, sizeof s_socks / sizeof s_socks[0]);
    s_socks[s_n_socks++] = d;
    return d;
}

static void s_send(void *d, fw_envelope_t *env, uint64_t seq, const char *seat)
{
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->seq = seq;
    env->seat = (char *)seat;
    cr_assert_eq(fw_proto_send(d, env), FW_PROTO_OK);
}

static fw_envelope_t *s_answer(void *d)
{
    fw_envelope_t *r = NULL;
    int rc = fw_proto_recv(d, 10000, &r);
    cr_assert_eq(rc, FW_PROTO_OK, "no answer: %s", fw_proto_strerror(rc));
    return r;
}

static void s_expect(void *d, Flywheel__V1__RefusalCode code, const char *needle)
{
    fw_envelope_t *r = s_answer(d);
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL, "got %s",
                 fw_proto_body_name(r));
    cr_assert_eq(r->refusal->code, code, "code %d: %s", r->refusal->code, r->refusal->reason);
    cr_assert_not_null(strstr(r->refusal->reason, needle), "'%s' lacks '%s'",
                       r->refusal->reason, needle);
    fw_proto_free(&r);
}

/* Claims `seat` on a new connection, named `agent`; returns the connection. */
static void *s_claim(const char *seat, const char *agent)
{
    void *d = s_dealer();
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = (char *)seat;
    h.schema_hash = (char *)"";
    h.agent = (char *)agent;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    s_send(d, &env, 1, seat);
    fw_envelope_t *r = s_answer(d);
    cr_assert_eq(r->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s: %s",
                 fw_proto_body_name(r),
                 r->body_case == FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL ? r->refusal->reason : "");
    fw_proto_free(&r);
    return d;
}

/* Sends Actions carrying one compute bid (changed by `bend`) as `seat`, seq `seq`. */
static void s_bid(void *d, const char *seat, uint64_t seq, void (*bend)(Flywheel__V1__ComputeBid *))
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    Flywheel__V1__ComputeBid b = FLYWHEEL__V1__COMPUTE_BID__INIT, *bids[1] = {&b};
    b.provider = "aws";
    b.family = "gpu";
    b.quantity = 10;
    b.max_price = 2000;
    if (bend)
        bend(&b);
    a.compute_bids = bids;
    a.n_compute_bids = 1;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &a;
    env.tick = 1;
    s_send(d, &env, seq, seat);
}

static void s_negative(Flywheel__V1__ComputeBid *b) { b->quantity = -10; }
static void s_overflow(Flywheel__V1__ComputeBid *b) { b->quantity = INT64_MAX / 4; }

Test(bounded, bad_values_are_refused_each_with_its_code_and_the_run_goes_on)
{
    void *d = s_dealer();
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.role = (Flywheel__V1__Role)9;
    h.schema_hash = (char *)"";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    s_send(d, &env, 1, "");
    s_expect(d, CODE(BAD_ENUM), "role 9");

    d = s_claim("openai", "test_bounded");
    s_bid(d, "openai", 2, s_negative);
    s_expect(d, CODE(NEGATIVE), "compute_bids[0]: -10 is below 0");
    s_bid(d, "openai", 3, s_overflow);
    s_expect(d, CODE(OVERFLOW), "beyond 64-bit dollars");
    /* A message naming another seat. */
    s_bid(d, "aws", 4, NULL);
    s_expect(d, CODE(NOT_YOURS), "not 'aws'");
    cr_assert(fw_procs_alive(&s_procs, s_coord));
    (void)s_claim("anthropic", "another");
    size_t len = 0;
    char *log = fw_test_read_file(s_log, &len);
    cr_assert_not_null(log);
    cr_assert_not_null(strstr(log, "seat openai sent a message naming seat 'aws': refused"));
    free(log);
}

Test(bounded, an_agents_text_reaches_the_log_escaped)
{
    (void)s_claim("openai", "evil\x1b[2J\nFAKE LOG LINE");
    void *e = s_dealer();
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = (char *)"no\x07such\nseat";
    h.schema_hash = (char *)"";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    s_send(e, &env, 1, "");
    s_expect(e, CODE(UNKNOWN_SEAT), "no\\x07such\\x0aseat");
    size_t len = 0;
    char *log = fw_test_read_file(s_log, &len);
    cr_assert_not_null(log);
    cr_assert_not_null(strstr(log, "evil\\x1b[2J\\x0aFAKE LOG LINE"), "%s", log);
    cr_assert_null(memchr(log, 0x1b, len), "a raw escape reached the log");
    cr_assert_null(strstr(log, "\nFAKE LOG LINE"), "a forged line reached the log");
    free(log);
}

Test(bounded, an_amplifying_message_is_refused_within_its_budget)
{
    void *d = s_claim("openai", "test_bounded");
    /* 400k empty chip orders: under 1 MB on the wire, tens of MB if unpacked. */
    size_t n = 400000;
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    Flywheel__V1__ChipOrder o = FLYWHEEL__V1__CHIP_ORDER__INIT;
    Flywheel__V1__ChipOrder **list = calloc(n, sizeof *list);
    cr_assert_not_null(list);
    for (size_t i = 0; i < n; i++)
        list[i] = &o;
    a.chip_orders = list;
    a.n_chip_orders = n;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &a;
    s_send(d, &env, 2, "openai");
    free(list);
    s_expect(d, CODE(TOO_LARGE), "more memory to unpack");
    cr_assert(fw_procs_alive(&s_procs, s_coord));
}

Test(bounded, a_flood_from_one_seat_is_capped_and_another_seat_is_answered)
{
    void *d = s_claim("openai", "flooder");
    /* In the lobby Actions are refused as unexpected: one answer each, up to the
     * cap of 32 a tick; the 33rd is refused as a flood; the rest get nothing. */
    for (uint64_t seq = 2; seq < 2 + 100; seq++)
        s_bid(d, "openai", seq, NULL);
    for (int i = 0; i < 32; i++)
        s_expect(d, CODE(UNEXPECTED), "before the first tick");
    s_expect(d, CODE(FLOOD), "more than 32 messages in one tick");
    (void)s_claim("anthropic", "patient");
    fw_envelope_t *r = NULL;
    cr_assert_eq(fw_proto_recv(d, 1000, &r), FW_PROTO_ETIMEDOUT, "an answer past the cap");
}

/* The coordinator's resident memory, in KiB. */
static long s_rss_kib(void)
{
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)s_procs.pid[s_coord]);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    fclose(f);
    return kib;
}

Test(bounded, a_message_of_300000_frames_is_discarded_in_a_few_mb)
{
    (void)s_claim("openai", "warm-up");
    long before = s_rss_kib();
    void *d = s_dealer();
    const size_t frames = 300000;
    for (size_t i = 0; i + 1 < frames; i++)
        cr_assert_eq(zmq_send(d, "", 0, ZMQ_SNDMORE), 0);
    cr_assert_eq(zmq_send(d, "", 0, 0), 0);
    /* It is discarded as framing: the coordinator answers it, and then takes a seat. */
    s_expect(d, CODE(MALFORMED), "frames");
    (void)s_claim("anthropic", "after");
    long after = s_rss_kib();
    cr_log_info("coordinator RSS %ld KiB before, %ld KiB after a %zu-frame message", before,
                after, frames);
#if defined(__SANITIZE_ADDRESS__)
    /* AddressSanitizer keeps freed memory in quarantine and has its own allocator:
     * the RSS figure means nothing there; the message is still refused above. */
    (void)before;
    (void)after;
#else
    cr_assert_lt(after - before, 8 * 1024, "RSS grew from %ld to %ld KiB", before, after);
#endif
}
