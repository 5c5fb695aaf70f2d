/* flywheel-agent: plays one seat of a Flywheel run against a coordinator.
 *
 * Thin: parses the command line, sets up logging, signals and the ZeroMQ context, and
 * hands over to fw_agent_run(). Exit codes: 0 after the coordinator's Bye, 1 on a
 * socket error, 2 on a usage error, 3 when the coordinator refuses the seat, 5 when
 * the coordinator goes silent past --idle-timeout, 130 on SIGINT/SIGTERM. (4 is
 * `flywheel run --check`'s "a check failed": every Flywheel program gives one
 * meaning to one code.)
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_agent.h"
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
            "\n"
            "Plays one seat of a Flywheel run against the coordinator at URL\n"
            "(tcp://host:port, ipc://path or inproc://name).\n"
            "\n"
            "  -c, --connect URL           coordinator endpoint (required)\n"
            "  -s, --seat NAME             claim this seat (e.g. aws)\n"
            "  -r, --role ROLE             or any free seat of ROLE: hyperscaler, lab, vendor\n"
            "  -S, --strategy NAME         behaviour (default: the seat's role):\n");
    for (size_t i = 0; i < fw_strategy_count(); i++) {
        const fw_strategy_t *st = fw_strategy_at(i);
        fprintf(to, "                                %-12s %s\n", st->name, st->summary);
    }
    fprintf(to, "                                %-12s %s\n", "human",
            "a person plays at this terminal (a full-screen menu; ? for help)");
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
            "130 interrupted.\n");
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

int main(int argc, char **argv)
{
    static const struct option options[] = {
        {"connect", required_argument, NULL, 'c'},
        {"seat", required_argument, NULL, 's'},
        {"role", required_argument, NULL, 'r'},
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
    const char *role_arg = NULL;
    double idle_s = 60.0;
    int opt, human = 0, level_set = 0, curve = 0;
    const char *server_key_file = NULL, *secret_file = NULL;
    fw_curve_pair_t pair;
    char server_key[FW_CURVE_KEY_LEN + 1], key_options[2200];
    char name[80] = "";

    opterr = 0; /* we print our own messages */
    while ((opt = getopt_long(argc, argv, ":c:s:r:S:R:n:k:t:l:hV", options, NULL)) != -1) {
        switch (opt) {
        case 'c': cfg.url = optarg; break;
        case 's': cfg.seat = optarg; break;
        case 'r': role_arg = optarg; break;
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
    if ((!cfg.seat || !cfg.seat[0]) && !role_arg)
        return s_usage_error("%s", "--seat NAME or --role ROLE is required");
    if (role_arg) {
        cfg.role = fw_strategy_role_parse(role_arg);
        if (cfg.role == FLYWHEEL__V1__ROLE__ROLE_UNSPECIFIED)
            return s_usage_error("unknown role '%s' (hyperscaler, lab, vendor)", role_arg);
    }
    if (cfg.strategy && strcmp(cfg.strategy, "human") == 0) {
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

    fw_log_init("agent", cfg.seat, level);

    static const int signals[] = {SIGINT, SIGTERM};
    if (fw_signal_catch(s_on_signal, signals, 2) != 0) {
        fprintf(stderr, "flywheel-agent: cannot install signal handlers: %s\n",
                strerror(errno));
        return EXIT_IO;
    }

    void *ctx = zmq_ctx_new();
    if (!ctx) {
        fprintf(stderr, "flywheel-agent: cannot create a ZeroMQ context: %s\n",
                zmq_strerror(zmq_errno()));
        return EXIT_IO;
    }
    cfg.zmq_ctx = ctx;
    cfg.stop = &s_stop;
    cfg.on_welcome = s_on_welcome;
    cfg.on_welcome_arg = &level;

    char reason[256] = "";
    int outcome = human ? fw_human_play(&cfg, reason, sizeof reason)
                        : fw_agent_run(&cfg, reason, sizeof reason);
    /* Every socket is closed with linger 0, so this returns at once. */
    while (zmq_ctx_term(ctx) != 0 && zmq_errno() == EINTR)
        ;

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
