/* Served games with real processes (`flywheel serve`, or the coordinator with house
 * bots, and human clients on pseudo-terminals): a game nobody joins, a late player, a
 * coordinator killed or frozen mid-game, a player at a wrong address, and six players
 * coming and going at random for 60 ticks. The matrix of one player leaving at every
 * moment is test_dropouts.c.
 *
 * Tests wait for events (log lines, snapshots, process exits), never for fixed
 * times. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_clock.h"
#include "fw_proto.h"
#include "fw_testgame.h"

static fw_game_t s_g;

static void s_setup(void)
{
    fw_game_init(&s_g);
}

static void s_teardown(void)
{
    fw_game_fini(&s_g);
}

TestSuite(served, .init = s_setup, .fini = s_teardown, .timeout = 120);


/* Starts `flywheel serve` on classroom.yaml with the extra options (NULL-ended), no
 * operator keys, its output in DIR/serve.log. Returns its index. */
static int s_start_serve(const char *first, ...)
{
    char sc[1024], log[400];
    char *args[40];
    int n = 0;
    fw_test_source_path(sc, sizeof sc, "scenarios/classroom.yaml");
    snprintf(log, sizeof log, "%s/serve.log", s_g.dir);
    args[n++] = "serve";
    args[n++] = sc;
    args[n++] = "--listen"; args[n++] = s_g.listen;
    args[n++] = "--publish"; args[n++] = s_g.publish;
    args[n++] = "--out"; args[n++] = s_g.out;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 38; a = va_arg(ap, const char *))
        args[n++] = (char *)a;
    va_end(ap);
    args[n] = NULL;
    return fw_game_start(&s_g, "flywheel", args, log);
}

static long s_serve_wait(const char *needle, long from, int timeout_ms)
{
    char log[400];
    snprintf(log, sizeof log, "%s/serve.log", s_g.dir);
    return fw_game_wait_text(&s_g, log, needle, from, timeout_ms);
}

Test(served, a_game_nobody_joins_keeps_its_turn_timer_and_ends_well)
{
    int64_t t0 = fw_clock_ms();
    int srv = s_start_serve("--players", "1", "--start-after", "0", "--pace", "deadline:0.5",
                            "--ticks", "4", NULL);
    cr_assert_eq(fw_procs_wait(&s_g.procs, srv, 60000), 0, "serve exits 0");
    int64_t took = fw_clock_ms() - t0;
    cr_assert_geq(took, 4 * 500, "4 turns of 0.5 s took %lld ms", (long long)took);
    s_serve_wait("Game over: all 4 ticks played", 0, 1000);
    s_serve_wait(s_g.out, 0, 1000);
    cr_assert_eq(fw_game_metrics_rows(&s_g), 4);
}

Test(served, a_late_player_takes_an_empty_seat_from_the_house_bot)
{
    char log[400];
    int srv = s_start_serve("--players", "1", "--start-after", "0", "--pace", "deadline:0.5",
                            "--ticks", "8", NULL);
    s_serve_wait("[tick 1/8]", 0, 20000);
    snprintf(log, sizeof log, "%s/late.log", s_g.dir);
    char *args[] = {"--connect", s_g.listen, "--seat", "openai", "--name", "late",
                    "--log-level", "info", NULL};
    int late = fw_game_start(&s_g, "flywheel-agent", args, log);
    cr_assert_eq(fw_procs_wait(&s_g.procs, srv, 60000), 0, "serve exits 0");
    cr_assert_eq(fw_procs_wait(&s_g.procs, late, 10000), 0, "the late player is told the end");
    fw_record_t r;
    fw_game_record(&s_g, &r, "openai", 4);
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

/* A coordinator killed once is started again from its log by serve, and the player
 * plays on; killed a second time, it is told on the host's screen and the player's,
 * and what was played is kept. */
Test(served, a_dead_coordinator_is_restarted_once_then_told_on_the_hosts_and_the_players_screens)
{
    int srv = s_start_serve("--players", "1", "--pace", "deadline:20", "--ticks", "10", NULL);
    char endpoints[400];
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_g.out);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "serve did not start");
    fw_player_t p;
    fw_player_start(&s_g, &p, "openai", "", 1);
    fw_player_play(&s_g, &p, 1);
    fw_player_play(&s_g, &p, 2);
    fw_player_wait(&s_g, &p, 20000, "tick 3 on screen");
    pid_t coord = s_child_of(s_g.procs.pid[srv]);
    cr_assert_gt(coord, 0);
    int64_t killed = fw_clock_ms();
    kill(coord, SIGKILL);

    fw_player_wait(&s_g, &p, 15000, "lost contact with the game server");
    int64_t told = fw_clock_ms() - killed;
    cr_assert_lt(told, 5000, "the player is told within seconds (%lld ms)", (long long)told);
    s_serve_wait("restarting it from its log (once)", 0, 20000);
    /* The client finds the game again by itself, with tick 3 (the one being played when
     * the coordinator died) on screen, and plays on. */
    fw_player_wait(&s_g, &p, 30000, "Welcome back!");
    fw_player_send(&s_g, &p, 3);
    fw_player_play(&s_g, &p, 4);
    fw_player_wait(&s_g, &p, 20000, "tick 5 on screen");

    coord = s_child_of(s_g.procs.pid[srv]);
    cr_assert_gt(coord, 0);
    killed = fw_clock_ms();
    kill(coord, SIGKILL);
    fw_player_wait(&s_g, &p, 15000, "lost contact with the game server");
    cr_assert_eq(fw_procs_wait(&s_g.procs, srv, 20000), 1, "killed twice, serve exits 1");
    s_serve_wait("the coordinator stopped unexpectedly (killed by signal 9", 0, 1000);
    size_t rows = fw_game_metrics_rows(&s_g);
    cr_assert_geq(rows, 4, "metrics.csv holds every finished tick, before and after the "
                           "restart");
    char held[400];
    snprintf(held, sizeof held, "kept in %s: metrics.csv (ticks 1-%zu)", s_g.out, rows);
    s_serve_wait(held, 0, 1000);
    cr_assert(fw_procs_alive(&s_g.procs, p.proc), "the player's client waits for the game");
}

/* ---- churn: six players coming and going at random --------------------------------- */

#define CHURN_TICKS 60

/* A player of the churn: the human client, which sends its moves by itself shortly
 * before each turn ends, so the game moves at the turn timer's pace and the players'
 * comings and goings fall inside ticks. */
typedef struct {
    fw_player_t client;  /* its current client, if any */
    int running;        /* a client was started and not yet seen gone */
    int stopped;        /* SIGSTOPped */
    int starts;         /* clients started for it */
    char token[40];     /* the resume token of its last Welcome, "" if none yet */
} s_churner_t;

static void s_churn_start(s_churner_t *p, const char *id, int n)
{
    fw_player_start(&s_g, &p->client, id, p->token, n);
    p->starts++;
    p->running = 1;
    p->stopped = 0;
}

Test(served, six_players_joining_leaving_and_rejoining_at_random, .timeout = 240)
{
    static const char *ids[6] = {"nvidia", "tpu_maker", "aws", "google", "openai", "anthropic"};
    char ticks[16];
    s_churner_t players[6];
    unsigned seed = 20261204;
    int started = 0;

    snprintf(ticks, sizeof ticks, "%d", CHURN_TICKS);
    char *extra[] = {"--players", "6", "--start-after", "0", "--pace", "deadline:0.4",
                     "--takeover-after", "1", "--ticks", ticks, NULL};
    fw_game_start_coordinator(&s_g, extra);
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
    cr_assert_eq(zmq_connect(sub, s_g.publish), 0);
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
            int alive = p->running && fw_procs_alive(&s_g.procs, p->client.proc);
            unsigned r = rand_r(&seed) % 5;
            if (alive && !p->stopped) {
                char token[40];
                fw_player_token(&p->client, token, sizeof token);
                if (token[0])
                    snprintf(p->token, sizeof p->token, "%s", token);
            }
            if (alive && p->stopped) {
                kill(s_g.procs.pid[p->client.proc], SIGCONT);
                p->stopped = 0;
            } else if (alive && r == 0) {
                fw_pty_keys(p->client.pty, "q1\r");
            } else if (alive && r == 1) {
                kill(s_g.procs.pid[p->client.proc], SIGKILL);
            } else if (alive && r == 2) {
                kill(s_g.procs.pid[p->client.proc], SIGSTOP);
                p->stopped = 1;
            } else if (alive) {
                /* Enter: a player the house bot replaced asks for its seat back. */
                fw_pty_keys(p->client.pty, "\r");
            } else if (!alive && started < 100) {
                if (p->running) {
                    if (fw_procs_wait(&s_g.procs, p->client.proc, 0) == 3)
                        p->token[0] = '\0'; /* refused: come back as a newcomer */
                    fw_player_stop(&s_g, &p->client);
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
            kill(s_g.procs.pid[players[i].client.proc], SIGCONT);
    cr_assert_eq(fw_procs_wait(&s_g.procs, s_g.coord, 60000), 0,
                 "the game finishes (and the sanitizers found nothing)");
    cr_assert_eq(fw_game_metrics_rows(&s_g), CHURN_TICKS, "every tick recorded");
    int played_by_players = 0;
    for (int i = 0; i < 6; i++) {
        fw_record_t r;
        fw_game_record(&s_g, &r, ids[i], i);
        cr_assert_eq(r.ticks, CHURN_TICKS);
        cr_assert(r.final);
        for (uint32_t t = 1; t <= CHURN_TICKS; t++) {
            cr_assert_leq(r.actions[t], 1, "seat %s played tick %u twice", ids[i], t);
            if (r.holder[t] == FLYWHEEL__V1__HOLDER__HOLDER_HOUSE)
                cr_assert_eq(r.actions[t], 1, "seat %s: its house bot skipped tick %u", ids[i], t);
            played_by_players += r.holder[t] == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
        }
        cr_assert_gt(moves[i], 0, "seat %s churned", ids[i]);
        fw_player_stop(&s_g, &players[i].client);
    }
    cr_assert_gt(played_by_players, CHURN_TICKS, "players held seats for much of the game");
}

Test(served, a_player_at_a_wrong_address_is_told_so_and_the_client_gives_up_with_a_reason)
{
    char bin[1024], log[400];
    int proc;
    fw_test_build_path(bin, sizeof bin, "flywheel-agent");
    snprintf(log, sizeof log, "%s/wrong.log", s_g.dir);
    char *argv[] = {bin, "--strategy", "human", "--connect", s_g.listen, "--seat", "openai",
                    "--log-level", "info", "--idle-timeout", "6", NULL};
    int64_t t0 = fw_clock_ms();
    fw_pty_t *pty = fw_pty_start(&s_g.procs, argv, log, 80, 24, &proc);
    cr_assert_not_null(pty);
    s_g.ptys[s_g.n_ptys++] = pty;
    cr_assert_geq(fw_test_wait_text(log, "nothing answers at", 0, 10000), 0,
                  "the player is told nothing answers");
    cr_assert_lt(fw_clock_ms() - t0, 6000, "within a few seconds");
    cr_assert_eq(fw_procs_wait(&s_g.procs, proc, 20000), 5, "then it gives up: exit 5");
    cr_assert_geq(fw_test_wait_text(log, "gave up: no answer from the game server", 0, 1000), 0,
                  "with a reason");
    cr_assert_geq(fw_test_wait_text(log, "check the address", 0, 1000), 0,
                  "and what to do");
}

Test(served, a_player_whose_game_server_stops_answering_comes_back_by_itself)
{
    char *extra[] = {"--players", "1", "--pace", "deadline:30", "--takeover-after", "2",
                     "--ticks", "4", NULL};
    fw_game_start_coordinator(&s_g, extra);
    fw_player_t p;
    fw_player_start(&s_g, &p, "aws", "", 1);
    fw_player_play(&s_g, &p, 1);
    fw_player_wait(&s_g, &p, 20000, "tick 2 on screen");

    /* The server freezes: its kernel keeps the connection, only heartbeats tell. */
    kill(s_g.procs.pid[s_g.coord], SIGSTOP);
    fw_player_wait(&s_g, &p, 15000, "lost contact with the game server");
    kill(s_g.procs.pid[s_g.coord], SIGCONT);
    fw_player_wait(&s_g, &p, 20000, "back in the game: seat aws");
    /* Tick 2 is the player's if the server saw it back before it saw the old connection
     * close; else its house bot played it at once and tick 3 is on. Either way the seat
     * is the player's again from tick 3. */
    for (int i = 0; i < 100; i++) {
        fw_pty_keys(p.pty, "\r");
        if (fw_test_wait_text(p.log, "moves for tick 2", p.seen, 100) >= 0 ||
            fw_test_wait_text(p.log, "tick 3 on screen", p.seen, 100) >= 0)
            break;
    }
    fw_player_play(&s_g, &p, 3);
    fw_player_play(&s_g, &p, 4);
    cr_assert_eq(fw_procs_wait(&s_g.procs, s_g.coord, 30000), 0);
    fw_record_t r;
    fw_game_record(&s_g, &r, "aws", 2);
    for (uint32_t t = 1; t <= 4; t++) {
        if (t != 2)
            cr_assert_eq(r.holder[t], FLYWHEEL__V1__HOLDER__HOLDER_PLAYER, "tick %u", t);
        cr_assert_eq(r.actions[t], 1, "tick %u was played once", t);
    }
}

Test(served, a_pause_shows_on_every_screen_with_the_same_tick)
{
    char endpoints[400];
    int srv = s_start_serve("--players", "1", "--pace", "deadline:30", "--ticks", "4", NULL);
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", s_g.out);
    cr_assert_eq(fw_test_wait_file(endpoints, 20000), 0, "serve did not start");
    void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    cr_assert_eq(zmq_connect(sub, s_g.publish), 0);
    fw_player_t p;
    fw_player_start(&s_g, &p, "openai", "", 1);
    fw_player_play(&s_g, &p, 1);
    fw_player_wait(&s_g, &p, 20000, "tick 2 on screen");
    kill(s_g.procs.pid[srv], SIGUSR1); /* what p on the host's terminal does */
    fw_player_send(&s_g, &p, 2);

    /* The host's screen (and the coordinator's log on it), the player's, the viewers'. */
    s_serve_wait("paused after tick 2", 0, 20000);
    s_serve_wait("Paused after tick 2.", 0, 20000);
    fw_player_wait(&s_g, &p, 20000, "Paused by the teacher after tick 2");
    int seen = 0;
    for (int i = 0; i < 100 && !seen; i++) {
        fw_envelope_t *env = NULL;
        if (fw_proto_recv(sub, 100, &env) == FW_PROTO_OK && env->snapshot)
            seen = env->snapshot->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED &&
                   env->snapshot->tick == 2;
        fw_proto_free(&env);
    }
    cr_assert(seen, "viewers get a paused snapshot of tick 2");
    zmq_close(sub);
    zmq_ctx_term(ctx);

    kill(s_g.procs.pid[srv], SIGUSR2);
    fw_player_play(&s_g, &p, 3);
    fw_player_play(&s_g, &p, 4);
    cr_assert_eq(fw_procs_wait(&s_g.procs, srv, 30000), 0);
}

/* A name in UTF-8 (the player's terminal in a UTF-8 locale): the player's screen shows
 * its characters, not curses' escapes of its bytes (the help page's command to
 * take the seat back carries it), and the game records it as typed. */
Test(served, a_name_typed_in_utf8_is_shown_and_recorded_as_typed)
{
    static const char *name = "Zo\xc3\xab-\xc3\x85ngstr\xc3\xb6m"; /* Zoë-Ångström */
    setenv("LC_ALL", "C.UTF-8", 1);
    char *extra[] = {"--players", "1", "--pace", "deadline:30", "--ticks", "2", NULL};
    fw_game_start_coordinator(&s_g, extra);
    fw_player_t p;
    fw_player_start_named(&s_g, &p, "aws", name, 40, "", 1);
    fw_player_wait(&s_g, &p, 20000, "tick 1 on screen");
    static char screen[65536];
    fw_pty_keys(p.pty, "?");
    int shown = 0;
    for (int i = 0; i < 100 && !shown; i++) {
        fw_pty_screen(p.pty, screen, sizeof screen);
        shown = strstr(screen, name) != NULL;
        if (!shown)
            fw_clock_sleep_ms(50);
    }
    cr_assert(shown, "the help page shows %s; the screen's last bytes:\n%s", name,
              screen + (strlen(screen) > 1500 ? strlen(screen) - 1500 : 0));
    fw_pty_keys(p.pty, "?"); /* back from the help page */
    fw_player_send(&s_g, &p, 1);
    fw_player_play(&s_g, &p, 2);
    cr_assert_eq(fw_procs_wait(&s_g.procs, s_g.coord, 30000), 0);

    /* The snapshots name the player as typed. */
    char path[400];
    snprintf(path, sizeof path, "%s/events.log", s_g.out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fw_envelope_t *env = NULL;
    int named = 0;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT)
            for (size_t i = 0; i < env->snapshot->n_seats; i++)
                named += strcmp(env->snapshot->seats[i]->player, name) == 0;
        fw_proto_free(&env);
    }
    fclose(f);
    cr_assert_eq(named, 2, "both snapshots name %s", name);
}
