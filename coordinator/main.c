/* flywheel-coordinator: runs one market from a scenario. See docs/architecture.md. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "fw_coord.h"
#include "fw_heap.h"
#include "fw_log.h"
#include "fw_signal.h"
#include "fw_scenario.h"
#include "fw_version.h"

/* Set by the signal handlers, read by the run: a handler takes no arguments, so
 * these flags live at file scope. */
static volatile sig_atomic_t s_stop;
static volatile sig_atomic_t s_pause; /* SIGUSR1: pause after the current tick */
static volatile sig_atomic_t s_go;    /* SIGUSR2: resume, or start now from the lobby */

static void s_on_signal(int sig)
{
    if (sig == SIGUSR1) {
        s_pause = 1;
    } else if (sig == SIGUSR2) {
        s_pause = 0;
        s_go = 1;
    } else {
        s_stop = 1;
    }
}

/* Parses "lockstep" (0) or "deadline:SECONDS" (milliseconds > 0). -1 if neither. */
static long s_parse_pace(const char *s)
{
    if (strcmp(s, "lockstep") == 0)
        return 0;
    if (strncmp(s, "deadline:", 9) != 0)
        return -1;
    char *end;
    errno = 0;
    double secs = strtod(s + 9, &end);
    if (errno || end == s + 9 || *end || !(secs >= 0.05) || secs > 86400)
        return -1;
    return (long)(secs * 1000.0 + 0.5);
}

static void s_usage(FILE *f)
{
    fprintf(f,
        "usage: flywheel-coordinator --scenario FILE --listen URL --publish URL --out DIR\n"
        "                            [--seed N] [--ticks N] [--tick-timeout MS]\n"
        "                            [--join-timeout MS] [--log-level LEVEL]\n"
        "                            [--house-bots] [--players N] [--start-after S]\n"
        "                            [--pace lockstep|deadline:S] [--takeover-after K]\n"
        "\n"
        "Runs the market of a scenario: waits until the seats are claimed by agents on\n"
        "--listen (ROUTER), steps the ticks, publishes a Snapshot per tick on --publish\n"
        "(PUB), and writes events.log, metrics.csv and summary.json in --out.\n"
        "\n"
        "  --scenario FILE      scenario YAML (see docs/scenarios.md)\n"
        "  --listen URL         endpoint for agents: ipc://PATH or tcp://HOST:PORT (port * = any)\n"
        "  --publish URL        endpoint for observers (viewers, the launcher)\n"
        "  --out DIR            run directory, created if missing\n"
        "  --seed N             run seed (default: the scenario's run.seed)\n"
        "  --ticks N            ticks to run (default: the scenario's run.ticks)\n"
        "  --tick-timeout MS    wait at most this long for a tick's actions (default 5000)\n"
        "  --join-timeout MS    wait at most this long for every seat (default 60000; -1 forever)\n"
        "  --log-level LEVEL    debug, info, warn (default), error, quiet\n"
        "\n"
        "Network play (docs/network.md; `flywheel serve` sets these for you):\n"
        "  --house-bots         seats without a player are played by the built-in strategy\n"
        "                       of their role, inside the coordinator; lost players too\n"
        "  --players N          start as soon as N seats have players (default: all);\n"
        "                       implies --house-bots\n"
        "  --start-after S      start after S seconds in the lobby, house bots filling the\n"
        "                       empty seats (default: wait for the players); implies\n"
        "                       --house-bots\n"
        "  --pace P             lockstep (default: wait for every player, at most\n"
        "                       --tick-timeout) or deadline:S (a turn timer of S seconds;\n"
        "                       late actions miss the tick and are logged as late)\n"
        "  --resume             the run in --out died: replay its events.log (checking\n"
        "                       every tick's state hash; a torn last record is cut),\n"
        "                       take its players back with their resume tokens and play\n"
        "                       on from the next tick (same --scenario, --seed, --ticks)\n"
        "  --takeover-after K   the house bot replaces a player silent K ticks in a row\n"
        "                       (default 0 = never; a disconnected player is replaced at\n"
        "                       once); implies --house-bots\n"
        "\n"
        "Who may connect (CURVE: encryption and keys; docs/security.md):\n"
        "  --curve-secret FILE  this coordinator's key pair (NAME.key_secret, from\n"
        "                       `flywheel keys new`); players and viewers need its NAME.key\n"
        "  --allow DIR          admit players whose public keys (NAME.key) are in DIR;\n"
        "                       a key named after a seat plays only that seat\n"
        "  --allow-any          admit any player key (encrypted, but anyone may play)\n"
        "  --viewer-allow DIR   admit only these viewers (default: any viewer key)\n"
        "\n"
        "Signals: SIGUSR1 pauses after the current tick; SIGUSR2 resumes, or starts the\n"
        "game from the lobby at once (with house bots).\n"
        "\n"
        "Exit codes: 0 done, 1 a part failed, 2 bad usage or scenario, 130 interrupted.\n");
}

static int s_parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    fw_heap_tune();
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 's'}, {"listen", required_argument, NULL, 'l'},
        {"publish", required_argument, NULL, 'p'},  {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 'S'},     {"ticks", required_argument, NULL, 'T'},
        {"tick-timeout", required_argument, NULL, 't'},
        {"join-timeout", required_argument, NULL, 'j'},
        {"log-level", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"house-bots", no_argument, NULL, 'H'},     {"players", required_argument, NULL, 'P'},
        {"start-after", required_argument, NULL, 'A'},
        {"pace", required_argument, NULL, 'C'},
        {"takeover-after", required_argument, NULL, 'K'},
        {"curve-secret", required_argument, NULL, 'c'},
        {"allow", required_argument, NULL, 'a'},
        {"allow-any", no_argument, NULL, 'y'},
        {"viewer-allow", required_argument, NULL, 'v'},
        {"resume", no_argument, NULL, 'r'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
    const char *curve_secret = NULL, *allow = NULL, *viewer_allow = NULL;
    int allow_any = 0, resume = 0;
    const char *scenario = NULL, *listen = NULL, *publish = NULL, *out = NULL;
    uint64_t seed = 0, ticks = 0, tick_timeout = 5000;
    long join_timeout = 60000, deadline_ms = 0;
    uint64_t players = 0, takeover_after = 0;
    double start_after = -1;
    int seed_set = 0, level = FW_LOG_WARN, opt, house_bots = 0;

    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 's': scenario = optarg; break;
        case 'l': listen = optarg; break;
        case 'p': publish = optarg; break;
        case 'o': out = optarg; break;
        case 'S':
            if (s_parse_u64(optarg, &seed) != 0)
                goto bad_number;
            seed_set = 1;
            break;
        case 'T':
            if (s_parse_u64(optarg, &ticks) != 0 || ticks == 0 || ticks > 1000000)
                goto bad_number;
            break;
        case 't':
            if (s_parse_u64(optarg, &tick_timeout) != 0 || tick_timeout > 86400000)
                goto bad_number;
            break;
        case 'j': {
            char *end;
            join_timeout = strtol(optarg, &end, 10);
            if (*end || end == optarg)
                goto bad_number;
            break;
        }
        case 'L':
            level = fw_log_level_parse(optarg);
            if (level < 0) {
                fprintf(stderr, "flywheel-coordinator: unknown log level '%s'\n", optarg);
                return 2;
            }
            break;
        case 'H': house_bots = 1; break;
        case 'P':
            if (s_parse_u64(optarg, &players) != 0 || players == 0 || players > 100000)
                goto bad_number;
            house_bots = 1;
            break;
        case 'A': {
            char *end;
            errno = 0;
            start_after = strtod(optarg, &end);
            if (errno || end == optarg || *end || !(start_after >= 0) || start_after > 86400)
                goto bad_number;
            house_bots = 1;
            break;
        }
        case 'C':
            deadline_ms = s_parse_pace(optarg);
            if (deadline_ms < 0) {
                fprintf(stderr, "flywheel-coordinator: --pace is lockstep or deadline:SECONDS "
                                "(e.g. deadline:30), not '%s'\n", optarg);
                return 2;
            }
            break;
        case 'K':
            if (s_parse_u64(optarg, &takeover_after) != 0 || takeover_after > 1000000)
                goto bad_number;
            house_bots = 1;
            break;
        case 'c': curve_secret = optarg; break;
        case 'a': allow = optarg; break;
        case 'y': allow_any = 1; break;
        case 'v': viewer_allow = optarg; break;
        case 'r': resume = 1; break;
        case 'h': s_usage(stdout); return 0;
        case 'V': printf("flywheel-coordinator %s\n", FW_VERSION); return 0;
        default: s_usage(stderr); return 2;
        }
    }
    if (optind < argc || !scenario || !listen || !publish || !out) {
        fprintf(stderr, "flywheel-coordinator: --scenario, --listen, --publish and --out are "
                        "required\n");
        s_usage(stderr);
        return 2;
    }
    if (curve_secret && !allow == !allow_any) {
        fprintf(stderr, "flywheel-coordinator: --curve-secret needs one of --allow DIR (the "
                        "players' public keys) or --allow-any\n");
        return 2;
    }
    if (!curve_secret && (allow || allow_any || viewer_allow)) {
        fprintf(stderr, "flywheel-coordinator: --allow, --allow-any and --viewer-allow need "
                        "--curve-secret FILE (make one with `flywheel keys new`)\n");
        return 2;
    }
    fw_log_init("coordinator", "-", (fw_log_level_t)level);

    char err[512];
    fw_scenario_t *sc = fw_scenario_load(scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    /* A file over its size limit fails its write (EFBIG) instead of killing the process:
     * the coordinator then stops with the reason, as on a full disk. */
    static const int signals[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2},
                     ignored[] = {SIGPIPE, SIGXFSZ};
    if (fw_signal_catch(s_on_signal, signals, 4) != 0 || fw_signal_ignore(ignored, 2) != 0) {
        fprintf(stderr, "flywheel-coordinator: cannot catch signals: %s\n", strerror(errno));
        fw_scenario_destroy(&sc);
        return 1;
    }

    void *ctx = zmq_ctx_new();
    if (!ctx) {
        fprintf(stderr, "flywheel-coordinator: cannot create a ZeroMQ context\n");
        fw_scenario_destroy(&sc);
        return 1;
    }
    fw_coord_config_t cfg = {
        .scenario = sc, .listen = listen, .publish = publish, .out_dir = out,
        .seed = seed_set ? seed : sc->seed, .ticks = (uint32_t)ticks,
        .tick_timeout_ms = (int)tick_timeout, .join_timeout_ms = (int)join_timeout,
        .zmq_ctx = ctx, .stop = &s_stop,
        .house_bots = house_bots, .players = (uint32_t)players,
        .start_after_ms = start_after < 0 ? -1 : (int)(start_after * 1000.0 + 0.5),
        .deadline_ms = (int)deadline_ms, .takeover_after = (uint32_t)takeover_after,
        .pause = &s_pause, .go = &s_go,
        .curve_secret = curve_secret, .allow_dir = allow, .allow_any = allow_any,
        .viewer_allow_dir = viewer_allow, .resume = resume,
    };
    int rc = fw_coord_run(&cfg);
    zmq_ctx_term(ctx);
    fw_scenario_destroy(&sc);
    return rc;

bad_number:
    fprintf(stderr, "flywheel-coordinator: bad number '%s'\n", optarg);
    return 2;
}
