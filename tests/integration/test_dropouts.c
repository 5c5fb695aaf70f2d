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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_proto.h"
#include "fw_testgame.h"

#define TICKS 6
/* Long enough for a player's Enter on a loaded machine; only ticks nobody plays (or a
 * silent player's) run it out. */
#define TURN "deadline:4"

static fw_game_t s_g;

static void s_setup(void)
{
    fw_game_init(&s_g);
}

static void s_teardown(void)
{
    fw_game_fini(&s_g);
}

/* The coordinator of a served game on classroom.yaml, waiting for one player. */
static void s_start_coordinator(void)
{
    char ticks[16];
    snprintf(ticks, sizeof ticks, "%d", TICKS);
    char *extra[] = {"--players", "1", "--pace", TURN, "--takeover-after", "1", "--ticks",
                     ticks, NULL};
    fw_game_start_coordinator(&s_g, extra);
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
    snprintf(s_g.what, sizeof s_g.what, "%s", what);
    s_start_coordinator();
    fw_player_t first, again;
    fw_player_start(&s_g, &first, seat, "", 1);
    fw_player_wait(&s_g, &first, 20000, "resume token: ");
    fw_player_token(&first, token, sizeof token);

    /* Tick 1 is the player's; it leaves in tick 2 at the moment of the case. */
    fw_player_play(&s_g, &first, 1);
    fw_player_wait(&s_g, &first, 20000, "tick 2 on screen");
    if (c->moment == AT_BETWEEN_TICKS)
        kill(s_g.procs.pid[s_g.coord], SIGUSR1); /* the host pauses after tick 2 */
    if (c->moment != AT_BEFORE_SENDING)
        fw_player_send(&s_g, &first, 2);
    long from = 0;
    if (c->moment == AT_BETWEEN_TICKS)
        from = fw_game_wait_text(&s_g, s_g.coord_log, "paused after tick 2", 0, 20000);
    switch (c->way) {
    case WAY_QUIT:
        fw_pty_keys(first.pty, "q1\r");
        cr_assert_eq(fw_procs_wait(&s_g.procs, first.proc, 10000), 0,
                     "%s: the client leaves with exit 0", what);
        break;
    case WAY_KILL:
        kill(s_g.procs.pid[first.proc], SIGKILL);
        cr_assert_eq(fw_procs_wait(&s_g.procs, first.proc, 10000), 128 + SIGKILL);
        break;
    case WAY_SILENT:
        kill(s_g.procs.pid[first.proc], SIGSTOP);
        break;
    }
    if (c->moment == AT_BETWEEN_TICKS)
        kill(s_g.procs.pid[s_g.coord], SIGUSR2); /* resume */
    long paused_at = from;
    from = fw_game_wait_text(&s_g, s_g.coord_log, "the house bot takes over at tick", from, 30000);
    /* The game must be running again before the player comes back: a player back while
     * it is still paused takes its seat before the next tick opens, and the house bot
     * would have played nothing (right, but not the case under test). */
    if (c->moment == AT_BETWEEN_TICKS)
        fw_game_wait_text(&s_g, s_g.coord_log, "coordinator: resumed", paused_at, 30000);

    /* Back: a new client with the token, or the same one woken up. */
    fw_player_t *back = &first;
    if (c->way == WAY_SILENT) {
        kill(s_g.procs.pid[first.proc], SIGCONT);
    } else {
        fw_player_stop(&s_g, &first);
        fw_player_start(&s_g, &again, seat, token, 2);
        back = &again;
    }
    /* A player back on its old connection asks for the seat by sending moves. */
    long at = -1;
    for (int i = 0; i < 100 && at < 0; i++) {
        if (c->way == WAY_SILENT)
            fw_pty_keys(back->pty, "\r");
        at = fw_test_wait_text(s_g.coord_log, "handed back to alice at tick ", from, 300);
    }
    from = fw_game_wait_text(&s_g, s_g.coord_log, "handed back to alice at tick ", from, 1000);
    char *log = fw_test_read_file(s_g.coord_log, NULL);
    unsigned handed = 0;
    cr_assert(log && sscanf(log + from, "%u", &handed) == 1);
    free(log);
    cr_assert_leq(handed, TICKS, "%s: handed back at tick %u", what, handed);
    for (uint32_t t = handed; t <= TICKS; t++)
        fw_player_play(&s_g, back, t);
    cr_assert_eq(fw_procs_wait(&s_g.procs, s_g.coord, 60000), 0, "%s: the game finishes", what);

    fw_record_t r;
    fw_game_record(&s_g, &r, seat, seat_index);
    cr_assert_eq(r.ticks, TICKS, "%s: every tick has its snapshot", what);
    cr_assert(r.final, "%s: the last snapshot is final", what);
    cr_assert_eq(fw_game_metrics_rows(&s_g), TICKS, "%s: metrics.csv has a row per tick", what);
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

