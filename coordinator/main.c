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
#include "fw_log.h"
#include "fw_scenario.h"
#include "fw_version.h"

static volatile sig_atomic_t s_stop; /* set by the signal handler, read by the run */

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_usage(FILE *f)
{
    fprintf(f,
        "usage: flywheel-coordinator --scenario FILE --listen URL --publish URL --out DIR\n"
        "                            [--seed N] [--ticks N] [--tick-timeout MS]\n"
        "                            [--join-timeout MS] [--log-level LEVEL]\n"
        "\n"
        "Runs the market of a scenario: waits until every seat is claimed by an agent on\n"
        "--listen (ROUTER), steps the ticks in lockstep, publishes a Snapshot per tick on\n"
        "--publish (PUB), and writes events.log, metrics.csv and summary.json in --out.\n"
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
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 's'}, {"listen", required_argument, NULL, 'l'},
        {"publish", required_argument, NULL, 'p'},  {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 'S'},     {"ticks", required_argument, NULL, 'T'},
        {"tick-timeout", required_argument, NULL, 't'},
        {"join-timeout", required_argument, NULL, 'j'},
        {"log-level", required_argument, NULL, 'L'}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},        {NULL, 0, NULL, 0}};
    const char *scenario = NULL, *listen = NULL, *publish = NULL, *out = NULL;
    uint64_t seed = 0, ticks = 0, tick_timeout = 5000;
    long join_timeout = 60000;
    int seed_set = 0, level = FW_LOG_WARN, opt;

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
    fw_log_init("coordinator", "-", (fw_log_level_t)level);

    char err[512];
    fw_scenario_t *sc = fw_scenario_load(scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return 2;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal; /* no SA_RESTART: blocking calls return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

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
    };
    int rc = fw_coord_run(&cfg);
    zmq_ctx_term(ctx);
    fw_scenario_destroy(&sc);
    return rc;

bad_number:
    fprintf(stderr, "flywheel-coordinator: bad number '%s'\n", optarg);
    return 2;
}
