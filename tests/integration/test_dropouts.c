/* A player who leaves a served game, with real processes: a coordinator with house
 * bots and a turn timer, and the human client (`flywheel-agent --strategy human`, what
 * `flywheel play` runs) on a pseudo-terminal, driven by keys.
 *
 * The matrix: for a seat of each role (vendor, cloud, lab), the player leaves
 *   - with q, 1, Enter (it says Bye), by SIGKILL (its connection drops), or by going
 *     silent (SIGSTOP: connected, answering nothing, past --takeover-after);
 *   - before sending its moves for tick 2, after sending them, or between ticks (the
 *     host paused the game after tick 2);
 * then comes back (a new client with the resume token it was shown, or, when it had
 * only gone silent, the same client woken with SIGCONT) and plays again. Every case
 * checks from events.log and metrics.csv that every tick was played and recorded,
 * that each tick of the seat was played by exactly one hand while the house bot held
 * it, and that the player played again after coming back.
 *
 * Tests wait for events (lines in the client's and the coordinator's logs, process
 * exits), never for fixed times; the turn timer only bounds ticks nobody plays. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_testproc.h"
#include "fw_testpty.h"

#define TICKS 7
#define TURN "deadline:2.5"

static fw_procs_t s_procs;
static char s_dir[64], s_listen[300], s_publish[300], s_out[300], s_coord_log[300];
static int s_coord = -1;
static char s_what[160] = "";  /* the case being played, for failure messages */

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    snprintf(s_listen, sizeof s_listen, "ipc://%s/agents", s_dir);
    snprintf(s_publish, sizeof s_publish, "ipc://%s/observers", s_dir);
    snprintf(s_out, sizeof s_out, "%s/out", s_dir);
    snprintf(s_coord_log, sizeof s_coord_log, "%s/coordinator.log", s_dir);
}

static void s_teardown(void)
{
    if (getenv("FW_TEST_KEEP")) {
        char cmd[200];
        snprintf(cmd, sizeof cmd, "cp -r %s /tmp/kept-$(basename %s)", s_dir, s_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not keep %s\n", s_dir);
    }
    fw_procs_cleanup(&s_procs);
    fw_test_rmtree(s_dir);
}

/* ---- the processes ------------------------------------------------------------- */

/* The coordinator of a served game on classroom.yaml, waiting for one player. */
static void s_start_coordinator(void)
{
    char bin[1024], sc[1024], endpoints[400];
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char ticks[16];
    snprintf(ticks, sizeof ticks, "%d", TICKS);
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", s_publish,
                    "--out", s_out, "--house-bots", "--players", "1", "--pace", TURN,
                    "--takeover-after", "1", "--ticks", ticks, "--log-level", "info", NULL};
    s_coord = fw_procs_start(&s_procs, argv, s_coord_log);
    cr_assert_geq(s_coord, 0);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "the coordinator did not bind");
}

typedef struct {
    fw_pty_t *pty;
    int proc;           /* index in s_procs */
    char log[320];      /* its stderr: what its screen showed */
    long seen;          /* offset in log past the last line waited for */
} s_player_t;

/* A human client for `seat` on a 80x24 terminal; resume = "" for a first join. */
static void s_player_start(s_player_t *p, const char *seat, const char *resume, int n)
{
    char bin[1024];
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(p->log, sizeof p->log, "%s/player-%d.log", s_dir, n);
    char *argv[20];
    int k = 0;
    argv[k++] = bin;
    argv[k++] = "--strategy"; argv[k++] = "human";
    argv[k++] = "--connect"; argv[k++] = s_listen;
    argv[k++] = "--seat"; argv[k++] = (char *)seat;
    argv[k++] = "--name"; argv[k++] = "alice";
    argv[k++] = "--log-level"; argv[k++] = "info";
    argv[k++] = "--idle-timeout"; argv[k++] = "60";
    if (resume[0]) {
        argv[k++] = "--resume";
        argv[k++] = (char *)resume;
    }
    argv[k] = NULL;
    p->seen = 0;
    p->pty = fw_pty_start(&s_procs, argv, p->log, 80, 24, &p->proc);
    cr_assert_not_null(p->pty, "cannot start the human client");
}

/* Waits for a line of the player's log (after the last one waited for). */
static void s_player_wait(s_player_t *p, int timeout_ms, const char *fmt, ...)
{
    char needle[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(needle, sizeof needle, fmt, ap);
    va_end(ap);
    long at = fw_test_wait_text(p->log, needle, p->seen, timeout_ms);
    if (at < 0) {
        char *log = fw_test_read_file(p->log, NULL);
        cr_assert_fail("%s: the player's client never logged '%s'; its log:\n%s", s_what,
                       needle, log ? log : "(none)");
    }
    p->seen = at;
}

/* Sends the moves of tick t (on screen): presses Enter until the client says it sent
 * them (an Enter that comes right after a refresh is swallowed on purpose, so the key
 * is repeated; the client's own send before the deadline counts too). */
static void s_player_send(s_player_t *p, uint32_t t)
{
    char line[64];
    snprintf(line, sizeof line, "moves for tick %u", t);
    for (int i = 0; i < 100; i++) {
        fw_pty_keys(p->pty, "\r");
        long at = fw_test_wait_text(p->log, line, p->seen, 200);
        if (at >= 0) {
            p->seen = at;
            return;
        }
    }
    char *log = fw_test_read_file(p->log, NULL), *coord = fw_test_read_file(s_coord_log, NULL);
    cr_assert_fail("%s: the client never sent its moves for tick %u; its log:\n%s\n"
                   "the coordinator's:\n%s", s_what, t, log ? log : "", coord ? coord : "");
}

static void s_player_play(s_player_t *p, uint32_t t)
{
    s_player_wait(p, 20000, "tick %u on screen", t);
    s_player_send(p, t);
}

static void s_player_stop(s_player_t *p)
{
    fw_pty_destroy(&p->pty);
}

/* The resume token the client logged with its Welcome. */
static void s_player_token(const s_player_t *p, char *token, size_t len)
{
    char *log = fw_test_read_file(p->log, NULL);
    const char *at = log ? strstr(log, "resume token: ") : NULL;
    cr_assert_not_null(at, "the client shows its resume token");
    snprintf(token, len, "%.32s", at + 14);
    free(log);
}

/* Waits for a line of the coordinator's log; returns the offset past it. */
static long s_coord_wait(const char *needle, long from, int timeout_ms)
{
    long at = fw_test_wait_text(s_coord_log, needle, from, timeout_ms);
    if (at < 0) {
        char *log = fw_test_read_file(s_coord_log, NULL);
        cr_assert_fail("%s: the coordinator never logged '%s'; its log:\n%s", s_what, needle,
                       log ? log : "(none)");
    }
    return at;
}

/* ---- the record ---------------------------------------------------------------- */

#define MAX_TICKS 64

typedef struct {
    uint32_t ticks;                 /* snapshots */
    Flywheel__V1__Holder holder[MAX_TICKS + 2];
    int actions[MAX_TICKS + 2];     /* Actions records of the seat per tick */
    int present[MAX_TICKS + 2];     /* the snapshot says the seat answered */
    int final;
} s_record_t;

static void s_read_record(s_record_t *r, const char *seat, int seat_index)
{
    char path[400];
    memset(r, 0, sizeof *r);
    snprintf(path, sizeof path, "%s/events.log", s_out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "no events.log");
    fw_envelope_t *env = NULL;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        uint32_t t = env->tick <= MAX_TICKS ? env->tick : MAX_TICKS + 1;
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS &&
            strcmp(env->seat, seat) == 0)
            r->actions[t]++;
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            const Flywheel__V1__Snapshot *s = env->snapshot;
            r->ticks++;
            r->holder[t] = s->seats[seat_index]->holder;
            r->present[t] = s->companies[seat_index]->present;
            r->final = s->final;
        }
        fw_proto_free(&env);
    }
    fclose(f);
}

static size_t s_metrics_rows(void)
{
    char path[400];
    snprintf(path, sizeof path, "%s/metrics.csv", s_out);
    char *text = fw_test_read_file(path, NULL);
    size_t lines = 0;
    for (const char *p = text; p && *p; p++)
        lines += *p == '\n';
    free(text);
    return lines ? lines - 1 : 0;
}

/* ---- the matrix -------------------------------------------------------------- */

typedef enum { WAY_QUIT, WAY_KILL, WAY_SILENT } way_t;
typedef enum { AT_BEFORE_SENDING, AT_AFTER_SENDING, AT_BETWEEN_TICKS } moment_t;

/* A seat of each role in classroom.yaml, with its index there. */
static const struct {
    const char *id;
    int index;
} s_seats[] = {{"nvidia", 0}, {"aws", 2}, {"openai", 4}};

/* Criterion runs each case in a fresh process: parameters hold no pointers. */
typedef struct {
    int seat;           /* in s_seats */
    way_t way;
    moment_t moment;
} s_case_t;

static const char *s_way_name[] = {"q", "SIGKILL", "silence"};
static const char *s_moment_name[] = {"before sending", "after sending", "between ticks"};

ParameterizedTestParameters(dropouts, matrix)
{
    static s_case_t cases[27];
    size_t n = 0;
    for (int s = 0; s < 3; s++)
        for (int w = 0; w < 3; w++)
            for (int m = 0; m < 3; m++)
                cases[n++] = (s_case_t){s, (way_t)w, (moment_t)m};
    return cr_make_param_array(s_case_t, cases, n);
}

ParameterizedTest(s_case_t *c, dropouts, matrix, .init = s_setup, .fini = s_teardown,
                  .timeout = 150)
{
    char token[40], what[120];
    const char *seat = s_seats[c->seat].id;
    int seat_index = s_seats[c->seat].index;
    snprintf(what, sizeof what, "%s leaves by %s %s", seat, s_way_name[c->way],
             s_moment_name[c->moment]);
    snprintf(s_what, sizeof s_what, "%s", what);
    s_start_coordinator();
    s_player_t first, again;
    s_player_start(&first, seat, "", 1);
    s_player_wait(&first, 20000, "resume token: ");
    s_player_token(&first, token, sizeof token);

    /* Tick 1 is the player's; it leaves in tick 2 at the moment of the case. */
    s_player_play(&first, 1);
    s_player_wait(&first, 20000, "tick 2 on screen");
    if (c->moment == AT_BETWEEN_TICKS)
        kill(s_procs.pid[s_coord], SIGUSR1); /* the host pauses after tick 2 */
    if (c->moment != AT_BEFORE_SENDING)
        s_player_send(&first, 2);
    long from = 0;
    if (c->moment == AT_BETWEEN_TICKS)
        from = s_coord_wait("paused after tick 2", 0, 20000);
    switch (c->way) {
    case WAY_QUIT:
        fw_pty_keys(first.pty, "q1\r");
        cr_assert_eq(fw_procs_wait(&s_procs, first.proc, 10000), 0,
                     "%s: the client leaves with exit 0", what);
        break;
    case WAY_KILL:
        kill(s_procs.pid[first.proc], SIGKILL);
        cr_assert_eq(fw_procs_wait(&s_procs, first.proc, 10000), 128 + SIGKILL);
        break;
    case WAY_SILENT:
        kill(s_procs.pid[first.proc], SIGSTOP);
        break;
    }
    if (c->moment == AT_BETWEEN_TICKS)
        kill(s_procs.pid[s_coord], SIGUSR2); /* resume */
    from = s_coord_wait("the house bot takes over at tick", from, 30000);

    /* Back: a new client with the token, or the same one woken up. */
    s_player_t *back = &first;
    if (c->way == WAY_SILENT) {
        kill(s_procs.pid[first.proc], SIGCONT);
    } else {
        s_player_stop(&first);
        s_player_start(&again, seat, token, 2);
        back = &again;
    }
    /* A player back on its old connection asks for the seat by sending moves. */
    long at = -1;
    for (int i = 0; i < 100 && at < 0; i++) {
        if (c->way == WAY_SILENT)
            fw_pty_keys(back->pty, "\r");
        at = fw_test_wait_text(s_coord_log, "handed back to alice at tick ", from, 300);
    }
    from = s_coord_wait("handed back to alice at tick ", from, 1000);
    char *log = fw_test_read_file(s_coord_log, NULL);
    unsigned handed = 0;
    cr_assert(log && sscanf(log + from, "%u", &handed) == 1);
    free(log);
    cr_assert_leq(handed, TICKS, "%s: handed back at tick %u", what, handed);
    s_player_play(back, handed);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 60000), 0, "%s: the game finishes", what);

    s_record_t r;
    s_read_record(&r, seat, seat_index);
    cr_assert_eq(r.ticks, TICKS, "%s: every tick has its snapshot", what);
    cr_assert(r.final, "%s: the last snapshot is final", what);
    cr_assert_eq(s_metrics_rows(), TICKS, "%s: metrics.csv has a row per tick", what);
    uint32_t taken = 0;
    for (uint32_t t = 1; t <= TICKS; t++) {
        cr_assert_leq(r.actions[t], 1, "%s: tick %u played twice", what, t);
        if (r.holder[t] == FLYWHEEL__V1__HOLDER__HOLDER_HOUSE) {
            if (!taken)
                taken = t;
            cr_assert_eq(r.actions[t], 1, "%s: the house bot held tick %u and did not play it",
                         what, t);
            cr_assert(r.present[t], "%s: tick %u's snapshot shows the seat played", what, t);
        } else {
            cr_assert_eq(r.holder[t], FLYWHEEL__V1__HOLDER__HOLDER_PLAYER, "%s: tick %u", what, t);
        }
    }
    cr_assert(taken >= 2 && taken <= 3, "%s: taken over at tick %u", what, taken);
    for (uint32_t t = 1; t < taken; t++)
        cr_assert_eq(r.actions[t], 1, "%s: the player played tick %u", what, t);
    cr_assert_eq(r.holder[handed], FLYWHEEL__V1__HOLDER__HOLDER_PLAYER, "%s", what);
    cr_assert_eq(r.actions[handed], 1, "%s: the player plays again at tick %u", what, handed);
}

/* ---- served games: nobody there, a late player, a dead coordinator --------------- */

TestSuite(served, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* Starts `flywheel serve` on classroom.yaml with the extra options (NULL-ended), its
 * stdin empty (no operator keys), its output in DIR/serve.log. Returns its index. */
static int s_start_serve(const char *first, ...)
{
    char bin[1024], sc[1024], log[400];
    char *argv[40];
    int n = 0;
    fw_test_build_path(bin, sizeof bin, "flywheel");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(log, sizeof log, "%s/serve.log", s_dir);
    argv[n++] = bin;
    argv[n++] = "serve";
    argv[n++] = sc;
    argv[n++] = "--listen"; argv[n++] = s_listen;
    argv[n++] = "--publish"; argv[n++] = s_publish;
    argv[n++] = "--out"; argv[n++] = s_out;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 38; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    int saved = dup(STDIN_FILENO), null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    int i = fw_procs_start(&s_procs, argv, log);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(null);
    cr_assert_geq(i, 0);
    return i;
}

static long s_serve_wait(const char *needle, long from, int timeout_ms)
{
    char log[400];
    snprintf(log, sizeof log, "%s/serve.log", s_dir);
    long at = fw_test_wait_text(log, needle, from, timeout_ms);
    if (at < 0) {
        char *text = fw_test_read_file(log, NULL);
        cr_assert_fail("serve never said '%s'; it said:\n%s", needle, text ? text : "");
    }
    return at;
}

Test(served, a_game_nobody_joins_keeps_its_turn_timer_and_ends_well)
{
    int64_t t0 = fw_clock_ms();
    int srv = s_start_serve("--players", "1", "--start-after", "0", "--pace", "deadline:0.5",
                            "--ticks", "4", NULL);
    cr_assert_eq(fw_procs_wait(&s_procs, srv, 60000), 0, "serve exits 0");
    int64_t took = fw_clock_ms() - t0;
    cr_assert_geq(took, 4 * 500, "4 turns of 0.5 s took %lld ms", (long long)took);
    s_serve_wait("Game over: all 4 ticks played", 0, 1000);
    s_serve_wait(s_out, 0, 1000);
    cr_assert_eq(s_metrics_rows(), 4);
}

Test(served, a_late_player_takes_an_empty_seat_from_the_house_bot)
{
    char bin[1024], log[400];
    int srv = s_start_serve("--players", "1", "--start-after", "0", "--pace", "deadline:0.5",
                            "--ticks", "8", NULL);
    s_serve_wait("[tick 1/8]", 0, 20000);
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(log, sizeof log, "%s/late.log", s_dir);
    char *argv[] = {bin, "--connect", s_listen, "--seat", "openai", "--name", "late",
                    "--log-level", "info", NULL};
    int late = fw_procs_start(&s_procs, argv, log);
    cr_assert_eq(fw_procs_wait(&s_procs, srv, 60000), 0, "serve exits 0");
    cr_assert_eq(fw_procs_wait(&s_procs, late, 10000), 0, "the late player is told the end");
    s_record_t r;
    s_read_record(&r, "openai", 4);
    cr_assert_eq(r.ticks, 8);
    cr_assert_eq(r.holder[1], FLYWHEEL__V1__HOLDER__HOLDER_HOUSE, "nobody played openai at first");
    cr_assert_eq(r.holder[8], FLYWHEEL__V1__HOLDER__HOLDER_PLAYER, "the late player has it");
    for (uint32_t t = 1; t <= 8; t++)
        cr_assert_eq(r.actions[t], 1, "tick %u: exactly one hand played openai", t);
}

/* The pid of the coordinator `serve` started (its only child). */
static pid_t s_child_of(pid_t parent)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", parent, parent);
    for (int i = 0; i < 200; i++) {
        char *text = fw_test_read_file(path, NULL);
        int pid = text ? atoi(text) : 0;
        free(text);
        if (pid > 0)
            return pid;
        fw_clock_sleep_ms(25);
    }
    return -1;
}

Test(served, a_dead_coordinator_is_told_on_the_hosts_and_the_players_screens)
{
    int srv = s_start_serve("--players", "1", "--pace", "deadline:20", "--ticks", "10", NULL);
    char endpoints[400];
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "serve did not start");
    s_player_t p;
    s_player_start(&p, "openai", "", 1);
    s_player_play(&p, 1);
    s_player_play(&p, 2);
    s_player_wait(&p, 20000, "tick 3 on screen");
    pid_t coord = s_child_of(s_procs.pid[srv]);
    cr_assert_gt(coord, 0);
    int64_t killed = fw_clock_ms();
    kill(coord, SIGKILL);

    s_player_wait(&p, 15000, "lost contact with the game server");
    int64_t told = fw_clock_ms() - killed;
    cr_assert_lt(told, 5000, "the player is told within seconds (%lld ms)", (long long)told);
    cr_assert_eq(fw_procs_wait(&s_procs, srv, 20000), 1, "serve exits 1");
    s_serve_wait("the coordinator stopped unexpectedly (killed by signal 9", 0, 1000);
    char held[400];
    snprintf(held, sizeof held, "kept in %s: metrics.csv (ticks 1-2)", s_out);
    s_serve_wait(held, 0, 1000);
    cr_assert_eq(s_metrics_rows(), 2, "metrics.csv holds every finished tick");
    cr_assert(fw_procs_alive(&s_procs, p.proc), "the player's client waits for the game");
}

/* ---- churn: six players coming and going at random --------------------------------- */

TestSuite(churn, .init = s_setup, .fini = s_teardown, .timeout = 240);

#define CHURN_TICKS 60

/* A player of the churn: the human client, which sends its moves by itself shortly
 * before each turn ends, so the game moves at the turn timer's pace and the players'
 * comings and goings fall inside ticks. */
typedef struct {
    s_player_t client;  /* its current client, if any */
    int running;        /* a client was started and not yet seen gone */
    int stopped;        /* SIGSTOPped */
    int starts;         /* clients started for it */
    char token[40];     /* the resume token of its last Welcome, "" if none yet */
} s_churner_t;

static void s_churn_start(s_churner_t *p, const char *id, int n)
{
    s_player_start(&p->client, id, p->token, n);
    p->starts++;
    p->running = 1;
    p->stopped = 0;
}

Test(churn, six_players_joining_leaving_and_rejoining_at_random)
{
    static const char *ids[6] = {"nvidia", "tpu_maker", "aws", "google", "openai", "anthropic"};
    char bin[1024], sc[1024], ticks[16], endpoints[400];
    s_churner_t players[6];
    unsigned seed = 20261204;
    int started = 0;

    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(ticks, sizeof ticks, "%d", CHURN_TICKS);
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", s_publish,
                    "--out", s_out, "--house-bots", "--players", "6", "--start-after", "0",
                    "--pace", "deadline:0.4", "--takeover-after", "1", "--ticks", ticks,
                    "--log-level", "info", NULL};
    s_coord = fw_procs_start(&s_procs, argv, s_coord_log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0);
    memset(players, 0, sizeof players);
    for (int i = 0; i < 6; i++)
        s_churn_start(&players[i], ids[i], ++started);

    /* At each tick, one or two players do something at random: leave (q, SIGKILL or
     * silence), wake up, or come back (with their token, or as a newcomer when the
     * token was refused). Bounded by the run's ticks and by 120 steps. */
    void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, s_publish), 0);
    int steps = 0, moves[6] = {0};
    uint32_t last = 0;
    while (last < CHURN_TICKS - 1 && steps < 120) {
        fw_envelope_t *env = NULL;
        int rc = fw_proto_recv(sub, 30000, &env);
        cr_assert_eq(rc, FW_PROTO_OK, "the game stalled after tick %u", last);
        uint32_t tick = env->snapshot ? env->snapshot->tick : 0;
        fw_proto_free(&env);
        if (tick <= last)
            continue; /* a status snapshot of a tick already seen */
        last = tick;
        int n = 1 + (int)(rand_r(&seed) % 2);
        for (int k = 0; k < n; k++, steps++) {
            int i = (int)(rand_r(&seed) % 6);
            s_churner_t *p = &players[i];
            int alive = p->running && fw_procs_alive(&s_procs, p->client.proc);
            unsigned r = rand_r(&seed) % 4;
            if (alive && !p->stopped) {
                char *log = fw_test_read_file(p->client.log, NULL);
                const char *at = log ? strstr(log, "resume token: ") : NULL;
                if (at && strlen(at + 14) >= 32)
                    snprintf(p->token, sizeof p->token, "%.32s", at + 14);
                free(log);
            }
            if (alive && p->stopped) {
                kill(s_procs.pid[p->client.proc], SIGCONT);
                p->stopped = 0;
            } else if (alive && r == 0) {
                fw_pty_keys(p->client.pty, "q1\r");
            } else if (alive && r == 1) {
                kill(s_procs.pid[p->client.proc], SIGKILL);
            } else if (alive && r == 2) {
                kill(s_procs.pid[p->client.proc], SIGSTOP);
                p->stopped = 1;
            } else if (!alive && started < 100) {
                if (p->running) {
                    if (fw_procs_wait(&s_procs, p->client.proc, 0) == 3)
                        p->token[0] = '\0'; /* refused: come back as a newcomer */
                    s_player_stop(&p->client);
                }
                s_churn_start(p, ids[i], ++started);
            }
            moves[i]++;
        }
    }
    zmq_close(sub);
    zmq_ctx_term(ctx);
    for (int i = 0; i < 6; i++)
        if (players[i].stopped)
            kill(s_procs.pid[players[i].client.proc], SIGCONT);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 60000), 0,
                 "the game finishes (and the sanitizers found nothing)");
    cr_assert_eq(s_metrics_rows(), CHURN_TICKS, "every tick recorded");
    int played_by_players = 0;
    for (int i = 0; i < 6; i++) {
        s_record_t r;
        s_read_record(&r, ids[i], i);
        cr_assert_eq(r.ticks, CHURN_TICKS);
        cr_assert(r.final);
        for (uint32_t t = 1; t <= CHURN_TICKS; t++) {
            cr_assert_leq(r.actions[t], 1, "seat %s played tick %u twice", ids[i], t);
            if (r.holder[t] == FLYWHEEL__V1__HOLDER__HOLDER_HOUSE)
                cr_assert_eq(r.actions[t], 1, "seat %s: its house bot skipped tick %u", ids[i], t);
            played_by_players += r.holder[t] == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
        }
        cr_assert_gt(moves[i], 0, "seat %s churned", ids[i]);
        s_player_stop(&players[i].client);
    }
    cr_assert_gt(played_by_players, CHURN_TICKS, "players held seats for much of the game");
}

Test(served, a_player_at_a_wrong_address_is_told_so_and_the_client_gives_up_with_a_reason)
{
    char bin[1024], log[400];
    int proc;
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(log, sizeof log, "%s/wrong.log", s_dir);
    char *argv[] = {bin, "--strategy", "human", "--connect", s_listen, "--seat", "openai",
                    "--log-level", "info", "--idle-timeout", "6", NULL};
    int64_t t0 = fw_clock_ms();
    fw_pty_t *pty = fw_pty_start(&s_procs, argv, log, 80, 24, &proc);
    cr_assert_not_null(pty);
    cr_assert_geq(fw_test_wait_text(log, "nothing answers at", 0, 10000), 0,
                  "the player is told nothing answers");
    cr_assert_lt(fw_clock_ms() - t0, 6000, "within a few seconds");
    cr_assert_eq(fw_procs_wait(&s_procs, proc, 20000), 5, "then it gives up: exit 5");
    cr_assert_geq(fw_test_wait_text(log, "gave up: no answer from the game server", 0, 1000), 0,
                  "with a reason");
    cr_assert_geq(fw_test_wait_text(log, "check the address", 0, 1000), 0,
                  "and what to do");
    fw_pty_destroy(&pty);
}

Test(served, a_player_whose_game_server_stops_answering_comes_back_by_itself)
{
    char bin[1024], sc[1024], endpoints[400];
    fw_test_build_path(bin, sizeof bin, "flywheel-coordinator");
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    char *argv[] = {bin, "--scenario", sc, "--listen", s_listen, "--publish", s_publish,
                    "--out", s_out, "--house-bots", "--players", "1", "--pace", "deadline:30",
                    "--takeover-after", "2", "--ticks", "4", "--log-level", "info", NULL};
    s_coord = fw_procs_start(&s_procs, argv, s_coord_log);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0);
    s_player_t p;
    s_player_start(&p, "aws", "", 1);
    s_player_play(&p, 1);
    s_player_wait(&p, 20000, "tick 2 on screen");

    /* The server freezes: its kernel keeps the connection, only heartbeats tell. */
    kill(s_procs.pid[s_coord], SIGSTOP);
    s_player_wait(&p, 15000, "lost contact with the game server");
    kill(s_procs.pid[s_coord], SIGCONT);
    s_player_wait(&p, 20000, "back in the game: seat aws");
    /* Tick 2 is the player's if the server saw it back before it saw the old connection
     * close, else its house bot's (the moves are then refused as late); either way the
     * seat is the player's again from tick 3. */
    s_player_send(&p, 2);
    s_player_play(&p, 3);
    s_player_play(&p, 4);
    cr_assert_eq(fw_procs_wait(&s_procs, s_coord, 30000), 0);
    s_record_t r;
    s_read_record(&r, "aws", 2);
    for (uint32_t t = 1; t <= 4; t++) {
        if (t != 2)
            cr_assert_eq(r.holder[t], FLYWHEEL__V1__HOLDER__HOLDER_PLAYER, "tick %u", t);
        cr_assert_eq(r.actions[t], 1, "tick %u was played once", t);
    }
}
