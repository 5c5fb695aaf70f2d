/* flywheel-agent: plays one seat of a Flywheel run against a coordinator, or several
 * (--seats a,b,c or --role ROLE --count K), each on its own connection.
 *
 * Thin: parses the command line, sets up logging, signals and the ZeroMQ context, and
 * hands over to fw_agent_run_seats(). Exit codes: 0 after the coordinator's Bye, 1 on a
 * socket error, 2 on a usage error, 3 when the coordinator refuses the seat, 5 when
 * the coordinator goes silent past --idle-timeout, 130 on SIGINT/SIGTERM. (4 is
 * `flywheel run --check`'s "a check failed": every Flywheel program gives one
 * meaning to one code.) With several seats the process exits as its worst seat
 * ended: usage error, then socket error, refused, lost, interrupted, bye.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_agent.h"
#include "fw_agent_run.h"
#include "fw_heap.h"
#include "fw_human_tui.h"
#include "fw_log.h"
#include "fw_signal.h"
#include "fw_proto.h"
#include "fw_socket.h"
#include "fw_strategy.h"
#include "fw_version.h"

enum {
    EXIT_BYE = 0,
    EXIT_IO = 1,
    EXIT_USAGE = 2,
    EXIT_REFUSED = 3,
    EXIT_LOST = 5,
    EXIT_SIGNAL = 130,
};

/* The most seats one process plays: a socket, its monitor and a watch each, four file
 * descriptors, so this many fit the usual hard limits. */
#define S_SEATS_MAX 4096
#define S_STR2(x) #x
#define S_STR(x) S_STR2(x)

/* Written by the signal handler only; main() hands fw_agent_run a pointer to it. A
 * handler cannot take arguments, so this one flag has to live at file scope. */
static volatile sig_atomic_t s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_usage(FILE *to)
{
    fprintf(to,
            "usage: flywheel-agent --connect URL (--seat NAME | --role ROLE) [options]\n"
            "       flywheel-agent --connect URL --seats NAME,NAME,... [options]\n"
            "       flywheel-agent --connect URL --role ROLE --count K [options]\n"
            "\n"
            "Plays one seat of a Flywheel run against the coordinator at URL\n"
            "(tcp://host:port, ipc://path or inproc://name), or several seats, each on\n"
            "its own connection, in one process.\n"
            "\n"
            "  -c, --connect URL           coordinator endpoint (required)\n"
            "  -s, --seat NAME             claim this seat (e.g. aws)\n"
            "  -r, --role ROLE             or any free seat of ROLE: hyperscaler, lab, vendor\n"
            "  -m, --seats LIST            claim these seats (comma-separated, up to %d)\n"
            "  -C, --count K               with --role: K free seats of that role\n"
            "  -S, --strategy NAME         behaviour (default: the seat's role):\n",
            S_SEATS_MAX);
    for (size_t i = 0; i < fw_strategy_count(); i++) {
        const fw_strategy_t *st = fw_strategy_at(i);
        fprintf(to, "                                %-12s %s\n", st->name, st->summary);
    }
    fprintf(to, "                                %-12s %s\n", "human",
            "a person plays at this terminal (a full-screen menu; ? for help;\n"
            "                                             one seat per process)");
    fprintf(to,
            "  -R, --resume TOKEN          take back a seat held before (the token is in the\n"
            "                              Welcome: logged, and shown on the human screen)\n"
            "  -n, --name NAME             your name, shown in the lobby (default: program)\n"
            "  -k, --server-key FILE       the coordinator's public key (NAME.key): the link\n"
            "                              is encrypted and the coordinator known (CURVE)\n"
            "      --curve-secret FILE     your key pair (NAME.key_secret) for a game that\n"
            "                              admits listed keys (default: a new pair)\n");
    fprintf(to,
            "  -t, --idle-timeout SECONDS  give up when the coordinator is silent this long"
            " (default 60)\n"
            "  -l, --log-level LEVEL       debug, info, warn, error, quiet (default info)\n"
            "  -h, --help                  show this help\n"
            "  -V, --version               show the version\n"
            "\n"
            "Exit status: 0 run over (or, playing as a human, you left), 1 socket error,\n"
            "2 usage error, 3 refused by the coordinator, 5 coordinator lost,\n"
            "130 interrupted. With several seats, the worst seat's: 2, then 1, 3, 5,\n"
            "130, 0.\n");
}

static int s_usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "flywheel-agent: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\nTry 'flywheel-agent --help'.\n");
    return EXIT_USAGE;
}

/* Puts the seat the coordinator gave us into every later log line. Runs on the main
 * thread, before anything else logs concurrently. */
static void s_on_welcome(void *arg, const char *seat, Flywheel__V1__Role role)
{
    (void)role;
    fw_log_init("agent", seat, *(const fw_log_level_t *)arg);
}

/* Splits --seats' comma-separated list (in place) into claims of `role`. Returns the
 * number of claims, or 0 after printing why the list is wrong. */
static size_t s_parse_seats(char *list, Flywheel__V1__Role role, fw_agent_claim_t *claims,
                            size_t cap)
{
    size_t n = 0;
    for (char *name = list, *next; name; name = next) {
        next = strchr(name, ',');
        if (next)
            *next++ = '\0';
        if (!name[0]) {
            s_usage_error("%s", "--seats wants seat names separated by commas, with "
                                "no empty name");
            return 0;
        }
        if (n == cap || n == S_SEATS_MAX) {
            s_usage_error("%s", "--seats names more than " S_STR(S_SEATS_MAX) " seats");
            return 0;
        }
        for (size_t i = 0; i < n; i++)
            if (strcmp(claims[i].seat, name) == 0) {
                s_usage_error("--seats names seat '%s' twice", name);
                return 0;
            }
        claims[n++] = (fw_agent_claim_t){.seat = name, .role = role};
    }
    return n;
}

/* Room for n seats: ZeroMQ's cap on sockets in a context (three per seat: the
 * connection, its monitor, the watch's end) and the open files limit (about four
 * descriptors per seat), raised as far as the hard limit allows. */
static void s_make_room(void *ctx, size_t n)
{
    int sockets = (int)(3 * n + 64);
    struct rlimit rl;
    if (sockets > zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS))
        zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, sockets);
    rlim_t want = (rlim_t)(4 * n + 64);
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < want) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            fw_log_warn("agent", "cannot raise the open files limit for %zu seats: %s", n,
                        strerror(errno));
    }
}

/* The process's exit status for how the run ended. */
static int s_exit_code(int outcome, int human, const char *reason)
{
    switch (outcome) {
    case FW_AGENT_BYE:
        if (human)
            printf("The game is over: %s\n", reason[0] ? reason : "bye");
        fw_log_info("agent", "run over: %s", reason[0] ? reason : "bye");
        return EXIT_BYE;
    case FW_AGENT_REFUSED:
        fprintf(stderr, "flywheel-agent: refused: %s\n", reason);
        return EXIT_REFUSED;
    case FW_AGENT_LOST:
        if (human)
            fprintf(stderr, "flywheel play: gave up: %s\n", reason);
        fw_log_error("agent", "lost the coordinator: %s", reason);
        return EXIT_LOST;
    case FW_AGENT_STOPPED:
        if (human && strcmp(reason, "you left the game") == 0) {
            printf("You left the game; the house bot plays your seat.\n");
            return EXIT_BYE;
        }
        fw_log_info("agent", "stopped by a signal");
        return EXIT_SIGNAL;
    case FW_AGENT_EUSAGE:
        fprintf(stderr, "flywheel-agent: %s\n", reason);
        return EXIT_USAGE;
    default:
        if (human)
            fprintf(stderr, "flywheel play: %s\n", reason);
        fw_log_error("agent", "%s", reason);
        return EXIT_IO;
    }
}

int main(int argc, char **argv)
{
    fw_heap_tune();
    static const struct option options[] = {
        {"connect", required_argument, NULL, 'c'},
        {"seat", required_argument, NULL, 's'},
        {"role", required_argument, NULL, 'r'},
        {"seats", required_argument, NULL, 'm'},
        {"count", required_argument, NULL, 'C'},
        {"strategy", required_argument, NULL, 'S'},
        {"resume", required_argument, NULL, 'R'},
        {"name", required_argument, NULL, 'n'},
        {"server-key", required_argument, NULL, 'k'},
        {"curve-secret", required_argument, NULL, 'K'},
        {"idle-timeout", required_argument, NULL, 't'},
        {"log-level", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    fw_agent_config_t cfg = {0};
    fw_log_level_t level = FW_LOG_INFO;
    const char *role_arg = NULL, *seats_arg = NULL, *count_arg = NULL;
    double idle_s = 60.0;
    int opt, human = 0, level_set = 0, curve = 0;
    const char *server_key_file = NULL, *secret_file = NULL;
    fw_curve_pair_t pair;
    char server_key[FW_CURVE_KEY_LEN + 1], key_options[2200];
    char name[80] = "";

    opterr = 0; /* we print our own messages */
    while ((opt = getopt_long(argc, argv, ":c:s:r:m:C:S:R:n:k:t:l:hV", options, NULL)) != -1) {
        switch (opt) {
        case 'c': cfg.url = optarg; break;
        case 's': cfg.seat = optarg; break;
        case 'r': role_arg = optarg; break;
        case 'm': seats_arg = optarg; break;
        case 'C': count_arg = optarg; break;
        case 'S': cfg.strategy = optarg; break;
        case 'R': cfg.resume_token = optarg; break;
        case 'n':
            if (!optarg[0] || strlen(optarg) > 40)
                return s_usage_error("--name wants 1 to 40 characters, not '%s'", optarg);
            snprintf(name, sizeof name, "%s", optarg);
            break;
        case 't': {
            char *end = NULL;
            errno = 0;
            idle_s = strtod(optarg, &end);
            if (end == optarg || *end || errno || !isfinite(idle_s) || idle_s <= 0 ||
                idle_s > 86400.0 * 24)
                return s_usage_error("--idle-timeout wants a positive number of "
                                     "seconds, not '%s'", optarg);
            break;
        }
        case 'l': {
            int l = fw_log_level_parse(optarg);
            if (l < 0)
                return s_usage_error("unknown log level '%s' (debug, info, warn, error, "
                                     "quiet)", optarg);
            level = (fw_log_level_t)l;
            level_set = 1;
            break;
        }
        case 'k': server_key_file = optarg; break;
        case 'K': secret_file = optarg; break;
        case 'h': s_usage(stdout); return EXIT_BYE;
        case 'V':
            printf("flywheel-agent %s (protocol %u, schema %s)\n", FW_VERSION,
                   FW_PROTOCOL_VERSION, fw_proto_schema_hash());
            return EXIT_BYE;
        case ':':
            return s_usage_error("%s needs an argument", argv[optind - 1]);
        default:
            return s_usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return s_usage_error("unexpected argument '%s'", argv[optind]);
    if (!cfg.url || !cfg.url[0])
        return s_usage_error("%s", "--connect URL is required");
    if (cfg.seat && seats_arg)
        return s_usage_error("%s", "--seat and --seats: one or the other");
    if (count_arg && (cfg.seat || seats_arg || !role_arg))
        return s_usage_error("%s", "--count K goes with --role ROLE (any K free seats of "
                                   "that role), not with --seat or --seats");
    if ((!cfg.seat || !cfg.seat[0]) && !seats_arg && !role_arg)
        return s_usage_error("%s", "--seat NAME, --seats LIST or --role ROLE is required");
    if (role_arg) {
        cfg.role = fw_strategy_role_parse(role_arg);
        if (cfg.role == FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED)
            return s_usage_error("unknown role '%s' (hyperscaler, lab, vendor)", role_arg);
    }
    size_t n_claims = 1;
    if (count_arg) {
        char *end = NULL;
        errno = 0;
        unsigned long count = strtoul(count_arg, &end, 10);
        if (end == count_arg || *end || errno || count < 1 || count > S_SEATS_MAX ||
            count_arg[0] == '-')
            return s_usage_error("--count wants a number of seats from 1 to " S_STR(S_SEATS_MAX) ", not '%s'",
                                 count_arg);
        n_claims = count;
    }
    if (seats_arg)
        for (const char *c = seats_arg; *c; c++)
            n_claims += *c == ',';
    if (n_claims > 1 && cfg.resume_token)
        return s_usage_error("%s", "--resume takes back one seat: give it with --seat NAME");
    if (cfg.strategy && strcmp(cfg.strategy, "human") == 0) {
        if (seats_arg || count_arg)
            return s_usage_error("%s", "--strategy human plays one seat per process (a "
                                       "person at one terminal): use --seat NAME or --role "
                                       "ROLE, not --seats or --count");
        human = 1;
        cfg.strategy = NULL;
        /* Log lines would scribble over the screen. */
        if (!level_set)
            level = FW_LOG_QUIET;
        if (!name[0]) {
            const struct passwd *pw = getpwuid(getuid());
            const char *user = getenv("USER");
            if (!user || !user[0])
                user = pw && pw->pw_name[0] ? pw->pw_name : "a player";
            snprintf(name, sizeof name, "human: %.40s", user);
        }
    }
    if (name[0])
        cfg.name = name;
    if (cfg.strategy) {
        const fw_strategy_t *st = fw_strategy_find(cfg.strategy);
        char names[128];
        if (!st) {
            fprintf(stderr, "flywheel-agent: unknown strategy '%s' (known: %s)\n",
                    cfg.strategy, fw_strategy_names(names, sizeof names));
            return EXIT_USAGE;
        }
        if (cfg.role && !fw_strategy_can_play(st, cfg.role)) {
            fprintf(stderr, "flywheel-agent: strategy '%s' cannot play a %s\n", st->name,
                    fw_strategy_role_name(cfg.role));
            return EXIT_USAGE;
        }
    }
    {
        char why[512];
        if (fw_socket_curve_client(server_key_file, secret_file, &pair, server_key, &curve, why,
                                   sizeof why) != 0) {
            fprintf(stderr, "flywheel-agent: %s\n", why);
            return EXIT_USAGE;
        }
        if (curve) {
            cfg.curve_self = &pair;
            cfg.curve_server_key = server_key;
            snprintf(key_options, sizeof key_options, " --server-key %s%s%s", server_key_file,
                     secret_file ? " --curve-secret " : "", secret_file ? secret_file : "");
            cfg.key_options = key_options;
        }
    }
    cfg.idle_timeout_ms = (int)(idle_s * 1000.0);
    if (cfg.idle_timeout_ms < 1)
        cfg.idle_timeout_ms = 1;

    fw_agent_claim_t *claims = calloc(n_claims, sizeof *claims);
    char *seats_list = seats_arg ? strdup(seats_arg) : NULL;
    void *ctx = NULL;
    int rc = EXIT_IO;
    if (!claims || (seats_arg && !seats_list)) {
        fprintf(stderr, "flywheel-agent: out of memory\n");
        goto out;
    }
    if (seats_list) {
        if (s_parse_seats(seats_list, cfg.role, claims, n_claims) != n_claims) {
            rc = EXIT_USAGE;
            goto out;
        }
        if (n_claims == 1) {
            cfg.seat = claims[0].seat; /* --seats NAME is --seat NAME */
            claims[0].resume_token = cfg.resume_token;
        }
    } else {
        for (size_t i = 0; i < n_claims; i++)
            claims[i] = (fw_agent_claim_t){.seat = cfg.seat, .role = cfg.role,
                                           .resume_token = cfg.resume_token};
    }

    /* One seat puts its name in every line (at the Welcome, for a role); several seats
     * each name theirs in the lines about them. */
    fw_log_init("agent", n_claims == 1 ? cfg.seat : NULL, level);

    static const int signals[] = {SIGINT, SIGTERM};
    if (fw_signal_catch(s_on_signal, signals, 2) != 0) {
        fprintf(stderr, "flywheel-agent: cannot install signal handlers: %s\n",
                strerror(errno));
        goto out;
    }

    ctx = zmq_ctx_new();
    if (!ctx) {
        fprintf(stderr, "flywheel-agent: cannot create a ZeroMQ context: %s\n",
                zmq_strerror(zmq_errno()));
        goto out;
    }
    s_make_room(ctx, n_claims);
    cfg.zmq_ctx = ctx;
    cfg.stop = &s_stop;
    if (n_claims == 1) {
        cfg.on_welcome = s_on_welcome;
        cfg.on_welcome_arg = &level;
    }

    char reason[256] = "";
    int outcome = human ? fw_human_play(&cfg, reason, sizeof reason)
                        : fw_agent_run_seats(&cfg, claims, n_claims, NULL, reason,
                                             sizeof reason);
    rc = s_exit_code(outcome, human, reason);

out:
    /* Every socket is closed with linger 0, so this returns at once. */
    while (ctx && zmq_ctx_term(ctx) != 0 && zmq_errno() == EINTR)
        ;
    free(claims);
    free(seats_list);
    return rc;
}

