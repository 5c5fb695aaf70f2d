/* flywheel: one command runs a whole simulation.
 *
 *   flywheel run SCENARIO [--out DIR] [--seed N] [--ticks N] [--transport ipc|tcp]
 *                         [--tick-timeout MS] [--view] [--quiet] [--log-level L]
 *
 * Loads the scenario first (a bad file starts nothing, exit 2), starts the coordinator,
 * waits for it to publish its endpoints, subscribes to its snapshots, starts one agent
 * per seat (and, with --view, a viewer window), shows progress until the coordinator
 * exits, then prints the summary table. The viewer has its own supervisor: closing its
 * window never stops the run, and the end of the run never closes the window.
 * Ctrl-C (or SIGTERM) stops every child: SIGTERM, 3 s, SIGKILL, all reaped (exit 130).
 * docs/launcher.md is the user's page; the reusable pieces live in fw_launch.c.
 *
 *   flywheel scenario synth --companies N --seed S [--ticks T] [--out FILE]
 *
 * writes a synthetic market of N companies as a scenario (fw_synth.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_clock.h"
#include "fw_check.h"
#include "fw_compare.h"
#include "fw_launch.h"
#include "fw_log.h"
#include "fw_signal.h"
#include "fw_socket.h"
#include "fw_proto.h"
#include "fw_scenario.h"
#include "fw_serve.h"
#include "fw_synth.h"
#include "fw_version.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2
#define EXIT_CHECKS 4
#define EXIT_INTERRUPTED 130

#define ENDPOINTS_TIMEOUT_MS 10000 /* coordinator start-up: bind and write endpoints */
#define AGENT_EXIT_GRACE_MS 3000   /* agents leave on the coordinator's Bye */
#define TERMINATE_GRACE_MS 3000    /* SIGTERM to SIGKILL */

/* The only mutable global: set by the SIGINT/SIGTERM handler, read by the loops. */
static volatile sig_atomic_t s_interrupted = 0;

static void s_on_signal(int sig)
{
    s_interrupted = sig;
}

typedef struct {
    const char *scenario;      /* path as given */
    const char *out;           /* --out, or NULL for runs/<name>-<time> */
    const char *seed;          /* validated decimal text, forwarded as is */
    const char *ticks;
    const char *tick_timeout;
    const char *log_level;
    fw_transport_t transport;
    int quiet;
    int check;                 /* --check: report the scenario's checks */
    int view;                  /* --view: start flywheel-viewer on the run */
} s_options_t;

/* What the progress display knows; drawn on stderr. */
typedef struct {
    int mode;              /* 0 quiet, 1 line every 10% (not a terminal), 2 redraw in place */
    unsigned tick, ticks;  /* last snapshot seen */
    char month[16];
    int last_decile;       /* mode 1: last tenth printed */
    size_t drawn;          /* mode 2: length of the line on screen, 0 if none */
    long long t0_ms;
} s_progress_t;

static void s_usage(FILE *f)
{
    fprintf(f, "usage: flywheel run SCENARIO [options]   run a scenario to the end\n"
               "       flywheel compare SCENARIO...       run scenarios with several seeds\n"
               "                                          and compare their outcomes\n"
               "       flywheel serve SCENARIO [options] a game for players on the network\n"
               "       flywheel play URL SEAT            play a seat at this terminal\n"
               "       flywheel scenario synth --companies N --seed S\n"
               "                                          write a synthetic market of N\n"
               "                                          companies as a scenario\n"
               "       flywheel help run|compare|serve|play|scenario  options of a command\n"
               "       flywheel --help | --version\n");
}

static void s_usage_run(FILE *f)
{
    fprintf(f,
            "usage: flywheel run SCENARIO [options]\n"
            "\n"
            "Starts the coordinator and one agent process per seat of SCENARIO (a YAML\n"
            "file), shows progress, and prints a summary table when the run ends.\n"
            "\n"
            "  -o, --out DIR          run directory (default runs/<scenario>-<UTC time>)\n"
            "  -s, --seed N           override the scenario's seed\n"
            "  -t, --ticks N          override the number of ticks\n"
            "      --transport T      ipc (default, private unix sockets) or tcp (loopback)\n"
            "      --tick-timeout MS  how long the coordinator waits for a seat's actions\n"
            "      --check            report the scenario's checks (expected bands) after\n"
            "                         the run; exit 4 if any fails\n"
            "      --view             also open a viewer window on the run (needs a display);\n"
            "                         the run goes on if it is closed, and it stays open\n"
            "                         after the run until closed (or Ctrl-C)\n"
            "  -q, --quiet            print nothing but errors\n"
            "      --log-level L      debug, info, warn, error or quiet (also passed to\n"
            "                         the coordinator and the agents)\n"
            "  -h, --help             this text\n"
            "\n"
            "Exit status: 0 the run completed, 1 the run failed, 2 usage error or bad\n"
            "scenario, 4 a check failed (--check), 130 interrupted (Ctrl-C).\n");
}

/* Reports the scenario's checks against the run in `dir`. Returns 0, EXIT_CHECKS if
 * any failed, or EXIT_RUN_FAILED if metrics.csv cannot be read. */
static int s_check(const fw_scenario_t *sc, const char *dir, int quiet)
{
    char path[4200], err[512];
    if (snprintf(path, sizeof path, "%s/metrics.csv", dir) >= (int)sizeof path) {
        fprintf(stderr, "flywheel: run directory name too long\n");
        return EXIT_RUN_FAILED;
    }
    fw_metrics_t *t = fw_metrics_load(path, err, sizeof err);
    if (!t) {
        fprintf(stderr, "flywheel: %s\n", err);
        return EXIT_RUN_FAILED;
    }
    fw_check_result_t *results = calloc(sc->n_checks ? sc->n_checks : 1, sizeof *results);
    if (!results) {
        fw_metrics_destroy(&t);
        return EXIT_RUN_FAILED;
    }
    size_t bad = fw_check_evaluate(sc, t, results);
    if (!quiet || bad)
        fw_check_print(stdout, sc, results);
    free(results);
    fw_metrics_destroy(&t);
    return bad ? EXIT_CHECKS : 0;
}

static void s_usage_compare(FILE *f)
{
    fprintf(f,
            "usage: flywheel compare SCENARIO... [options]\n"
            "\n"
            "Runs each scenario with several seeds (each a whole `flywheel run`), then\n"
            "prints one table: per scenario, the mean over seeds of each cloud's and\n"
            "vendor's cumulative profit, each lab's final valuation and revenue share,\n"
            "each chip family's share of installed compute, and the round trip of each\n"
            "investment of $1B or more; and per company the coefficient of variation of\n"
            "its outcome across the scenarios. Also written as compare.csv and\n"
            "compare.md in the output directory.\n"
            "\n"
            "  -n, --seeds N      runs per scenario, seeds s, s+1, ... (default 3)\n"
            "  -o, --out DIR      output directory (default runs/compare-<UTC time>)\n"
            "  -t, --ticks N      override the number of ticks of every run\n"
            "  -q, --quiet        no progress lines\n"
            "  -h, --help         this text\n"
            "\n"
            "Exit status: 0 done, 1 a run failed, 2 usage error or bad scenario,\n"
            "130 interrupted.\n");
}

static void s_install_signals(void);
static int s_valid_number(const char *s, unsigned long long min, unsigned long long max);

static int s_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seeds", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
        {"ticks", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
    fw_compare_config_t cfg = {0};
    char out[512], self[4096];
    unsigned long seeds = 3;
    int opt;
    optind = 1;
    cfg.seeds = 3;
    while ((opt = getopt_long(argc, argv, "n:o:t:qh", opts, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (!s_valid_number(optarg, 1, 100)) {
                fprintf(stderr, "flywheel: --seeds wants a number from 1 to 100, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            seeds = strtoul(optarg, NULL, 10);
            break;
        case 'o': cfg.out_dir = optarg; break;
        case 't':
            if (!s_valid_number(optarg, 1, 1000000)) {
                fprintf(stderr, "flywheel: --ticks wants a positive number, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg.ticks = optarg;
            break;
        case 'q': cfg.quiet = 1; break;
        case 'h': s_usage_compare(stdout); return 0;
        default: s_usage_compare(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "flywheel: compare needs at least one scenario\n");
        s_usage_compare(stderr);
        return EXIT_USAGE;
    }
    cfg.seeds = (unsigned)seeds;
    cfg.scenarios = (const char *const *)(argv + optind);
    cfg.n_scenarios = (size_t)(argc - optind);
    if (!cfg.out_dir) {
        if (fw_launch_run_dir_name("compare", time(NULL), out, sizeof out) != 0)
            return EXIT_RUN_FAILED;
        cfg.out_dir = out;
    }
    if (fw_launch_find_binary("flywheel", self, sizeof self) != 0) {
        fprintf(stderr, "flywheel: cannot find my own binary\n");
        return EXIT_RUN_FAILED;
    }
    cfg.self = self;
    cfg.stop = &s_interrupted;
    s_install_signals();
    return fw_compare_run(&cfg, stdout);
}

static void s_usage_scenario(FILE *f)
{
    fprintf(f,
            "usage: flywheel scenario synth --companies N --seed S [--ticks T] [--out FILE]\n"
            "\n"
            "Writes a synthetic market of N companies as a scenario (YAML): about 1/8 chip\n"
            "vendors, 1/4 clouds and the rest AI labs, at least one of each, with made-up\n"
            "round figures sized so that labs find compute and clouds find buyers at any\n"
            "N. For benchmarks and scale tests; not calibrated. The same N, S and T give\n"
            "the same file, byte for byte.\n"
            "\n"
            "  -n, --companies N  how many companies (seats), %d to %d\n"
            "  -s, --seed S       the generator's seed, also the scenario's run.seed\n"
            "  -t, --ticks T      the scenario's run.ticks, 1 to %d (default %d)\n"
            "  -o, --out FILE     write to FILE (default: standard output)\n"
            "  -h, --help         this text\n"
            "\n"
            "Exit status: 0 written, 1 FILE cannot be written, 2 usage error.\n",
            FW_SYNTH_MIN_COMPANIES, FW_SYNTH_MAX_COMPANIES, FW_SYNTH_MAX_TICKS,
            FW_SYNTH_DEFAULT_TICKS);
}

/* Writes the synthetic scenario to `path`, or stdout if NULL. Returns 0 or
 * EXIT_RUN_FAILED after printing why; a regular file it could not finish is removed
 * (never a device or a pipe: --out /dev/full must not delete /dev/full). */
static int s_synth_write(const fw_synth_config_t *cfg, const char *path)
{
    struct stat st;
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f) {
        fprintf(stderr, "flywheel scenario synth: cannot write %s: %s\n", path, strerror(errno));
        return EXIT_RUN_FAILED;
    }
    int regular = path && fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
    int rc = fw_synth_write(f, cfg);
    int saved = errno;
    if (path) {
        if (fclose(f) != 0 && rc == FW_SYNTH_OK) {
            rc = FW_SYNTH_EIO;
            saved = errno;
        }
    } else if (fflush(f) != 0 && rc == FW_SYNTH_OK) {
        rc = FW_SYNTH_EIO;
        saved = errno;
    }
    if (rc == FW_SYNTH_OK)
        return 0;
    fprintf(stderr, "flywheel scenario synth: cannot write %s: %s%s%s\n",
            path ? path : "to standard output", fw_synth_strerror(rc),
            rc == FW_SYNTH_EIO ? ": " : "", rc == FW_SYNTH_EIO ? strerror(saved) : "");
    if (regular)
        unlink(path);
    return EXIT_RUN_FAILED;
}

/* `flywheel scenario synth ...`; argv[0] is "scenario". Returns the exit status. */
static int s_scenario(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"companies", required_argument, NULL, 'n'}, {"seed", required_argument, NULL, 's'},
        {"ticks", required_argument, NULL, 't'},     {"out", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    fw_synth_config_t cfg = {0};
    const char *out = NULL;
    int c, have_companies = 0, have_seed = 0;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        s_usage_scenario(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "synth") != 0) {
        fprintf(stderr, "flywheel scenario: unknown command '%s'; the one there is is synth "
                        "(see flywheel help scenario)\n", argv[1]);
        return EXIT_USAGE;
    }
    argc--;
    argv++;
    opterr = 0; /* our own messages, naming `flywheel scenario synth` */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":n:s:t:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!s_valid_number(optarg, FW_SYNTH_MIN_COMPANIES, FW_SYNTH_MAX_COMPANIES)) {
                fprintf(stderr, "flywheel scenario synth: --companies wants a number from %d "
                                "to %d, not '%s'\n",
                        FW_SYNTH_MIN_COMPANIES, FW_SYNTH_MAX_COMPANIES, optarg);
                return EXIT_USAGE;
            }
            cfg.companies = (uint32_t)strtoul(optarg, NULL, 10);
            have_companies = 1;
            break;
        case 's':
            if (!s_valid_number(optarg, 0, UINT64_MAX)) {
                fprintf(stderr, "flywheel scenario synth: --seed wants a whole number >= 0, "
                                "not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg.seed = strtoull(optarg, NULL, 10);
            have_seed = 1;
            break;
        case 't':
            if (!s_valid_number(optarg, 1, FW_SYNTH_MAX_TICKS)) {
                fprintf(stderr, "flywheel scenario synth: --ticks wants a number from 1 to "
                                "%d, not '%s'\n", FW_SYNTH_MAX_TICKS, optarg);
                return EXIT_USAGE;
            }
            cfg.ticks = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'o':
            if (!*optarg) {
                fprintf(stderr, "flywheel scenario synth: --out needs a file name\n");
                return EXIT_USAGE;
            }
            out = optarg;
            break;
        case 'h':
            s_usage_scenario(stdout);
            return 0;
        case ':':
            fprintf(stderr, "flywheel scenario synth: %s needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "flywheel scenario synth: unknown option '%s' (see flywheel help "
                            "scenario)\n", argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "flywheel scenario synth: unexpected argument '%s'\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!have_companies || !have_seed) {
        fprintf(stderr, "flywheel scenario synth: --companies and --seed are required "
                        "(see flywheel help scenario)\n");
        return EXIT_USAGE;
    }
    return s_synth_write(&cfg, out);
}

/* True if s is a decimal number in [min, max]. */
static int s_valid_number(const char *s, unsigned long long min, unsigned long long max)
{
    char *end;
    unsigned long long v;

    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0' && v >= min && v <= max;
}

/* Parses the options of `run` (argv[0] is "run"). Returns 0, or EXIT_USAGE after
 * printing why; -1 when --help was asked (usage printed, exit 0). */
static int s_parse_run(int argc, char **argv, s_options_t *o)
{
    enum { OPT_TRANSPORT = 256, OPT_TICK_TIMEOUT, OPT_LOG_LEVEL, OPT_CHECK, OPT_VIEW };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"ticks", required_argument, NULL, 't'},
        {"transport", required_argument, NULL, OPT_TRANSPORT},
        {"tick-timeout", required_argument, NULL, OPT_TICK_TIMEOUT},
        {"quiet", no_argument, NULL, 'q'},
        {"view", no_argument, NULL, OPT_VIEW},
        {"log-level", required_argument, NULL, OPT_LOG_LEVEL},
        {"check", no_argument, NULL, OPT_CHECK},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    memset(o, 0, sizeof *o);
    o->transport = FW_TRANSPORT_IPC;
    opterr = 0; /* our own messages, naming `flywheel run` */
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:s:t:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            if (!*optarg) {
                fprintf(stderr, "flywheel run: --out needs a directory\n");
                return EXIT_USAGE;
            }
            o->out = optarg;
            break;
        case 's':
            if (!s_valid_number(optarg, 0, UINT64_MAX)) {
                fprintf(stderr, "flywheel run: --seed wants a whole number >= 0, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->seed = optarg;
            break;
        case 't':
            if (!s_valid_number(optarg, 1, UINT32_MAX)) {
                fprintf(stderr, "flywheel run: --ticks wants a whole number >= 1, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->ticks = optarg;
            break;
        case OPT_TRANSPORT: {
            int t = fw_launch_transport_parse(optarg);
            if (t < 0) {
                fprintf(stderr, "flywheel run: --transport is ipc or tcp, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->transport = (fw_transport_t)t;
            break;
        }
        case OPT_TICK_TIMEOUT:
            if (!s_valid_number(optarg, 1, INT_MAX)) {
                fprintf(stderr,
                        "flywheel run: --tick-timeout wants milliseconds >= 1, not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->tick_timeout = optarg;
            break;
        case OPT_CHECK:
            o->check = 1;
            break;
        case 'q':
            o->quiet = 1;
            break;
        case OPT_VIEW:
            o->view = 1;
            break;
        case OPT_LOG_LEVEL:
            if (fw_log_level_parse(optarg) < 0) {
                fprintf(stderr,
                        "flywheel run: --log-level is debug, info, warn, error or quiet, "
                        "not '%s'\n",
                        optarg);
                return EXIT_USAGE;
            }
            o->log_level = optarg;
            break;
        case 'h':
            s_usage_run(stdout);
            return -1;
        case ':':
            fprintf(stderr, "flywheel run: %s needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "flywheel run: unknown option '%s' (see flywheel help run)\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "flywheel run: which scenario? (see flywheel help run)\n");
        return EXIT_USAGE;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "flywheel run: one scenario at a time ('%s' is extra)\n",
                argv[optind + 1]);
        return EXIT_USAGE;
    }
    o->scenario = argv[optind];
    return 0;
}

static void s_install_signals(void)
{
    static const int signals[] = {SIGINT, SIGTERM};
    if (fw_signal_catch(s_on_signal, signals, 2) != 0)
        fprintf(stderr, "flywheel: cannot catch Ctrl-C (%s): it would end the run without "
                        "its summary\n",
                strerror(errno));
}

/* --- progress --------------------------------------------------------------- */

static void s_progress_draw(s_progress_t *p)
{
    char line[160];
    double elapsed = (double)(fw_clock_ms() - p->t0_ms) / 1000.0;

    if (p->mode == 0 || p->tick == 0)
        return;
    fw_launch_progress_line(line, sizeof line, p->tick, p->ticks, p->month, elapsed);
    if (p->mode == 2) {
        size_t len = strlen(line);
        /* Pad over a longer previous line instead of relying on terminal escapes. */
        fprintf(stderr, "\r%s%*s", line, p->drawn > len ? (int)(p->drawn - len) : 0, "");
        p->drawn = len > p->drawn ? len : p->drawn;
        fflush(stderr);
        return;
    }
    int decile = p->ticks ? (int)((10ull * p->tick) / p->ticks) : 0;
    if (decile > p->last_decile || (p->ticks && p->tick == p->ticks && p->last_decile < 10)) {
        fprintf(stderr, "%s\n", line);
        p->last_decile = decile;
    }
}

/* Ends the in-place line so that the next message starts on a fresh line. */
static void s_progress_break(s_progress_t *p)
{
    if (p->mode == 2 && p->drawn) {
        fputc('\n', stderr);
        p->drawn = 0;
    }
}

/* Receives what the PUB socket has (waiting up to timeout_ms) and updates *p. */
static void s_progress_pump(void *sub, int timeout_ms, s_progress_t *p)
{
    fw_envelope_t *env = NULL;
    int rc;

    if (!sub) {
        fw_clock_sleep_ms(timeout_ms);
        return;
    }
    rc = fw_proto_recv(sub, timeout_ms, &env);
    if (rc == FW_PROTO_OK && env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
        const Flywheel__V1__Snapshot *s = env->snapshot;
        p->tick = s->tick;
        if (s->ticks)
            p->ticks = s->ticks;
        snprintf(p->month, sizeof p->month, "%s", s->month ? s->month : "");
    } else if (rc != FW_PROTO_OK && rc != FW_PROTO_ETIMEDOUT && rc != FW_PROTO_EINTR) {
        fw_log_debug("launch", "observer socket: %s", fw_proto_strerror(rc));
    }
    fw_proto_free(&env);
    /* Mode 2 also redraws on a timeout so the elapsed time keeps moving. */
    if (rc == FW_PROTO_OK || p->mode == 2)
        s_progress_draw(p);
}

/* --- the run ---------------------------------------------------------------- */

/* Removes a file left by an earlier run in the same --out directory, so that what we
 * wait for and read is this run's. */
static int s_remove_stale(const char *dir, const char *name)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (unlink(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "flywheel: cannot remove stale %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Finds a sibling program; prints why not and returns -1 if it is missing. */
static int s_find(const char *name, char *buf, size_t len)
{
    buf[0] = '\0';
    if (fw_launch_find_binary(name, buf, len) == 0)
        return 0;
    fprintf(stderr, "flywheel: cannot run %s: %s (FW_BIN_DIR overrides the directory)\n",
            buf[0] ? buf : name, strerror(errno));
    return -1;
}

/* Waits for the coordinator's endpoints file. Returns 0 with the resolved URLs,
 * EXIT_INTERRUPTED, or EXIT_RUN_FAILED after printing why. */
static int s_wait_endpoints(fw_supervisor_t *sv, pid_t coord, const char *dir, char *listen,
                            char *publish, size_t cap)
{
    char path[PATH_MAX + 64];
    long long deadline = fw_clock_ms() + ENDPOINTS_TIMEOUT_MS;
    fw_child_exit_t ex;

    snprintf(path, sizeof path, "%s/endpoints", dir);
    for (;;) {
        if (s_interrupted)
            return EXIT_INTERRUPTED;
        while (fw_supervisor_reap(sv, &ex) == 1) {
            if (ex.pid == coord) {
                char how[96];
                fw_launch_describe_status(ex.status, how, sizeof how);
                fprintf(stderr, "flywheel: coordinator %s before it was ready\n", how);
                return EXIT_RUN_FAILED;
            }
        }
        int rc = fw_launch_read_endpoints(path, listen, publish, cap);
        if (rc == FW_LAUNCH_OK)
            return 0;
        if (rc == FW_LAUNCH_EMALFORMED || rc == FW_LAUNCH_EIO) {
            fprintf(stderr, "flywheel: %s: %s\n", path,
                    rc == FW_LAUNCH_EIO ? strerror(errno) : "no listen= and publish= lines");
            return EXIT_RUN_FAILED;
        }
        if (fw_clock_ms() >= deadline) {
            fprintf(stderr, "flywheel: coordinator did not write %s within %d s\n", path,
                    ENDPOINTS_TIMEOUT_MS / 1000);
            return EXIT_RUN_FAILED;
        }
        fw_clock_sleep_ms(10);
    }
}

/* Builds and runs one coordinator argv. Returns its pid or -1 (reported). */
static pid_t s_start_coordinator(fw_supervisor_t *sv, const char *bin, const s_options_t *o,
                                 const char *child_level, const fw_endpoints_t *ep,
                                 const char *dir)
{
    char *argv[24];
    int n = 0;
    pid_t pid;

    argv[n++] = (char *)bin;
    argv[n++] = "--scenario";
    argv[n++] = (char *)o->scenario;
    argv[n++] = "--listen";
    argv[n++] = (char *)ep->listen;
    argv[n++] = "--publish";
    argv[n++] = (char *)ep->publish;
    argv[n++] = "--out";
    argv[n++] = (char *)dir;
    if (o->seed) {
        argv[n++] = "--seed";
        argv[n++] = (char *)o->seed;
    }
    if (o->ticks) {
        argv[n++] = "--ticks";
        argv[n++] = (char *)o->ticks;
    }
    if (o->tick_timeout) {
        argv[n++] = "--tick-timeout";
        argv[n++] = (char *)o->tick_timeout;
    }
    if (child_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)child_level;
    }
    argv[n] = NULL;
    pid = fw_supervisor_spawn(sv, "coordinator", argv);
    if (pid < 0)
        fprintf(stderr, "flywheel: cannot start %s: %s\n", bin, strerror(errno));
    return pid;
}

static int s_start_agents(fw_supervisor_t *sv, const char *bin, const fw_scenario_t *sc,
                          const char *listen, const char *child_level)
{
    for (size_t i = 0; i < sc->n_seats; i++) {
        char name[FW_ID_MAX + 8];
        char *argv[10];
        int n = 0;

        if (s_interrupted)
            return 0;
        argv[n++] = (char *)bin;
        argv[n++] = "--connect";
        argv[n++] = (char *)listen;
        argv[n++] = "--seat";
        argv[n++] = (char *)sc->seats[i].id;
        if (child_level) {
            argv[n++] = "--log-level";
            argv[n++] = (char *)child_level;
        }
        argv[n] = NULL;
        snprintf(name, sizeof name, "agent %s", sc->seats[i].id);
        if (fw_supervisor_spawn(sv, name, argv) < 0) {
            fprintf(stderr, "flywheel: cannot start %s (%s): %s\n", name, bin, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Opens the observer socket. NULL (with a warning) if that fails: the run itself does
 * not need it, only the progress display does. */
static void *s_open_sub(void *ctx, const char *publish)
{
    void *sub;
    char why[256];
    if (fw_socket_subscriber(ctx, publish, NULL, 0, 0, &sub, why, sizeof why) != 0)
        fw_log_warn("launch", "cannot subscribe to %s (%s): no progress display", publish,
                    zmq_strerror(errno));
    return sub;
}

/* After the coordinator's exit: lets agents leave on their own, then stops the rest. */
static void s_let_agents_leave(fw_supervisor_t *sv)
{
    long long deadline = fw_clock_ms() + AGENT_EXIT_GRACE_MS;

    while (fw_supervisor_running(sv) > 0 && fw_clock_ms() < deadline && !s_interrupted) {
        while (fw_supervisor_reap(sv, NULL) == 1)
            ;
        if (fw_supervisor_running(sv) > 0)
            fw_clock_sleep_ms(10);
    }
    fw_supervisor_terminate_all(sv, TERMINATE_GRACE_MS);
}

/* Reports every agent that did not end cleanly; warnings only, the run still counts. */
static void s_report_agents(const fw_supervisor_t *sv, pid_t coord)
{
    for (size_t i = 0; i < fw_supervisor_count(sv); i++) {
        fw_child_exit_t ex;
        char how[96];

        if (fw_supervisor_child(sv, i, &ex) != 1 || ex.pid == coord)
            continue;
        if (WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 0)
            continue;
        fw_launch_describe_status(ex.status, how, sizeof how);
        if (ex.signalled)
            fprintf(stderr,
                    "flywheel: warning: %s was still running %d s after the coordinator "
                    "ended; stopped (%s)\n",
                    ex.name, AGENT_EXIT_GRACE_MS / 1000, how);
        else
            fprintf(stderr, "flywheel: warning: %s %s\n", ex.name, how);
    }
}

/* Starts flywheel-viewer on the run: live from the PUB endpoint, with the ticks it
 * missed read from the run directory's log. Under its own supervisor, so that the
 * agents' clean-up never touches it. A viewer that cannot start is a warning only. */
static pid_t s_start_viewer(fw_supervisor_t *vsv, const char *publish, const char *dir,
                            const char *child_level)
{
    char bin[PATH_MAX];
    char *argv[10];
    int n = 0;
    pid_t pid;

    bin[0] = '\0';
    if (fw_launch_find_binary("flywheel-viewer", bin, sizeof bin) != 0) {
        fprintf(stderr, "flywheel: warning: no viewer (%s: %s); the run goes on without it\n",
                bin[0] ? bin : "flywheel-viewer", strerror(errno));
        return -1;
    }
    argv[n++] = bin;
    argv[n++] = "--subscribe";
    argv[n++] = (char *)publish;
    argv[n++] = "--history";
    argv[n++] = (char *)dir;
    if (child_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)child_level;
    }
    argv[n] = NULL;
    pid = fw_supervisor_spawn(vsv, "viewer", argv);
    if (pid < 0)
        fprintf(stderr, "flywheel: warning: cannot start the viewer (%s): %s; the run goes on\n",
                bin, strerror(errno));
    return pid;
}

/* Reports a viewer that has ended (the user closed it, or it failed). */
static void s_reap_viewer(fw_supervisor_t *vsv, const s_progress_t *prog, int quiet)
{
    fw_child_exit_t ex;
    while (vsv && fw_supervisor_reap(vsv, &ex) == 1) {
        char how[96];
        if (WIFEXITED(ex.status) && WEXITSTATUS(ex.status) == 0) {
            if (!quiet && prog->tick < prog->ticks)
                fprintf(stderr, "%sflywheel: viewer closed; the run goes on\n",
                        prog->mode == 2 && prog->drawn ? "\n" : "");
            continue;
        }
        fw_launch_describe_status(ex.status, how, sizeof how);
        fprintf(stderr, "%sflywheel: warning: viewer %s; the run goes on\n",
                prog->mode == 2 && prog->drawn ? "\n" : "", how);
    }
}

static int s_run(const s_options_t *o)
{
    char err[1024], dir[PATH_MAX], coord_bin[PATH_MAX], agent_bin[PATH_MAX];
    char listen[512], publish[512], path[PATH_MAX + 32];
    /* Children's info lines would bury the progress display: unless told otherwise
     * they log warnings and errors only (errors only with --quiet). */
    const char *child_level = o->log_level ? o->log_level : (o->quiet ? "error" : "warn");
    fw_scenario_t *sc = NULL;
    fw_supervisor_t *sv = NULL, *vsv = NULL;
    fw_endpoints_t ep;
    s_progress_t prog;
    void *ctx = NULL, *sub = NULL;
    pid_t coord = -1;
    int coord_status = -1, coord_done = 0;
    int rc = EXIT_RUN_FAILED;

    memset(&ep, 0, sizeof ep);
    memset(&prog, 0, sizeof prog);

    /* 1. The scenario first: a bad file starts nothing. */
    sc = fw_scenario_load(o->scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (sc->n_seats == 0) {
        fprintf(stderr, "%s: the scenario has no seats\n", o->scenario);
        rc = EXIT_USAGE;
        goto out;
    }
    /* 2. The sibling programs. */
    if (s_find("flywheel-coordinator", coord_bin, sizeof coord_bin) != 0 ||
        s_find("flywheel-agent", agent_bin, sizeof agent_bin) != 0)
        goto out;

    /* Then the run directory: nothing is created for a run that cannot start. */
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else if (fw_launch_run_dir_name(sc->name, time(NULL), dir, sizeof dir) != 0) {
        fprintf(stderr, "flywheel: scenario name too long for a directory name\n");
        goto out;
    }
    if (fw_launch_mkdirs(dir) != 0) {
        fprintf(stderr, "flywheel: cannot create %s: %s\n", dir, strerror(errno));
        goto out;
    }
    if (s_remove_stale(dir, "endpoints") != 0 || s_remove_stale(dir, "summary.json") != 0)
        goto out;

    /* 3. Endpoints, then 4. the coordinator. Signals count from here on. */
    s_install_signals();
    if (fw_launch_endpoints_make(o->transport, &ep) != 0) {
        fprintf(stderr, "flywheel: cannot make a directory for the sockets: %s\n",
                strerror(errno));
        goto out;
    }
    sv = fw_supervisor_new();
    if (!sv) {
        fprintf(stderr, "flywheel: out of memory\n");
        goto out;
    }
    prog.mode = o->quiet ? 0 : (isatty(STDERR_FILENO) ? 2 : 1);
    prog.ticks = o->ticks ? (unsigned)strtoul(o->ticks, NULL, 10) : sc->ticks;
    prog.t0_ms = fw_clock_ms();
    coord = s_start_coordinator(sv, coord_bin, o, child_level, &ep, dir);
    if (coord < 0)
        goto out;
    fw_log_info("launch", "coordinator pid %d, run directory %s", (int)coord, dir);
    rc = s_wait_endpoints(sv, coord, dir, listen, publish, sizeof listen);
    if (rc != 0)
        goto stop;
    rc = EXIT_RUN_FAILED;

    /* 5. Subscribe before any agent exists, so that the first ticks are not missed. */
    ctx = zmq_ctx_new();
    if (ctx)
        sub = s_open_sub(ctx, publish);
    if (o->view) {
        vsv = fw_supervisor_new();
        if (vsv)
            s_start_viewer(vsv, publish, dir, child_level);
    }
    if (s_start_agents(sv, agent_bin, sc, listen, child_level) != 0)
        goto stop;
    fw_log_info("launch", "%zu agents started on %s", sc->n_seats, listen);

    /* 6. Watch until the coordinator exits. */
    while (!coord_done && !s_interrupted) {
        fw_child_exit_t ex;
        int r;

        s_progress_pump(sub, 100, &prog);
        s_reap_viewer(vsv, &prog, o->quiet);
        while ((r = fw_supervisor_reap(sv, &ex)) == 1)
            if (ex.pid == coord) {
                coord_done = 1;
                coord_status = ex.status;
            }
        if (r < 0) {
            s_progress_break(&prog);
            fprintf(stderr, "flywheel: waitpid: %s\n", strerror(errno));
            goto stop;
        }
    }
    if (coord_done) {
        /* The last snapshots may still be queued behind the coordinator's exit. */
        for (int i = 0; sub && i < 64; i++) {
            unsigned before = prog.tick;
            s_progress_pump(sub, 0, &prog);
            if (prog.tick == before)
                break;
        }
        s_let_agents_leave(sv);
    }

stop:
    if (s_interrupted)
        rc = EXIT_INTERRUPTED;
    s_progress_break(&prog);
    if (sv && fw_supervisor_running(sv) > 0) {
        size_t n = fw_supervisor_running(sv);
        size_t killed = fw_supervisor_terminate_all(sv, TERMINATE_GRACE_MS);
        if (rc == EXIT_INTERRUPTED && !o->quiet)
            fprintf(stderr, "flywheel: interrupted; stopped %zu process%s%s\n", n,
                    n == 1 ? "" : "es", killed ? " (some needed SIGKILL)" : "");
    } else if (rc == EXIT_INTERRUPTED && !o->quiet) {
        fprintf(stderr, "flywheel: interrupted\n");
    }
    if (rc == EXIT_INTERRUPTED || !coord_done)
        goto out;

    /* 7. The result. */
    s_report_agents(sv, coord);
    if (!(WIFEXITED(coord_status) && WEXITSTATUS(coord_status) == 0)) {
        char how[96];
        fw_launch_describe_status(coord_status, how, sizeof how);
        fprintf(stderr, "flywheel: coordinator %s; the run failed (see %s)\n", how, dir);
        rc = EXIT_RUN_FAILED;
        goto out;
    }
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (access(path, R_OK) != 0) {
        fprintf(stderr, "flywheel: coordinator exited with status 0 but wrote no %s\n", path);
        rc = EXIT_RUN_FAILED;
        goto out;
    }
    rc = 0;
    if (!o->quiet) {
        fflush(stderr);
        if (fw_launch_print_summary_file(stdout, path, dir, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel: %s\n", err);
            rc = EXIT_RUN_FAILED;
        }
        fflush(stdout);
    }
    if (rc == 0 && o->check)
        rc = s_check(sc, dir, o->quiet);
    /* 8. The viewer stays open after the run, for scrubbing through it; Ctrl-C closes
     * it and the exit status stays the run's. */
    s_reap_viewer(vsv, &prog, 1);
    if (vsv && fw_supervisor_running(vsv) > 0) {
        if (!o->quiet)
            fprintf(stderr, "flywheel: the run is over; close the viewer window (or press "
                            "Ctrl-C) to exit\n");
        while (fw_supervisor_running(vsv) > 0 && !s_interrupted) {
            s_reap_viewer(vsv, &prog, 1);
            fw_clock_sleep_ms(50);
        }
    }

out:
    if (sub)
        zmq_close(sub);
    if (ctx)
        zmq_ctx_term(ctx);
    /* Nothing may outlive the launcher: destroy stops whatever is still running. */
    fw_supervisor_destroy(&sv);
    fw_supervisor_destroy(&vsv);
    fw_launch_endpoints_cleanup(&ep);
    fw_scenario_destroy(&sc);
    if (fflush(stdout) != 0 && rc == 0)
        rc = EXIT_RUN_FAILED;
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;

    if (!cmd) {
        s_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        s_usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("flywheel %s (protocol %u)\n", FW_VERSION, FW_PROTOCOL_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc < 3) {
            s_usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "run") == 0) {
            s_usage_run(stdout);
            return 0;
        }
        if (strcmp(argv[2], "compare") == 0) {
            s_usage_compare(stdout);
            return 0;
        }
        if (strcmp(argv[2], "serve") == 0) {
            fw_serve_usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "play") == 0) {
            fw_play_usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "scenario") == 0) {
            s_usage_scenario(stdout);
            return 0;
        }
        fprintf(stderr, "flywheel: no help on '%s'\n", argv[2]);
        s_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "compare") == 0)
        return s_compare(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0) {
        s_options_t o;
        int rc = s_parse_run(argc - 1, argv + 1, &o);
        if (rc < 0)
            return 0;
        if (rc != 0)
            return rc;
        int level = fw_log_level_parse(o.log_level ? o.log_level : (o.quiet ? "error" : "warn"));
        fw_log_init("launcher", "-", (fw_log_level_t)level);
        return s_run(&o);
    }
    if (strcmp(cmd, "serve") == 0)
        return fw_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "play") == 0)
        return fw_play_main(argc - 1, argv + 1);
    if (strcmp(cmd, "scenario") == 0)
        return s_scenario(argc - 1, argv + 1);
    fprintf(stderr, "flywheel: unknown command '%s'\n", cmd);
    s_usage(stderr);
    return EXIT_USAGE;
}
