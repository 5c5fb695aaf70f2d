/* When a player hears how its tick went. A seat's TickResult waits for the seat's next
 * TickStart and goes out just before it (one wake-up of the agent for the two); when
 * no tick follows at once it goes out straight away. Checked here from the wire, as a
 * player written in any language sees it, at each moment a result can go out: in the
 * middle of a run (before the next TickStart), at a pause (while the game stands
 * still), and at the end (before the Bye). The other seats are the house bots. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_testpty.h"
#include "fw_version.h"

FW_TEST_PROCS_SUITE(results, 120);

/* The run's length: every test plays it through. */
#define S_TICKS 4

typedef struct {
    void *ctx, *sock;
    int coord;            /* s_procs index of the coordinator */
    char log[400];        /* its log */
    uint64_t seq;         /* our last seq */
    char seat[64];        /* the seat the Welcome gave us */
    char run_id[64];
} s_player_t;

/* A coordinator for classroom.yaml with one player seat (a lab; the house bots play
 * the rest) on a short tick timeout, and our DEALER welcomed into it. */
static void s_start(s_player_t *p)
{
    char bin[1024], sc[1024], out[400], listen[400], pub[400], endpoints[450], ticks[16];
    memset(p, 0, sizeof *p);
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(pub, sizeof pub, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/out", s_dir);
    snprintf(p->log, sizeof p->log, "%s/coordinator.log", s_dir);
    snprintf(ticks, sizeof ticks, "%d", S_TICKS);
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    /* A silent player is waited for 2 s a tick: long enough for a signal to land
     * first on a busy machine, short enough to keep the test quick. */
    char *argv[] = {bin, "--scenario", sc, "--listen", listen, "--publish", pub, "--out", out,
                    "--ticks", ticks, "--players", "1", "--tick-timeout", "2000",
                    "--join-timeout", "30000", "--log-level", "info", NULL};
    p->coord = fw_procs_start(&s_procs, argv, p->log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 30000), 0, "the coordinator did not bind");

    p->ctx = zmq_ctx_new();
    p->sock = zmq_socket(p->ctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(p->sock, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert_eq(zmq_connect(p->sock, listen), 0);

    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *in = NULL;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.role = FLYWHEEL__V1__ROLE__ROLE_LAB;
    h.schema_hash = FW_SCHEMA_HASH;
    h.agent = "test_results";
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.seq = ++p->seq;
    env.seat = "";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    cr_assert_eq(fw_proto_send(p->sock, &env), FW_PROTO_OK);
    int rc = fw_proto_recv(p->sock, 30000, &in);
    cr_assert_eq(rc, FW_PROTO_OK, "no answer to Hello: %s", fw_proto_strerror(rc));
    cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s",
                 fw_proto_body_name(in));
    snprintf(p->seat, sizeof p->seat, "%s", in->welcome->seat);
    snprintf(p->run_id, sizeof p->run_id, "%s", in->run_id);
    fw_proto_free(&in);
}

static void s_stop(s_player_t *p)
{
    zmq_close(p->sock);
    zmq_ctx_term(p->ctx);
}

/* The next message for us that is not the game's status (a served game sends it
 * every second); fails the test after 30 s. The caller frees it. */
static fw_envelope_t *s_next(s_player_t *p, const char *when)
{
    int64_t until = fw_clock_ms() + 30000;
    for (;;) {
        fw_envelope_t *in = NULL;
        int64_t left = until - fw_clock_ms();
        int rc = fw_proto_recv(p->sock, left > 0 ? (int)left : 0, &in);
        cr_assert_eq(rc, FW_PROTO_OK, "%s: nothing but the status from the coordinator in "
                     "30 s (%s)", when, fw_proto_strerror(rc));
        if (in->body_case != FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT &&
            in->body_case != FLYWHEEL__V1__ENVELOPE__BODY_STATUS)
            return in;
        fw_proto_free(&in);
    }
}

/* Answers TickStart `tick` with an empty Actions. */
static void s_act(s_player_t *p, uint32_t tick)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    env.protocol_version = FW_PROTOCOL_VERSION;
    env.run_id = p->run_id;
    env.tick = tick;
    env.seq = ++p->seq;
    env.seat = p->seat;
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &a;
    cr_assert_eq(fw_proto_send(p->sock, &env), FW_PROTO_OK);
}

/* Expects a message of `kind` for `tick` next, and frees it. */
static void s_expect(s_player_t *p, Flywheel__V1__Envelope__BodyCase kind, uint32_t tick,
                     const char *when)
{
    fw_envelope_t *in = s_next(p, when);
    cr_assert_eq(in->body_case, kind, "%s: got a %s (tick %u)", when, fw_proto_body_name(in),
                 in->tick);
    if (kind == FLYWHEEL__V1__ENVELOPE__BODY_TICK_START)
        cr_assert_eq(in->tick_start->tick, tick, "%s: TickStart %u", when, in->tick_start->tick);
    if (kind == FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT) {
        cr_assert_eq(in->tick_result->tick, tick, "%s: TickResult %u", when,
                     in->tick_result->tick);
        cr_assert_eq(in->tick, tick, "%s: the envelope names the result's tick", when);
    }
    fw_proto_free(&in);
}

/* Plays ticks `from` to the last: each TickStart answered, its TickResult before the
 * next; then the Bye, and the coordinator's exit. */
static void s_play_to_the_end(s_player_t *p, uint32_t from)
{
    for (uint32_t t = from; t <= S_TICKS; t++) {
        s_expect(p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START, t, "a tick opens");
        s_act(p, t);
        s_expect(p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT, t, "the tick was cleared");
    }
    s_expect(p, FLYWHEEL__V1__ENVELOPE__BODY_BYE, 0, "the run is over");
    cr_assert_eq(fw_procs_wait(&s_procs, p->coord, 60000), 0, "the coordinator exits 0");
    s_stop(p);
}

Test(results, each_comes_before_the_next_tick_start_and_the_last_before_the_bye)
{
    s_player_t p;
    s_start(&p);
    s_play_to_the_end(&p, 1);
}

Test(results, a_game_paused_after_a_tick_delivers_its_result_while_it_stands_still)
{
    s_player_t p;
    s_start(&p);
    s_expect(&p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START, 1, "the first tick opens");
    s_act(&p, 1);
    s_expect(&p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT, 1, "tick 1 was cleared");
    s_expect(&p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_START, 2, "tick 2 opens");
    /* The operator pauses while tick 2 is played (we stay silent: the tick ends on its
     * timeout, 2 s on). The game stops after tick 2, and its result reaches us while
     * it stands still: it does not wait for a TickStart that only the resume sends. */
    cr_assert_eq(kill(s_procs.pid[p.coord], SIGUSR1), 0);
    s_expect(&p, FLYWHEEL__V1__ENVELOPE__BODY_TICK_RESULT, 2, "paused after tick 2");
    cr_assert_geq(fw_test_wait_text(p.log, "paused after tick 2", 0, 30000), 0,
                  "the coordinator says it paused after tick 2");
    cr_assert_eq(kill(s_procs.pid[p.coord], SIGUSR2), 0);
    s_play_to_the_end(&p, 3);
}
