/* Network play against a real coordinator: the lobby and its house bots, deadline
 * pacing and late actions, takeover and hand-back with resume tokens, late joiners,
 * and observers joining at different ticks.
 *
 * Most tests hold one seat themselves with a DEALER socket (the "driver"), so they
 * decide when each tick ends: the coordinator waits for the driver, and the test
 * does its checks between ticks. The outcome is read back from events.log, where
 * every tick's Snapshot records who held each seat. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_proto.h"
#include "fw_testproc.h"

static fw_procs_t s_procs;
static char s_dir[64], s_listen[1024], s_publish[1024], s_out[1024], s_coord_log[1024];
static void *s_ctx;
static int s_coord;

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(s_publish, sizeof s_publish, "ipc://%s/observers", s_dir);
    snprintf(s_out, sizeof s_out, "%s/out", s_dir);
    snprintf(s_coord_log, sizeof s_coord_log, "%s/coordinator.log", s_dir);
    s_ctx = zmq_ctx_new();
}

/* Sockets the test opened: closed at teardown, so a failed assertion never leaves
 * zmq_ctx_term waiting for them. */
static void *s_socks[16];
static size_t s_n_socks;

static void *s_socket(int type)
{
    void *sock = zmq_socket(s_ctx, type);
    int linger = 0;
    cr_assert_not_null(sock);
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (s_n_socks < 16)
        s_socks[s_n_socks++] = sock;
    return sock;
}

static void s_teardown(void)
{
    for (size_t i = 0; i < s_n_socks; i++)
        zmq_close(s_socks[i]);
    s_n_socks = 0;
    if (getenv("FW_TEST_KEEP")) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "cp -r %s /tmp/kept-$(basename %s)", s_dir, s_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not keep %s\n", s_dir);
    }
    zmq_ctx_term(s_ctx);
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

TestSuite(network, .init = s_setup, .fini = s_teardown, .timeout = 90);

/* Starts the coordinator on classroom.yaml with the extra options given (NULL-ended)
 * and waits until it has bound its sockets. */
static void s_start_coordinator(const char *first, ...)
{
    char bin[1024], sc[1024], endpoints[1100];
    char *argv[40];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    argv[n++] = bin;
    argv[n++] = "--scenario"; argv[n++] = sc;
    argv[n++] = "--listen"; argv[n++] = s_listen;
    argv[n++] = "--publish"; argv[n++] = s_publish;
    argv[n++] = "--out"; argv[n++] = s_out;
    argv[n++] = "--log-level"; argv[n++] = "info";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 38; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    s_coord = fw_procs_start(&s_procs, argv, s_coord_log);
    cr_assert_geq(s_coord, 0);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "coordinator did not bind");
}

/* Starts flywheel-agent for `seat` with extra options (NULL-ended); its log goes to
 * DIR/<log>. Returns its index in s_procs. */
static int s_start_agent(const char *seat, const char *log, const char *first, ...)
{
    char bin[1024], path[1100];
    char *argv[24];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(path, sizeof path, "%s/%s", s_dir, log);
    argv[n++] = bin;
    argv[n++] = "--connect"; argv[n++] = s_listen;
    argv[n++] = "--seat"; argv[n++] = (char *)seat;
    argv[n++] = "--log-level"; argv[n++] = "info";
    argv[n++] = "--idle-timeout"; argv[n++] = "20";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 22; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    int i = fw_procs_start(&s_procs, argv, path);
    cr_assert_geq(i, 0);
    return i;
}

/* ---- the driver: a seat held by the test itself ------------------------------------ */

typedef struct {
    void *sock;
    const char *seat;
    char run_id[64];
    char token[64];
    uint64_t seq;
    uint32_t tick;        /* last TickStart received */
    int64_t deadline;     /* its deadline_unix_ms */
} s_driver_t;

static void s_send(s_driver_t *d, uint32_t tick, fw_envelope_t *env)
{
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->run_id = d->run_id;
    env->tick = tick;
    env->seq = ++d->seq;
    env->seat = (char *)d->seat;
    cr_assert_eq(fw_proto_send(d->sock, env), 0);
}

static void s_driver_join(s_driver_t *d, const char *seat)
{
    memset(d, 0, sizeof *d);
    d->seat = seat;
    d->sock = s_socket(ZMQ_DEALER);
    cr_assert_eq(zmq_connect(d->sock, s_listen), 0);
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT, *in = NULL;
    Flywheel__V1__Hello h = FLYWHEEL__V1__HELLO__INIT;
    h.seat = (char *)seat;
    h.agent = "test driver";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_HELLO;
    env.hello = &h;
    s_send(d, 0, &env);
    cr_assert_eq(fw_proto_recv(d->sock, 5000, &in), 0, "no Welcome");
    cr_assert_eq(in->body_case, FLYWHEEL__V1__ENVELOPE__BODY_WELCOME, "got %s",
                 fw_proto_body_name(in));
    snprintf(d->run_id, sizeof d->run_id, "%s", in->run_id);
    snprintf(d->token, sizeof d->token, "%s", in->welcome->resume_token);
    cr_assert_eq(strlen(d->token), 32, "a Welcome carries a 128-bit resume token");
    fw_proto_free(&in);
}

/* Receives until a TickStart (returns its tick), Bye (returns 0), or a refusal with
 * `code` when code != 0 (returns -1). */
static int s_driver_next(s_driver_t *d, int code)
{
    for (;;) {
        fw_envelope_t *in = NULL;
        int rc = fw_proto_recv(d->sock, 15000, &in);
        cr_assert_eq(rc, 0, "driver %s: nothing from the coordinator: %s", d->seat,
                     fw_proto_strerror(rc));
        int out = -2;
        if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_TICK_START) {
            d->tick = in->tick_start->tick;
            d->deadline = in->tick_start->deadline_unix_ms;
            out = (int)d->tick;
        } else if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_BYE) {
            out = 0;
        } else if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL && code &&
                   (int)in->refusal->code == code) {
            out = -1;
        }
        fw_proto_free(&in);
        if (out != -2)
            return out;
    }
}

/* Answers tick `tick` with one compute bid (quantity marks the driver's actions). */
static void s_driver_act(s_driver_t *d, uint32_t tick, int64_t quantity)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Actions a = FLYWHEEL__V1__ACTIONS__INIT;
    Flywheel__V1__ComputeBid bid = FLYWHEEL__V1__COMPUTE_BID__INIT, *bids[1] = {&bid};
    bid.provider = "aws";
    bid.family = "gpu";
    bid.quantity = quantity;
    bid.max_price = 5000;
    if (quantity > 0) {
        a.n_compute_bids = 1;
        a.compute_bids = bids;
    }
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS;
    env.actions = &a;
    s_send(d, tick, &env);
}

/* Plays ticks until the Bye; returns the number of ticks answered. */
static int s_driver_play_out(s_driver_t *d)
{
    int n = 0, t;
    while ((t = s_driver_next(d, 0)) > 0) {
        s_driver_act(d, (uint32_t)t, 1000);
        n++;
    }
    return n;
}

/* ---- reading the log ------------------------------------------------------------- */

typedef struct {
    Flywheel__V1__Holder holder[64][8]; /* [tick][seat index] */
    char player[64][8][64];
    uint32_t late[64][8];
    int present[64][8];
    int acted[64][8];           /* an Actions record of that seat for that tick */
    int64_t bid_quantity[64][8];/* first compute bid's quantity, or 0 */
    uint64_t hash[64];
    uint32_t ticks;
    int phase_final;
} s_log_t;

static int s_seat_index(const char *id)
{
    static const char *ids[] = {"nvidia", "tpu_maker", "aws", "google", "openai", "anthropic"};
    for (int i = 0; i < 6; i++)
        if (strcmp(ids[i], id) == 0)
            return i;
    return 7;
}

static void s_read_log(s_log_t *L)
{
    char path[1100];
    memset(L, 0, sizeof *L);
    snprintf(path, sizeof path, "%s/events.log", s_out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no events.log");
    fw_envelope_t *env = NULL;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        uint32_t t = env->tick < 64 ? env->tick : 63;
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS) {
            int s = s_seat_index(env->seat);
            L->acted[t][s] = 1;
            if (env->actions->n_compute_bids)
                L->bid_quantity[t][s] = env->actions->compute_bids[0]->quantity;
        } else if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            const Flywheel__V1__Snapshot *s = env->snapshot;
            L->ticks = s->tick;
            L->hash[t] = s->state_hash;
            L->phase_final = s->phase;
            for (size_t i = 0; i < s->n_seats && i < 8; i++) {
                L->holder[t][i] = s->seats[i]->holder;
                snprintf(L->player[t][i], 64, "%s", s->seats[i]->player);
                L->late[t][i] = s->seats[i]->late;
            }
            for (size_t i = 0; i < s->n_companies && i < 8; i++)
                L->present[t][i] = s->companies[i]->present;
        }
        fw_proto_free(&env);
    }
    fclose(f);
}

enum { NVIDIA = 0, TPU = 1, AWS = 2, GOOGLE = 3, OPENAI = 4, ANTHROPIC = 5 };
#define PLAYER FLYWHEEL__V1__HOLDER__HOLDER_PLAYER
#define HOUSE FLYWHEEL__V1__HOLDER__HOLDER_HOUSE

static int s_log_contains(const char *path, const char *needle)
{
    char *text = fw_test_read_file(path, NULL);
    int found = text && strstr(text, needle);
    free(text);
    return found;
}

static void s_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void *s_viewer(void);

/* ---- the tests ------------------------------------------------------------------- */

Test(network, lobby_fills_empty_seats_with_house_bots_after_the_start_time)
{
    s_start_coordinator("--start-after", "0.8", "--ticks", "4", NULL);
    /* A viewer in the lobby sees who holds which seat. */
    void *sub = s_viewer();
    int a = s_start_agent("openai", "openai.log", NULL);

    int saw_lobby_with_player = 0;
    for (int i = 0; i < 40 && !saw_lobby_with_player; i++) {
        fw_envelope_t *env = NULL;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK &&
            env->snapshot->phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY) {
            cr_assert_eq(env->snapshot->tick, 0);
            cr_assert_eq(env->snapshot->n_seats, 6);
            cr_assert_gt(env->snapshot->deadline_unix_ms, 0, "the lobby shows its start time");
            saw_lobby_with_player = env->snapshot->seats[OPENAI]->holder == PLAYER &&
                                    env->snapshot->seats[AWS]->holder ==
                                        FLYWHEEL__V1__HOLDER__HOLDER_EMPTY;
        }
        fw_proto_free(&env);
    }
    cr_assert(saw_lobby_with_player, "a lobby snapshot shows openai taken, aws empty");
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 20000), 0, "the run completes");
    cr_assert_eq(fw_procs_wait(&s_procs, a, 5000), 0);

    s_log_t L;
    s_read_log(&L);
    cr_assert_eq(L.ticks, 4);
    cr_assert_eq(L.phase_final, FLYWHEEL__V1__PHASE__PHASE_OVER);
    for (uint32_t t = 1; t <= 4; t++)
        for (int s = 0; s < 6; s++) {
            cr_assert_eq(L.holder[t][s], s == OPENAI ? PLAYER : HOUSE, "tick %u seat %d", t, s);
            cr_assert(L.present[t][s] && L.acted[t][s],
                      "tick %u seat %d: house bots act through the log like players", t, s);
        }
    cr_assert_str_eq(L.player[1][AWS], "hyperscaler", "a house bot is named by its strategy");
}

Test(network, house_bots_replay_exactly_what_agent_processes_play)
{
    /* Every seat a house bot: the same seeds and strategies as `flywheel run`'s agents,
     * so the same state hash after every tick. */
    s_start_coordinator("--start-after", "0", "--ticks", "6", NULL);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 20000), 0);
    s_log_t house;
    s_read_log(&house);

    char bin[1024], sc[1024], out[1100], log[1100];
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(out, sizeof out, "%s/run", s_dir);
    snprintf(log, sizeof log, "%s/run.log", s_dir);
    char *argv[] = {bin, "run", sc, "--ticks", "6", "--out", out, "--quiet", NULL};
    int r = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, r, 30000), 0);
    snprintf(s_out, sizeof s_out, "%s", out);
    s_log_t run;
    s_read_log(&run);
    for (uint32_t t = 1; t <= 6; t++)
        cr_assert_eq(house.hash[t], run.hash[t], "tick %u differs", t);
}

Test(network, deadline_paced_run_applies_late_actions_to_no_tick_and_logs_them)
{
    s_start_coordinator("--players", "1", "--pace", "deadline:0.4", "--ticks", "3", NULL);
    s_driver_t d;
    s_driver_join(&d, "openai");

    cr_assert_eq(s_driver_next(&d, 0), 1);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    cr_assert(d.deadline > now_ms && d.deadline <= now_ms + 450,
              "TickStart carries the turn timer's deadline (%lld vs now %lld)",
              (long long)d.deadline, (long long)now_ms);
    /* Miss the deadline of tick 1, then send its actions anyway. */
    s_sleep_ms(700);
    s_driver_act(&d, 1, 11111);
    cr_assert_eq(s_driver_next(&d, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE), 2,
                 "tick 2 started without waiting");
    cr_assert_eq(s_driver_next(&d, FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_LATE), -1,
                 "the late actions are refused as late");
    s_driver_act(&d, 2, 22222);
    cr_assert_eq(s_driver_next(&d, 0), 3);
    s_driver_act(&d, 3, 33333);
    cr_assert_eq(s_driver_next(&d, 0), 0);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);

    s_log_t L;
    s_read_log(&L);
    cr_assert_not(L.acted[1][OPENAI], "late actions are applied to no tick");
    cr_assert_not(L.present[1][OPENAI]);
    cr_assert_eq(L.bid_quantity[2][OPENAI], 22222, "tick 2 has tick 2's actions, not tick 1's");
    cr_assert_eq(L.bid_quantity[3][OPENAI], 33333);
    cr_assert_eq(L.late[1][OPENAI], 0);
    cr_assert_eq(L.late[3][OPENAI], 1, "the snapshots count the late actions");
    cr_assert(s_log_contains(s_coord_log, "late: seat openai's actions for tick 1"),
              "the coordinator logs the late actions");
}

/* The holder of `seat` in the snapshot of `tick` as viewers see it. */
static Flywheel__V1__Holder s_holder_at(void *sub, uint32_t tick, int seat)
{
    for (int waited = 0; waited < 5000; waited += 100) {
        fw_envelope_t *env = NULL;
        Flywheel__V1__Holder h = FLYWHEEL__V1__HOLDER__HOLDER_UNSPECIFIED;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK && env->snapshot->tick == tick &&
            env->snapshot->phase != FLYWHEEL__V1__PHASE__PHASE_LOBBY)
            h = env->snapshot->seats[seat]->holder;
        fw_proto_free(&env);
        if (h)
            return h;
    }
    cr_assert_fail("no snapshot for tick %u", tick);
    return FLYWHEEL__V1__HOLDER__HOLDER_UNSPECIFIED;
}

Test(network, killed_agent_is_taken_over_and_handed_back_with_its_token_and_a_wrong_token_is_refused)
{
    char log[1100], *text, *p, token[40] = "";
    s_start_coordinator("--players", "2", "--tick-timeout", "400", "--takeover-after", "2",
                        "--ticks", "14", NULL);
    void *sub = s_viewer();
    int a = s_start_agent("openai", "openai-1.log", NULL);
    s_driver_t d;
    s_driver_join(&d, "anthropic");

    /* The agent logs its resume token; a real player reads it off the screen. */
    snprintf(log, sizeof log, "%s/openai-1.log", s_dir);
    for (int i = 0; i < 100 && !token[0]; i++) {
        text = fw_test_read_file(log, NULL);
        if (text && (p = strstr(text, "resume token: ")))
            sscanf(p + 14, "%39[0-9a-f]", token);
        free(text);
        if (!token[0])
            s_sleep_ms(50);
    }
    cr_assert_eq(strlen(token), 32, "the agent shows its resume token");

    uint32_t t;
    for (t = 1; t <= 2; t++) {
        cr_assert_eq(s_driver_next(&d, 0), (int)t);
        s_driver_act(&d, t, 1000);
        cr_assert_eq(s_holder_at(sub, t, OPENAI), PLAYER);
    }
    kill(s_procs.pid[a], SIGKILL);
    cr_assert_eq(fw_procs_wait(&s_procs, a, 5000), 128 + SIGKILL);
    /* The coordinator finds the player gone when it next sends to it (or after two
     * silent ticks at the latest): the house bot takes the seat. */
    uint32_t taken = 0;
    for (t = 3; t <= 6 && !taken; t++) {
        cr_assert_eq(s_driver_next(&d, 0), (int)t);
        s_driver_act(&d, t, 1000);
        if (s_holder_at(sub, t, OPENAI) == HOUSE)
            taken = t;
    }
    cr_assert(taken >= 3 && taken <= 5, "taken over at tick %u", taken);

    /* A wrong token is refused, and the agent says why. */
    int wrong = s_start_agent("openai", "openai-wrong.log", "--resume",
                              "00000000000000000000000000000000", NULL);
    cr_assert_eq(fw_procs_wait(&s_procs, wrong, 10000), 3, "refused: exit 3");
    snprintf(log, sizeof log, "%s/openai-wrong.log", s_dir);
    cr_assert(s_log_contains(log, "wrong resume token for seat 'openai'"));

    /* The right token takes the seat back at the next tick. */
    uint32_t back = (uint32_t)s_driver_next(&d, 0);
    cr_assert_eq(back, taken + 1);
    int again = s_start_agent("openai", "openai-2.log", "--resume", token, NULL);
    snprintf(log, sizeof log, "%s/openai-2.log", s_dir);
    for (int i = 0; i < 100 && !s_log_contains(log, "welcome: seat openai"); i++)
        s_sleep_ms(50);
    cr_assert(s_log_contains(log, "welcome: seat openai"));
    s_driver_act(&d, back, 1000);
    s_driver_play_out(&d);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);
    cr_assert_eq(fw_procs_wait(&s_procs, again, 5000), 0);

    s_log_t L;
    s_read_log(&L);
    for (t = 1; t <= 14; t++) {
        Flywheel__V1__Holder want = t < taken || t > back ? PLAYER : HOUSE;
        cr_assert_eq(L.holder[t][OPENAI], want, "tick %u (taken over at %u, back at %u)", t,
                     taken, back);
        if (want == HOUSE)
            cr_assert(L.acted[t][OPENAI], "tick %u: the house bot plays the seat", t);
    }
    cr_assert(L.acted[14][OPENAI] && L.present[14][OPENAI], "the player plays again");
    cr_assert_str_eq(L.player[back][OPENAI], "lab", "the bot plays the tick the player came back in");
}

Test(network, late_joiner_takes_a_house_bots_seat)
{
    s_start_coordinator("--players", "1", "--ticks", "6", NULL);
    s_driver_t d;
    s_driver_join(&d, "anthropic");
    for (uint32_t t = 1; t <= 2; t++) {
        cr_assert_eq(s_driver_next(&d, 0), (int)t);
        s_driver_act(&d, t, 1000);
    }
    cr_assert_eq(s_driver_next(&d, 0), 3);
    /* openai has been a house bot's since tick 1: a newcomer may claim it. */
    int late = s_start_agent("openai", "openai.log", "--name", "late joiner", NULL);
    char log[1100];
    snprintf(log, sizeof log, "%s/openai.log", s_dir);
    for (int i = 0; i < 100 && !s_log_contains(log, "welcome: seat openai"); i++)
        s_sleep_ms(50);
    cr_assert(s_log_contains(log, "welcome: seat openai"));
    /* A second newcomer finds it taken. */
    int second = s_start_agent("openai", "openai-2.log", NULL);
    cr_assert_eq(fw_procs_wait(&s_procs, second, 10000), 3);
    s_driver_act(&d, 3, 1000);
    cr_assert_eq(s_driver_play_out(&d), 3);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);
    cr_assert_eq(fw_procs_wait(&s_procs, late, 5000), 0);

    s_log_t L;
    s_read_log(&L);
    cr_assert_eq(L.holder[3][OPENAI], HOUSE);
    cr_assert_eq(L.holder[4][OPENAI], PLAYER, "the joiner plays from the next tick");
    cr_assert_str_eq(L.player[4][OPENAI], "late joiner");
    cr_assert_eq(L.holder[6][OPENAI], PLAYER);
    cr_assert(L.present[6][OPENAI]);
    cr_assert_eq(L.holder[6][GOOGLE], HOUSE, "the other seats stay with their bots");
}

/* Receives snapshots on `sub` until one for `tick` (or later) comes; returns it. */
static fw_envelope_t *s_snapshot_for(void *sub, uint32_t tick, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        fw_envelope_t *env = NULL;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK && env->snapshot->tick >= tick &&
            env->snapshot->phase != FLYWHEEL__V1__PHASE__PHASE_LOBBY)
            return env;
        fw_proto_free(&env);
    }
    return NULL;
}

static void *s_viewer(void)
{
    void *sub = s_socket(ZMQ_SUB);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, s_publish), 0);
    return sub;
}

Test(network, two_viewers_joining_at_different_ticks_both_see_the_current_state)
{
    s_start_coordinator("--players", "1", "--ticks", "6", "--tick-timeout", "20000", NULL);
    void *early = s_viewer();
    s_driver_t d;
    s_driver_join(&d, "anthropic");
    for (uint32_t t = 1; t <= 3; t++) {
        cr_assert_eq(s_driver_next(&d, 0), (int)t);
        s_driver_act(&d, t, 1000);
    }
    cr_assert_eq(s_driver_next(&d, 0), 4); /* tick 3 is cleared; tick 4 waits for us */
    fw_envelope_t *e3 = s_snapshot_for(early, 3, 5000);
    cr_assert_not_null(e3);

    /* A viewer joining now sees tick 3's state at once, without waiting for a tick. */
    void *late = s_viewer();
    fw_envelope_t *l3 = s_snapshot_for(late, 3, 5000);
    cr_assert_not_null(l3, "the late viewer gets the current state while the tick runs");
    cr_assert_eq(l3->snapshot->tick, 3);
    cr_assert_eq(l3->snapshot->state_hash, e3->snapshot->state_hash);
    cr_assert_eq(l3->snapshot->n_companies, 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_eq(l3->snapshot->companies[i]->cash, e3->snapshot->companies[i]->cash);
    cr_assert_eq(l3->snapshot->seats[ANTHROPIC]->holder, PLAYER);

    /* Then both follow the game tick by tick. */
    s_driver_act(&d, 4, 1000);
    fw_envelope_t *e4 = s_snapshot_for(early, 4, 5000), *l4 = s_snapshot_for(late, 4, 5000);
    cr_assert(e4 && l4);
    cr_assert_eq(e4->snapshot->tick, 4);
    cr_assert_eq(l4->snapshot->tick, 4);
    cr_assert_eq(e4->snapshot->state_hash, l4->snapshot->state_hash);
    cr_assert_neq(e4->snapshot->state_hash, e3->snapshot->state_hash);
    fw_proto_free(&e3);
    fw_proto_free(&l3);
    fw_proto_free(&e4);
    fw_proto_free(&l4);
    s_driver_play_out(&d);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);
}

Test(network, pause_holds_the_game_between_ticks_and_resume_goes_on)
{
    s_start_coordinator("--players", "1", "--ticks", "4", NULL);
    void *sub = s_viewer();
    s_driver_t d;
    s_driver_join(&d, "anthropic");
    cr_assert_eq(s_driver_next(&d, 0), 1);
    kill(s_procs.pid[s_coord], SIGUSR1); /* what `p` on the operator's terminal sends */
    s_sleep_ms(100);
    s_driver_act(&d, 1, 1000);
    /* Paused after tick 1: no TickStart for tick 2, a paused status for viewers. */
    fw_envelope_t *in = NULL;
    int paused_seen = 0;
    for (int i = 0; i < 20 && !paused_seen; i++) {
        fw_envelope_t *env = NULL;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK)
            paused_seen = env->snapshot->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED &&
                          env->snapshot->tick == 1;
        fw_proto_free(&env);
    }
    cr_assert(paused_seen, "viewers see the pause");
    int got;
    do {
        got = fw_proto_recv(d.sock, 300, &in);
        cr_assert(got != FW_PROTO_OK || in->body_case != FLYWHEEL__V1__ENVELOPE__BODY_TICK_START,
                  "no tick starts while paused");
        fw_proto_free(&in);
    } while (got == FW_PROTO_OK);
    kill(s_procs.pid[s_coord], SIGUSR2); /* `r` */
    cr_assert_eq(s_driver_next(&d, 0), 2);
    s_driver_act(&d, 2, 1000);
    s_driver_play_out(&d);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);
}

/* Sends a Bye for the driver's seat. */
static void s_driver_bye(s_driver_t *d)
{
    fw_envelope_t env = FLYWHEEL__V1__ENVELOPE__INIT;
    Flywheel__V1__Bye bye = FLYWHEEL__V1__BYE__INIT;
    bye.reason = "the player left";
    env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_BYE;
    env.bye = &bye;
    s_send(d, d->tick, &env);
}

Test(network, a_player_leaving_during_a_tick_is_replaced_by_the_house_bot_at_once)
{
    /* The first takeover of a seat a player held makes its house bot; the bot must
     * play from a TickStart nothing else can overwrite meanwhile. */
    s_start_coordinator("--players", "2", "--tick-timeout", "20000", "--ticks", "4", NULL);
    s_driver_t lab, cloud;
    s_driver_join(&lab, "openai");
    s_driver_join(&cloud, "aws");
    cr_assert_eq(s_driver_next(&lab, 0), 1);
    cr_assert_eq(s_driver_next(&cloud, 0), 1);
    s_driver_bye(&cloud);
    s_driver_act(&lab, 1, 1000);
    cr_assert_eq(s_driver_play_out(&lab), 3);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0, "the run completes");

    s_log_t L;
    s_read_log(&L);
    for (uint32_t t = 1; t <= 4; t++) {
        cr_assert_eq(L.holder[t][AWS], HOUSE, "tick %u", t);
        cr_assert(L.acted[t][AWS], "tick %u: the house bot plays aws", t);
    }
}

/* Waits for a lobby snapshot in which `seat` has holder `want`. */
static int s_lobby_shows(void *sub, int seat, Flywheel__V1__Holder want, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 100) {
        fw_envelope_t *env = NULL;
        int hit = 0;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK &&
            env->snapshot->phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY &&
            env->snapshot->n_seats > (size_t)seat)
            hit = env->snapshot->seats[seat]->holder == want;
        fw_proto_free(&env);
        if (hit)
            return 1;
    }
    return 0;
}

Test(network, a_player_who_leaves_the_lobby_frees_the_seat_by_bye_or_by_disconnecting)
{
    s_start_coordinator("--players", "2", "--ticks", "3", "--tick-timeout", "20000", NULL);
    void *sub = s_viewer();
    s_driver_t a, b, c;

    /* Leaves with a Bye. */
    s_driver_join(&a, "openai");
    cr_assert(s_lobby_shows(sub, OPENAI, PLAYER, 5000));
    s_driver_bye(&a);
    cr_assert(s_lobby_shows(sub, OPENAI, FLYWHEEL__V1__HOLDER__HOLDER_EMPTY, 5000),
              "a Bye in the lobby frees the seat");

    /* Leaves without a word: its connection closes. */
    s_driver_join(&b, "openai");
    cr_assert(s_lobby_shows(sub, OPENAI, PLAYER, 5000), "the seat can be claimed again");
    zmq_close(b.sock);
    for (size_t i = 0; i < s_n_socks; i++)
        if (s_socks[i] == b.sock)
            s_socks[i] = s_socks[--s_n_socks];
    cr_assert(s_lobby_shows(sub, OPENAI, FLYWHEEL__V1__HOLDER__HOLDER_EMPTY, 10000),
              "a lost connection in the lobby frees the seat");

    /* The game starts with the players who are there. */
    s_driver_join(&c, "openai");
    s_driver_t d;
    s_driver_join(&d, "anthropic");
    cr_assert_eq(s_driver_next(&c, 0), 1);
    cr_assert_eq(s_driver_next(&d, 0), 1);
    s_driver_act(&c, 1, 1000);
    s_driver_act(&d, 1, 1000);
    for (uint32_t t = 2; t <= 3; t++) {
        cr_assert_eq(s_driver_next(&c, 0), (int)t);
        cr_assert_eq(s_driver_next(&d, 0), (int)t);
        s_driver_act(&c, t, 1000);
        s_driver_act(&d, t, 1000);
    }
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 10000), 0);
    s_log_t L;
    s_read_log(&L);
    for (uint32_t t = 1; t <= 3; t++)
        cr_assert(L.holder[t][OPENAI] == PLAYER && L.acted[t][OPENAI], "tick %u", t);
}
