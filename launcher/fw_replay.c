/* fw_replay: see fw_replay.h. */
#include "fw_replay.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fw_arena.h"
#include "fw_log.h"
#include "fw_market.h"
#include "fw_proto.h"
#include "fw_scenario.h"

void fw_replay_usage(FILE *out)
{
    fprintf(out,
            "usage: flywheel replay --verify DIR\n"
            "\n"
            "Recomputes a run from DIR/events.log: loads the scenario the log names\n"
            "(its text is in the log; a scenario that extends another needs the base\n"
            "where the log says it was), clears every tick again with the actions the\n"
            "log holds, and compares each tick's state hash with the logged one.\n"
            "\n"
            "  --verify DIR   the run directory (or the events.log itself)\n"
            "  -q, --quiet    print only a failure\n"
            "  -h, --help     this text\n"
            "\n"
            "Exit codes: 0 every tick matches, 1 a tick differs (named), 2 bad usage,\n"
            "3 the log cannot be read or its scenario loaded.\n");
}

/* The replay's state: the market and the tick being gathered. */
typedef struct {
    fw_scenario_t *sc;
    fw_market_t *m;
    fw_arena_t *arena;
    fw_envelope_t **acted;              /* per seat: this tick's Actions, or NULL */
    Flywheel__V1__Actions **actions;    /* per seat, for fw_market_step */
    Flywheel__V1__TickResult **results; /* per seat */
    uint32_t ticks_checked;
} s_replay_t;

static void s_forget_actions(s_replay_t *r)
{
    for (uint32_t s = 0; r->acted && s < r->sc->n_seats; s++)
        fw_proto_free(&r->acted[s]);
}

static void s_free(s_replay_t *r)
{
    s_forget_actions(r);
    free(r->acted);
    free(r->actions);
    free(r->results);
    fw_arena_destroy(&r->arena);
    fw_market_destroy(&r->m);
    fw_scenario_destroy(&r->sc);
}

/* The market from the log's header. Returns 0, or -1 with the reason printed. */
static int s_open(s_replay_t *r, const char *log_path, const Flywheel__V1__RunHeader *h)
{
    char err[512];
    r->sc = fw_scenario_parse(h->scenario_path, h->scenario_text, strlen(h->scenario_text), err,
                              sizeof err);
    if (!r->sc) {
        fprintf(stderr, "flywheel replay: %s: the logged scenario does not load: %s\n", log_path,
                err);
        return -1;
    }
    if (h->n_seats != r->sc->n_seats) {
        fprintf(stderr, "flywheel replay: %s: the log has %zu seats, its scenario %zu\n",
                log_path, h->n_seats, r->sc->n_seats);
        return -1;
    }
    for (size_t i = 0; i < h->n_seats; i++)
        if (strcmp(h->seats[i], r->sc->seats[i].id) != 0) {
            fprintf(stderr, "flywheel replay: %s: seat %zu is '%s' in the log, '%s' in its "
                    "scenario\n", log_path, i, h->seats[i], r->sc->seats[i].id);
            return -1;
        }
    r->m = fw_market_new(r->sc, h->ticks);
    r->arena = fw_arena_new();
    uint32_t n = r->sc->n_seats ? r->sc->n_seats : 1;
    r->acted = calloc(n, sizeof *r->acted);
    r->actions = calloc(n, sizeof *r->actions);
    r->results = calloc(n, sizeof *r->results);
    if (!r->m || !r->arena || !r->acted || !r->actions || !r->results) {
        fprintf(stderr, "flywheel replay: out of memory\n");
        return -1;
    }
    return 0;
}

/* Clears the gathered tick and compares its hash with the logged snapshot's. */
static int s_check_tick(s_replay_t *r, const fw_envelope_t *logged, bool quiet)
{
    char err[256] = "";
    uint32_t t = fw_market_tick(r->m) + 1;
    if (logged->tick != t) {
        printf("flywheel replay: the log's snapshot is of tick %u where tick %u was due\n",
               logged->tick, t);
        return FW_REPLAY_DIFFERS;
    }
    for (uint32_t s = 0; s < r->sc->n_seats; s++)
        r->actions[s] = r->acted[s] ? r->acted[s]->actions : NULL;
    Flywheel__V1__Snapshot snap;
    flywheel__v1__snapshot__init(&snap);
    fw_arena_reset(r->arena);
    fw_market_prepare(r->m);
    int rc = fw_market_step(r->m, r->actions, r->arena, r->results, &snap, err, sizeof err);
    s_forget_actions(r);
    if (rc != FW_MARKET_OK) {
        printf("flywheel replay: tick %u cannot be cleared again: %s\n", t, err);
        return FW_REPLAY_DIFFERS;
    }
    if (snap.state_hash != logged->snapshot->state_hash) {
        printf("flywheel replay: tick %u differs: state hash %016" PRIx64 " recomputed, "
               "%016" PRIx64 " in the log\n", t, snap.state_hash, logged->snapshot->state_hash);
        return FW_REPLAY_DIFFERS;
    }
    r->ticks_checked = t;
    if (!quiet && t % 100 == 0)
        fprintf(stderr, "flywheel replay: tick %u matches\n", t);
    return FW_REPLAY_OK;
}

static int s_verify(const char *path, bool quiet)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "flywheel replay: cannot open %s\n", path);
        return FW_REPLAY_BADLOG;
    }
    s_replay_t r = {0};
    fw_envelope_t *env = NULL;
    int rc = fw_proto_read_delimited(f, &env);
    if (rc != FW_PROTO_OK || env->body_case != FLYWHEEL__V1__ENVELOPE__BODY_RUN_HEADER) {
        fprintf(stderr, "flywheel replay: %s does not start with a run header\n", path);
        fw_proto_free(&env);
        fclose(f);
        return FW_REPLAY_BADLOG;
    }
    int verdict = s_open(&r, path, env->run_header) == 0 ? FW_REPLAY_OK : FW_REPLAY_BADLOG;
    fw_proto_free(&env);
    while (verdict == FW_REPLAY_OK && (rc = fw_proto_read_delimited(f, &env)) == FW_PROTO_OK) {
        switch (env->body_case) {
        case FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS: {
            int seat = env->seat ? fw_scenario_seat(r.sc, env->seat) : -1;
            if (seat < 0 || r.acted[seat]) {
                printf("flywheel replay: tick %u: actions of %s'%s' in the log\n",
                       fw_market_tick(r.m) + 1, seat < 0 ? "an unknown seat " : "a second ",
                       env->seat ? env->seat : "");
                verdict = FW_REPLAY_DIFFERS;
                break;
            }
            r.acted[seat] = env;
            env = NULL;
            break;
        }
        case FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT:
            verdict = s_check_tick(&r, env, quiet);
            break;
        default:
            break; /* other records say nothing about the state */
        }
        fw_proto_free(&env);
    }
    fw_proto_free(&env);
    fclose(f);
    if (verdict == FW_REPLAY_OK && rc != FW_PROTO_EOF) {
        printf("flywheel replay: %s: %s after tick %u\n", path, fw_proto_strerror(rc),
               r.ticks_checked);
        verdict = rc == FW_PROTO_ETRUNCATED ? FW_REPLAY_BADLOG : FW_REPLAY_DIFFERS;
    }
    if (verdict == FW_REPLAY_OK && !quiet)
        printf("flywheel replay: %s: %u ticks recomputed, every state hash matches\n", path,
               r.ticks_checked);
    s_free(&r);
    return verdict;
}

int fw_replay_main(int argc, char **argv)
{
    static const struct option longs[] = {
        {"verify", required_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    bool quiet = false;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "qh", longs, NULL)) != -1) {
        switch (c) {
        case 'v': dir = optarg; break;
        case 'q': quiet = true; break;
        case 'h': fw_replay_usage(stdout); return FW_REPLAY_OK;
        default: fw_replay_usage(stderr); return FW_REPLAY_USAGE;
        }
    }
    if (!dir || optind != argc) {
        fprintf(stderr, "flywheel replay: give --verify DIR\n");
        fw_replay_usage(stderr);
        return FW_REPLAY_USAGE;
    }
    fw_log_init("replay", NULL, FW_LOG_ERROR);
    char path[4096];
    size_t len = strlen(dir);
    if (len > 10 && strcmp(dir + len - 10, "events.log") == 0)
        snprintf(path, sizeof path, "%s", dir);
    else
        snprintf(path, sizeof path, "%s/events.log", dir);
    return s_verify(path, quiet);
}
