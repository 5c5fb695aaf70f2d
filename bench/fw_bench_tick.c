/* flywheel-bench-tick: what a tick costs the coordinator when every seat is a house
 * bot, measured in process and split by stage. See docs/architecture.md
 * ("Benchmarks") and scripts/bench, which runs it and takes the medians.
 *
 * Each tick does what the coordinator does for its house bots, in the same order and
 * with the same bots (the scenario's strategy or the role's default, seeded from the
 * run seed and the seat index), so a run here clears exactly the ticks that
 * `flywheel-coordinator --house-bots` would: the state hash printed at the end is the
 * one in the coordinator's last Snapshot. What is timed, on this thread's CPU clock:
 *
 *   agents (house bots)  the tick opened (its events fired), the common market view
 *                        built once, and for each seat its own view, its strategy's
 *                        turn and the deep copy of its actions into the inbox, as
 *                        the coordinator's house turn does;
 *   actions in           the seats' actions resolved for the market (fw_market_step
 *                        before its first stage);
 *   each stage           as fw_market_profile reports it;
 *   outputs              the books checked, the Snapshot and every TickResult built.
 *
 * What the coordinator does besides (sending, publishing, events.log, metrics.csv)
 * is left out: no sockets, no files.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fw_agent.h"
#include "fw_arena.h"
#include "fw_inbox.h"
#include "fw_log.h"
#include "fw_market.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_strategy.h"
#include "fw_version.h"

#define S_MAX_WINDOWS 16
#define S_MAX_TICKS 1000000u

typedef struct {
    uint32_t from, to; /* ticks, inclusive */
    double wall;       /* seconds summed over the ticks of the window cleared so far */
    double cpu;
    uint32_t n;        /* ticks of the window cleared */
} s_window_t;

typedef struct {
    const fw_scenario_t *sc;
    fw_market_t *market;
    fw_inbox_t *inbox;
    fw_agent_seat_t **bots;   /* n_seats */
    fw_arena_t *view_arena;   /* the tick's common view */
    fw_arena_t *house_arena;  /* one seat's TickStart, while its bot reads it */
    fw_arena_t *tick_arena;   /* the tick's actions, results and snapshot */
    Flywheel__V1__MarketView view;
    /* How much each seat has to handle, summed over the measured ticks: what makes a
     * seat's turn cost more in a larger market (see s_print_work). */
    double holdings, actions, fills, refusals, quotes;
    bool measuring;
    char run_id[40];
} s_bench_t;

static void s_usage(FILE *f)
{
    fprintf(f,
        "usage: flywheel-bench-tick --scenario FILE [--ticks N] [--seed S] [--warmup K]\n"
        "                           [--window A:B ...]\n"
        "\n"
        "Runs a scenario in this process with every seat played by its house bot, as\n"
        "`flywheel-coordinator --house-bots` plays it, and prints the CPU time a tick\n"
        "costs: the house bots' turns (views, strategies, actions in) and each stage of\n"
        "the clearing, per tick and per seat per tick, averaged over the ticks after the\n"
        "warm-up, and the ticks per second. Sends nothing and writes no file.\n"
        "\n"
        "  --scenario FILE   scenario YAML (`flywheel scenario synth` makes large ones)\n"
        "  --ticks N         ticks to run (default: the scenario's run.ticks)\n"
        "  --seed S          run seed (default: the scenario's run.seed)\n"
        "  --warmup K        ticks run before measuring (default 0)\n"
        "  --window A:B      also print wall and CPU ms per tick over ticks A to B\n"
        "                    (inclusive); up to %d windows, e.g. --window 90:110\n"
        "                    --window 3990:4010 to compare a long run's start and end\n"
        "  --log-level L     debug, info, warn, error (default), quiet\n"
        "\n"
        "Exit codes: 0 done, 1 a tick could not be cleared (the windows done so far are\n"
        "printed first) or out of memory, 2 bad usage or scenario.\n",
        S_MAX_WINDOWS);
}

static int s_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int s_parse_window(const char *s, s_window_t *w)
{
    char a[24];
    const char *colon = strchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof a)
        return -1;
    memcpy(a, s, (size_t)(colon - s));
    a[colon - s] = '\0';
    memset(w, 0, sizeof *w);
    if (s_parse_u32(a, S_MAX_TICKS, &w->from) != 0 ||
        s_parse_u32(colon + 1, S_MAX_TICKS, &w->to) != 0 || w->from == 0 || w->to < w->from)
        return -1;
    return 0;
}

static double s_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* An envelope to `seat`, as the coordinator addresses one. */
static void s_envelope(const s_bench_t *b, fw_envelope_t *env, uint32_t seat, uint32_t tick)
{
    flywheel__v1__envelope__init(env);
    env->protocol_version = FW_PROTOCOL_VERSION;
    env->run_id = (char *)b->run_id;
    env->tick = tick;
    env->seat = (char *)b->sc->seats[seat].id;
}

/* Every seat's house bot, made from its Welcome as the coordinator makes them.
 * Returns 0, or -1 with the reason on stderr. */
static int s_make_bots(s_bench_t *b, uint64_t seed)
{
    for (uint32_t s = 0; s < b->sc->n_seats; s++) {
        fw_envelope_t env;
        Flywheel__V1__Welcome w;
        char err[256];
        const char *name = b->sc->seats[s].strategy;
        fw_arena_reset(b->house_arena);
        fw_market_welcome(b->market, s, seed, b->house_arena, &w);
        s_envelope(b, &env, s, 0);
        env.seq = 1;
        env.body_case = FLYWHEEL__V1__ENVELOPE__BODY_WELCOME;
        env.welcome = &w;
        b->bots[s] = fw_agent_seat_new(&env, name[0] && fw_strategy_find(name) ? name : NULL,
                                       err, sizeof err);
        if (!b->bots[s]) {
            fprintf(stderr, "flywheel-bench-tick: seat %s: no house bot: %s\n",
                    b->sc->seats[s].id, err);
            return -1;
        }
    }
    return 0;
}

/* Seat's house bot plays tick `tick`: a copy of its actions goes into the inbox, what
 * the coordinator's house turn puts there. */
static int s_house_turn(s_bench_t *b, uint32_t seat, uint32_t tick)
{
    fw_envelope_t obs;
    Flywheel__V1__TickStart ts;
    const fw_envelope_t *reply = NULL;
    int rc = 0;

    flywheel__v1__tick_start__init(&ts);
    fw_arena_reset(b->house_arena);
    fw_market_view_seat(b->market, seat, b->house_arena, &b->view, &ts);
    ts.house_plays = 1;
    s_envelope(b, &obs, seat, tick);
    obs.body_case = FLYWHEEL__V1__ENVELOPE__BODY_TICK_START;
    obs.tick_start = &ts;
    if (b->measuring && ts.me)
        b->holdings += (double)(ts.me->n_installed + ts.me->n_incoming);
    if (fw_agent_seat_on_message(b->bots[seat], &obs, &reply) != FW_AGENT_CONTINUE || !reply)
        return 0; /* the seat does nothing this tick, as in the coordinator */
    if (b->measuring && reply->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS) {
        const Flywheel__V1__Actions *a = reply->actions;
        b->actions += (double)(a->n_chip_offers + a->n_chip_orders + a->n_compute_offers +
                               a->n_compute_bids + a->n_proposals + a->n_answers);
    }
    if (fw_inbox_put_copy(b->inbox, seat, reply) != FW_INBOX_ACCEPTED) {
        fprintf(stderr, "flywheel-bench-tick: seat %s, tick %u: the house bot's actions "
                        "could not be taken\n", b->sc->seats[seat].id, tick);
        rc = -1;
    }
    return rc;
}

/* The work behind the figures: per seat per tick, means over the measured ticks. A
 * market whose seats each hold more (more chip families bought, so more lots and
 * offers per cloud; more offers to choose from per lab) costs more per seat. */
static void s_print_work(const s_bench_t *b, uint32_t measured)
{
    double n = (double)measured * (b->sc->n_seats ? b->sc->n_seats : 1);
    if (measured == 0)
        return;
    printf("%-24s  %12s\n", "per seat per tick", "mean");
    printf("%-24s  %12.2f\n", "holdings in its view", b->holdings / n);
    printf("%-24s  %12.2f\n", "compute offers in view", b->quotes / measured);
    printf("%-24s  %12.2f\n", "actions sent", b->actions / n);
    printf("%-24s  %12.2f\n", "fills", b->fills / n);
    printf("%-24s  %12.2f\n", "refusals", b->refusals / n);
}

static void s_print_windows(const s_window_t *win, size_t n_win)
{
    int header = 0;
    for (size_t i = 0; i < n_win; i++) {
        if (win[i].n == 0)
            continue;
        if (!header) {
            printf("%-24s  %12s  %12s\n", "window (ticks)", "wall ms/tick", "CPU ms/tick");
            header = 1;
        }
        char name[48];
        snprintf(name, sizeof name, "%u:%u%s", win[i].from, win[i].to,
                 win[i].n < win[i].to - win[i].from + 1 ? " (part)" : "");
        printf("%-24s  %12.3f  %12.3f\n", name, 1e3 * win[i].wall / win[i].n,
               1e3 * win[i].cpu / win[i].n);
    }
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 's'}, {"ticks", required_argument, NULL, 'T'},
        {"seed", required_argument, NULL, 'S'},     {"warmup", required_argument, NULL, 'w'},
        {"window", required_argument, NULL, 'W'},   {"log-level", required_argument, NULL, 'L'},
        {"help", no_argument, NULL, 'h'},           {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    const char *scenario = NULL;
    uint32_t ticks = 0, warmup = 0;
    uint64_t seed = 0;
    int seed_set = 0, level = FW_LOG_ERROR, opt;
    s_window_t win[S_MAX_WINDOWS];
    size_t n_win = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 's': scenario = optarg; break;
        case 'T':
            if (s_parse_u32(optarg, S_MAX_TICKS, &ticks) != 0 || ticks == 0)
                goto bad_number;
            break;
        case 'S': {
            char *end;
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-')
                goto bad_number;
            seed_set = 1;
            break;
        }
        case 'w':
            if (s_parse_u32(optarg, S_MAX_TICKS, &warmup) != 0)
                goto bad_number;
            break;
        case 'W':
            if (n_win == S_MAX_WINDOWS) {
                fprintf(stderr, "flywheel-bench-tick: at most %d windows\n", S_MAX_WINDOWS);
                return 2;
            }
            if (s_parse_window(optarg, &win[n_win]) != 0) {
                fprintf(stderr, "flywheel-bench-tick: --window is FIRST:LAST, two ticks "
                                "with 1 <= FIRST <= LAST, not '%s'\n", optarg);
                return 2;
            }
            n_win++;
            break;
        case 'L':
            level = fw_log_level_parse(optarg);
            if (level < 0) {
                fprintf(stderr, "flywheel-bench-tick: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'h': s_usage(stdout); return 0;
        case 'V': printf("flywheel-bench-tick %s\n", FW_VERSION); return 0;
        default: s_usage(stderr); return 2;
        }
    }
    if (optind < argc || !scenario) {
        fprintf(stderr, "flywheel-bench-tick: --scenario is required\n");
        s_usage(stderr);
        return 2;
    }
    fw_log_init("bench", "-", (fw_log_level_t)level);

    char err[512];
    fw_scenario_t *sc = fw_scenario_load(scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    if (!ticks)
        ticks = sc->ticks;
    if (warmup >= ticks) {
        fprintf(stderr, "flywheel-bench-tick: --warmup %u leaves none of the %u ticks to "
                        "measure\n", warmup, ticks);
        fw_scenario_destroy(&sc);
        return 2;
    }
    if (!seed_set)
        seed = sc->seed;

    int rc = 1;
    size_t n_stages = fw_market_stage_count();
    uint32_t n_seats = (uint32_t)sc->n_seats;
    s_bench_t bench = {0}, *b = &bench;
    b->sc = sc;
    snprintf(b->run_id, sizeof b->run_id, "bench-%016" PRIx64, seed);
    b->market = fw_market_new(sc, ticks);
    b->inbox = fw_inbox_new(n_seats);
    b->bots = calloc(n_seats ? n_seats : 1, sizeof *b->bots);
    b->view_arena = fw_arena_new();
    b->house_arena = fw_arena_new();
    b->tick_arena = fw_arena_new();
    double *step_prof = calloc(n_stages + 1, sizeof *step_prof); /* one tick's */
    double *prof = calloc(n_stages + 1, sizeof *prof);           /* the measured ticks' */
    if (!b->market || !b->inbox || !b->bots || !b->view_arena || !b->house_arena ||
        !b->tick_arena || !step_prof || !prof) {
        fprintf(stderr, "flywheel-bench-tick: out of memory making the market\n");
        goto out;
    }
    if (s_make_bots(b, seed) != 0)
        goto out;
    fw_market_profile(b->market, step_prof);

    double agents = 0, intake = 0, cpu_total = 0, wall_total = 0;
    uint64_t state_hash = 0;
    for (uint32_t t = 1; t <= ticks; t++) {
        double w0 = s_clock(CLOCK_MONOTONIC), c0 = s_clock(CLOCK_THREAD_CPUTIME_ID);
        fw_inbox_open(b->inbox, t);
        fw_market_prepare(b->market);
        fw_arena_reset(b->view_arena);
        fw_market_view_common(b->market, b->view_arena, &b->view);
        b->measuring = t > warmup;
        if (b->measuring)
            b->quotes += (double)b->view.n_compute_quotes;
        for (uint32_t s = 0; s < n_seats; s++)
            if (s_house_turn(b, s, t) != 0)
                goto out;
        double c1 = s_clock(CLOCK_THREAD_CPUTIME_ID);

        Flywheel__V1__Snapshot snap;
        fw_arena_reset(b->tick_arena);
        Flywheel__V1__Actions **actions =
            fw_arena_calloc(b->tick_arena, n_seats ? n_seats : 1, sizeof *actions);
        Flywheel__V1__TickResult **results =
            fw_arena_calloc(b->tick_arena, n_seats ? n_seats : 1, sizeof *results);
        flywheel__v1__snapshot__init(&snap);
        fw_inbox_actions(b->inbox, actions);
        memset(step_prof, 0, (n_stages + 1) * sizeof *step_prof);
        int mrc = fw_market_step(b->market, actions, b->tick_arena, results, &snap, err,
                                 sizeof err);
        double c2 = s_clock(CLOCK_THREAD_CPUTIME_ID), w2 = s_clock(CLOCK_MONOTONIC);
        if (mrc != FW_MARKET_OK) {
            s_print_windows(win, n_win);
            fflush(stdout);
            const char *why = mrc == FW_MARKET_EBOOKS    ? err
                              : mrc == FW_MARKET_ENOMEM ? "out of memory"
                                                        : "the run is over";
            char own[32]; /* the market's reason may name the tick already */
            snprintf(own, sizeof own, "tick %u: ", t);
            if (strncmp(why, own, strlen(own)) == 0)
                why += strlen(own);
            fprintf(stderr, "flywheel-bench-tick: %s: tick %u could not be cleared: %s\n",
                    scenario, t, why);
            goto out;
        }
        state_hash = snap.state_hash;
        for (size_t i = 0; i < n_win; i++) {
            if (win[i].from <= t && t <= win[i].to) {
                win[i].wall += w2 - w0;
                win[i].cpu += c2 - c0;
                win[i].n++;
            }
        }
        if (t <= warmup)
            continue;
        for (uint32_t s = 0; s < n_seats; s++) {
            b->fills += results[s] ? (double)results[s]->n_fills : 0.0;
            b->refusals += results[s] ? (double)results[s]->n_rejected : 0.0;
        }
        double profiled = 0;
        for (size_t i = 0; i <= n_stages; i++) {
            prof[i] += step_prof[i];
            profiled += step_prof[i];
        }
        agents += c1 - c0;
        intake += (c2 - c1) - profiled;
        cpu_total += c2 - c0;
        wall_total += w2 - w0;
    }

    uint32_t measured = ticks - warmup;
    double per_tick = 1e6 / measured, per_seat = per_tick / (n_seats ? n_seats : 1);
    printf("flywheel-bench-tick: %s (%s): %u seats, every one a house bot; seed %" PRIu64
           "; ticks %u to %u measured after %u of warm-up\n",
           scenario, sc->name, n_seats, seed, warmup + 1, ticks, warmup);
    printf("%-24s  %12s  %12s\n", "CPU per tick", "us/tick", "us/seat/tick");
    printf("%-24s  %12.1f  %12.3f\n", "agents (house bots)", agents * per_tick,
           agents * per_seat);
    printf("%-24s  %12.1f  %12.3f\n", "actions in", intake * per_tick, intake * per_seat);
    for (size_t i = 0; i < n_stages; i++)
        printf("%-24s  %12.1f  %12.3f\n", fw_market_stage_name(i), prof[i] * per_tick,
               prof[i] * per_seat);
    printf("%-24s  %12.1f  %12.3f\n", "outputs", prof[n_stages] * per_tick,
           prof[n_stages] * per_seat);
    printf("%-24s  %12.1f  %12.3f\n", "total", cpu_total * per_tick, cpu_total * per_seat);
    printf("%-24s  %12.1f\n", "ticks/s (wall)", wall_total > 0 ? measured / wall_total : 0.0);
    s_print_work(b, measured);
    s_print_windows(win, n_win);
    printf("state hash after tick %u: %016" PRIx64 "\n", ticks, state_hash);
    rc = 0;

out:
    for (uint32_t s = 0; b->bots && s < n_seats; s++)
        fw_agent_seat_destroy(&b->bots[s]);
    free(b->bots);
    free(prof);
    free(step_prof);
    fw_arena_destroy(&b->tick_arena);
    fw_arena_destroy(&b->house_arena);
    fw_arena_destroy(&b->view_arena);
    fw_inbox_destroy(&b->inbox);
    fw_market_destroy(&b->market);
    fw_scenario_destroy(&sc);
    return rc;

bad_number:
    fprintf(stderr, "flywheel-bench-tick: bad number '%s'\n", optarg);
    return 2;
}
