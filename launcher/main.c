/* flywheel: one command runs a whole simulation.
 *
 *   flywheel run SCENARIO [options]       a whole simulation (fw_run.c)
 *   flywheel compare SCENARIO...          runs with several seeds, compared (fw_compare.c)
 *   flywheel sweep SPEC                   a parameter sweep (fw_sweep.c)
 *   flywheel serve | play                 network play (fw_serve.c)
 *   flywheel scenario synth --companies N --seed S [--ticks T] [--out FILE]
 *                                         a synthetic market as a scenario (fw_synth.c)
 *   flywheel replay --verify DIR          a run recomputed from its log (fw_replay.c)
 *   flywheel export DIR --graphml|--gexf|--long-csv FILE
 *                                         a run for network and data tools (fw_export.c)
 *
 * This file picks the command, parses the options of run, compare and scenario, and
 * owns the SIGINT/SIGTERM flag that run and compare stop on. docs/launcher.md is the
 * user's page; the reusable pieces live in fw_launch.c.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fw_compare.h"
#include "fw_export.h"
#include "fw_heap.h"
#include "fw_pool.h"
#include "fw_launch.h"
#include "fw_log.h"
#include "fw_signal.h"
#include "fw_proto.h"
#include "fw_keys.h"
#include "fw_replay.h"
#include "fw_run.h"
#include "fw_scenario.h"
#include "fw_serve.h"
#include "fw_synth.h"
#include "fw_sweep.h"
#include "fw_version.h"

#define EXIT_RUN_FAILED 1
#define EXIT_USAGE 2

/* The only mutable global: set by the SIGINT/SIGTERM handler, read by the loops. */
static volatile sig_atomic_t s_interrupted = 0;

static void s_on_signal(int sig)
{
    s_interrupted = sig;
}

static void s_usage(FILE *f)
{
    fprintf(f, "usage: flywheel run SCENARIO [options]   run a scenario to the end\n"
               "       flywheel compare SCENARIO...       run scenarios with several seeds\n"
               "                                          and compare their outcomes\n"
               "       flywheel sweep SPEC [options]      a parameter sweep: values x seeds,\n"
               "                                          here, GNU parallel or Slurm\n"
               "       flywheel serve SCENARIO [options] a game for players on the network\n"
               "       flywheel play URL SEAT            play a seat at this terminal\n"
               "       flywheel scenario synth --companies N --seed S\n"
               "                                          write a synthetic market of N\n"
               "                                          companies as a scenario\n"
               "       flywheel replay --verify DIR       recompute a run from its log and\n"
               "                                          check every tick's state hash\n"
               "       flywheel export DIR --graphml FILE [--tick N] | --gexf FILE |\n"
               "                       --long-csv FILE    a run as GraphML, GEXF (Gephi) or\n"
               "                                          long CSV (pandas, R)\n"
               "       flywheel keys new DIR NAME...      make CURVE key pairs for a game\n"
               "                                          on the network\n"
               "       flywheel help run|compare|sweep|serve|play|scenario|replay|export|keys\n"
               "                                          options of a command\n"
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
            "  -k, --seats-per-process K\n"
            "                         group the seats, in scenario order, K to an agent\n"
            "                         process (default 1; K >= the seats: all in one, up\n"
            "                         to 4096); each seat keeps its own connection, and\n"
            "                         the same seed gives the same run for any K\n"
            "      --embedded         the coordinator and every seat as threads of this\n"
            "                         process over inproc:// (same messages, same run);\n"
            "                         for fast sweeps and for a debugger\n"
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


static void s_usage_compare(FILE *f)
{
    fprintf(f,
            "usage: flywheel compare SCENARIO... [options]\n"
            "\n"
            "Runs each scenario with several seeds (each a whole `flywheel run`, several\n"
            "at once), then prints one table: per scenario, the mean over seeds and its\n"
            "95%% interval (Student t, across seeds) of each cloud's and vendor's\n"
            "cumulative profit, each lab's final valuation and revenue share, each chip\n"
            "family's share of installed compute, the round trip of each investment of\n"
            "$1B or more, the value of AI in each cloud's own operations and the\n"
            "concentration of clouds and labs; and per company the coefficient of\n"
            "variation of its outcome across the scenarios (CV scen.). Written in the\n"
            "output directory: compare-runs.csv (one row per run), compare.csv (n,\n"
            "mean, sd, 95%% interval per scenario and figure) and compare.md. Each run\n"
            "has its own directory <scenario>-seed<N> (a name given twice gets -2, ...).\n"
            "\n"
            "  -n, --seeds N      runs per scenario, seeds s, s+1, ... (default 3)\n"
            "  -j, --jobs N       runs at once (default: the processors, here %u)\n"
            "  -o, --out DIR      output directory (default runs/compare-<UTC time>)\n"
            "  -t, --ticks N      override the number of ticks of every run\n"
            "  -q, --quiet        no progress lines\n"
            "  -h, --help         this text\n"
            "\n"
            "Exit status: 0 done, 1 a run failed, 2 usage error or bad scenario,\n"
            "130 interrupted.\n", fw_pool_cpus());
}

static void s_install_signals(void);
static int s_valid_number(const char *s, unsigned long long min, unsigned long long max);

static int s_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"seeds", required_argument, NULL, 'n'}, {"out", required_argument, NULL, 'o'},
        {"ticks", required_argument, NULL, 't'}, {"quiet", no_argument, NULL, 'q'},
        {"jobs", required_argument, NULL, 'j'},  {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    fw_compare_config_t cfg = {0};
    char out[512], self[4096];
    unsigned long seeds = 3;
    int opt;
    optind = 1;
    cfg.seeds = 3;
    cfg.jobs = fw_pool_cpus();
    while ((opt = getopt_long(argc, argv, "n:o:t:j:qh", opts, NULL)) != -1) {
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
        case 'j':
            if (!s_valid_number(optarg, 1, 1024)) {
                fprintf(stderr, "flywheel: --jobs wants a number from 1 to 1024, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            cfg.jobs = (unsigned)strtoul(optarg, NULL, 10);
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

static void s_usage_sweep(FILE *f)
{
    fprintf(f,
            "usage: flywheel sweep SPEC [options]\n"
            "       flywheel sweep --scenario FILE --param PATH=V1,V2,... [options]\n"
            "       flywheel sweep --collect DIR\n"
            "\n"
            "A parameter sweep: every combination of the parameters' values, each with\n"
            "every seed, is one `flywheel run` into DIR/runs/<values>-seed<N>. SPEC is a\n"
            "small YAML file:\n"
            "  scenario: ../scenarios/baseline.yaml   # relative to SPEC\n"
            "  seeds: 3                               # or a list [1, 5, 9]\n"
            "  ticks: 24                              # optional\n"
            "  parameters:\n"
            "    market.reach_convergence: [0.005, 0.01]\n"
            "    strategy_params.aws.capex_return: [0.1, 0.2]\n"
            "A PATH is run.KEY, market.KEY, deal_overrides.KEY, strategy_params.SEAT.KEY\n"
            "or ROLE.KEY (a strategy parameter of every hyperscaler, lab or vendor).\n"
            "Writes DIR/sweep.csv (one row per run: run, values, seed, status, figures)\n"
            "and DIR/sweep-summary.csv (per combination and figure: n, mean, sd, 95%%\n"
            "interval across seeds), and prints the table. Runs already done (their\n"
            "sweep-done marker) are not redone: the same command resumes a sweep.\n"
            "\n"
            "  -s, --scenario FILE  the scenario (replaces the spec's)\n"
            "  -p, --param P=V,...  a parameter and its values (repeatable)\n"
            "  -n, --seeds N|S,...  N seeds from the scenario's own, or a list (default 3)\n"
            "  -t, --ticks N        every run's number of ticks\n"
            "  -o, --out DIR        output directory (default runs/sweep-<SPEC name>)\n"
            "  -j, --jobs N         runs at once here (default: the processors, here %u)\n"
            "      --emit parallel|slurm\n"
            "                       write DIR/jobs.txt and a GNU parallel script\n"
            "                       (run-parallel.sh; pass it --sshlogin for other hosts) or\n"
            "                       a Slurm array job (sweep.sbatch), and run nothing\n"
            "      --collect DIR    build sweep.csv and the summary from DIR's runs\n"
            "  -q, --quiet          no progress, no table\n"
            "  -h, --help           this text\n"
            "\n"
            "Exit status: 0 done, 1 a run failed or is missing, 2 usage error or bad\n"
            "spec or scenario, 130 interrupted (the same command resumes).\n",
            fw_pool_cpus());
}

static int s_sweep(int argc, char **argv)
{
    enum { OPT_EMIT = 256, OPT_COLLECT };
    static const struct option opts[] = {
        {"scenario", required_argument, NULL, 's'}, {"param", required_argument, NULL, 'p'},
        {"seeds", required_argument, NULL, 'n'},    {"ticks", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},      {"jobs", required_argument, NULL, 'j'},
        {"emit", required_argument, NULL, OPT_EMIT},
        {"collect", required_argument, NULL, OPT_COLLECT},
        {"quiet", no_argument, NULL, 'q'},          {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    fw_sweep_config_t cfg = {0};
    const char **params = calloc((size_t)argc + 1, sizeof *params);
    char self[4096];
    int opt, rc;
    if (!params)
        return EXIT_RUN_FAILED;
    cfg.params = params;
    cfg.jobs = fw_pool_cpus();
    opterr = 0;
    optind = 1;
    while ((opt = getopt_long(argc, argv, ":s:p:n:t:o:j:qh", opts, NULL)) != -1) {
        switch (opt) {
        case 's': cfg.scenario = optarg; break;
        case 'p': params[cfg.n_params++] = optarg; break;
        case 'n': cfg.seeds = optarg; break;
        case 't':
            if (!s_valid_number(optarg, 1, 100000)) {
                fprintf(stderr, "flywheel sweep: --ticks wants a number from 1 to 100000, not "
                                "'%s'\n", optarg);
                free(params);
                return EXIT_USAGE;
            }
            cfg.ticks = optarg;
            break;
        case 'o': cfg.out_dir = optarg; break;
        case 'j':
            if (!s_valid_number(optarg, 1, 1024)) {
                fprintf(stderr, "flywheel sweep: --jobs wants a number from 1 to 1024, not "
                                "'%s'\n", optarg);
                free(params);
                return EXIT_USAGE;
            }
            cfg.jobs = (unsigned)strtoul(optarg, NULL, 10);
            break;
        case OPT_EMIT:
            if (strcmp(optarg, "parallel") != 0 && strcmp(optarg, "slurm") != 0) {
                fprintf(stderr, "flywheel sweep: --emit is parallel or slurm, not '%s'\n",
                        optarg);
                free(params);
                return EXIT_USAGE;
            }
            cfg.emit = optarg;
            break;
        case OPT_COLLECT: cfg.collect = optarg; break;
        case 'q': cfg.quiet = 1; break;
        case 'h': s_usage_sweep(stdout); free(params); return 0;
        case ':':
            fprintf(stderr, "flywheel sweep: %s needs a value\n", argv[optind - 1]);
            free(params);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "flywheel sweep: unknown option '%s' (see flywheel help sweep)\n",
                    argv[optind - 1]);
            free(params);
            return EXIT_USAGE;
        }
    }
    if (optind < argc)
        cfg.spec = argv[optind++];
    if (optind < argc || (cfg.collect && (cfg.spec || cfg.emit || cfg.scenario ||
                                          cfg.n_params))) {
        fprintf(stderr, "flywheel sweep: %s\n", cfg.collect ? "--collect DIR takes nothing else"
                                                           : "one SPEC at a time");
        free(params);
        return EXIT_USAGE;
    }
    if (!cfg.collect && !cfg.spec && !cfg.scenario) {
        fprintf(stderr, "flywheel sweep: give a SPEC, or --scenario and --param (see flywheel "
                        "help sweep)\n");
        free(params);
        return EXIT_USAGE;
    }
    if (fw_launch_find_binary("flywheel", self, sizeof self) != 0) {
        fprintf(stderr, "flywheel: cannot find my own binary\n");
        free(params);
        return EXIT_RUN_FAILED;
    }
    cfg.self = self;
    cfg.stop = &s_interrupted;
    cfg.progress = isatty(STDERR_FILENO);
    s_install_signals();
    rc = fw_sweep_run(&cfg, stdout);
    free(params);
    return rc;
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
static int s_parse_run(int argc, char **argv, fw_run_opts_t *o)
{
    enum { OPT_TRANSPORT = 256, OPT_TICK_TIMEOUT, OPT_LOG_LEVEL, OPT_CHECK, OPT_VIEW,
           OPT_EMBEDDED };
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"ticks", required_argument, NULL, 't'},
        {"transport", required_argument, NULL, OPT_TRANSPORT},
        {"tick-timeout", required_argument, NULL, OPT_TICK_TIMEOUT},
        {"seats-per-process", required_argument, NULL, 'k'},
        {"quiet", no_argument, NULL, 'q'},
        {"view", no_argument, NULL, OPT_VIEW},
        {"embedded", no_argument, NULL, OPT_EMBEDDED},
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
    o->seats_per_process = 1;
    while ((c = getopt_long(argc, argv, ":o:s:t:k:qh", longopts, NULL)) != -1) {
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
        case 'k':
            if (!s_valid_number(optarg, 1, FW_RUN_SEATS_PER_PROCESS_MAX)) {
                fprintf(stderr, "flywheel run: --seats-per-process wants a whole number from "
                        "1 to %d, not '%s'\n", FW_RUN_SEATS_PER_PROCESS_MAX, optarg);
                return EXIT_USAGE;
            }
            o->seats_per_process = (unsigned)strtoul(optarg, NULL, 10);
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
        case OPT_EMBEDDED:
            o->embedded = 1;
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
    if (o->embedded && (o->view || o->seats_per_process > 1)) {
        fprintf(stderr, "flywheel run: --embedded runs every seat in this process: not with "
                        "%s\n", o->view ? "--view (open flywheel-viewer on the run's "
                                           "events.log afterwards)"
                                         : "--seats-per-process");
        return EXIT_USAGE;
    }
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


int main(int argc, char **argv)
{
    fw_heap_tune();
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
        if (strcmp(argv[2], "sweep") == 0) {
            s_usage_sweep(stdout);
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
        if (strcmp(argv[2], "replay") == 0) {
            fw_replay_usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "keys") == 0) {
            fw_keys_usage(stdout);
            return 0;
        }
        if (strcmp(argv[2], "export") == 0) {
            fw_export_usage(stdout);
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
    if (strcmp(cmd, "sweep") == 0)
        return s_sweep(argc - 1, argv + 1);
    if (strcmp(cmd, "run") == 0) {
        fw_run_opts_t o;
        int rc = s_parse_run(argc - 1, argv + 1, &o);
        if (rc < 0)
            return 0;
        if (rc != 0)
            return rc;
        int level = fw_log_level_parse(o.log_level ? o.log_level : (o.quiet ? "error" : "warn"));
        fw_log_init("launcher", "-", (fw_log_level_t)level);
        o.stop = &s_interrupted;
        o.catch_signals = s_install_signals;
        return fw_run(&o);
    }
    if (strcmp(cmd, "serve") == 0)
        return fw_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "replay") == 0)
        return fw_replay_main(argc - 1, argv + 1);
    if (strcmp(cmd, "export") == 0)
        return fw_export_main(argc - 1, argv + 1);
    if (strcmp(cmd, "play") == 0)
        return fw_play_main(argc - 1, argv + 1);
    if (strcmp(cmd, "keys") == 0)
        return fw_keys_main(argc - 1, argv + 1);
    if (strcmp(cmd, "scenario") == 0)
        return s_scenario(argc - 1, argv + 1);
    fprintf(stderr, "flywheel: unknown command '%s'\n", cmd);
    s_usage(stderr);
    return EXIT_USAGE;
}
