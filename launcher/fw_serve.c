/* fw_serve: see fw_serve.h.
 *
 * `serve` is a supervisor like `run`, with players instead of agent processes: it
 * starts the coordinator with house bots on, shows the operator who holds each seat
 * and how the game moves (from the coordinator's snapshots), and turns the operator's
 * keys into the coordinator's signals: SIGUSR1 pauses after the current tick, SIGUSR2
 * resumes (or starts the game from the lobby), SIGTERM ends it with the outputs
 * written.
 */
#include "fw_clock.h"
#include "fw_file.h"
#include "fw_serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_launch.h"
#include "fw_log.h"
#include "fw_signal.h"
#include "fw_socket.h"
#include "fw_proto.h"
#include "fw_scenario.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130
#define ENDPOINTS_TIMEOUT_MS 10000

/* Set by signal handlers, read by the loop. */
static volatile sig_atomic_t s_interrupted;
static volatile sig_atomic_t s_forward; /* SIGUSR1/SIGUSR2 to pass on to the coordinator */

static void s_on_signal(int sig)
{
    if (sig == SIGUSR1 || sig == SIGUSR2)
        s_forward = sig;
    else
        s_interrupted = sig;
}

typedef struct {
    const char *scenario, *out, *listen, *publish, *seed, *ticks, *players, *start_after;
    const char *pace, *takeover_after, *tick_timeout, *log_level;
    const char *curve_secret, *allow, *viewer_allow; /* CURVE; NULL: plaintext */
    int allow_any;
    int quiet;
    int addresses_given; /* --listen or --publish given (else loopback only) */
} s_serve_opts_t;

void fw_serve_usage(FILE *f)
{
    fprintf(f,
            "usage: flywheel serve SCENARIO [options]\n"
            "\n"
            "Runs a game for players on the network. Each company of SCENARIO is a seat;\n"
            "players claim seats with `flywheel play URL SEAT` (or any agent). The game\n"
            "waits in a lobby until --players seats are claimed or --start-after seconds\n"
            "pass (or you press g), then the house bots (the built-in strategy of each\n"
            "role) play every empty seat, and the ticks begin.\n"
            "\n"
            "  -l, --listen URL         where players connect (default tcp://127.0.0.1:5555:\n"
            "                           this machine only; tcp://*:5555 opens it to the room)\n"
            "  -p, --publish URL        where viewers subscribe (default tcp://127.0.0.1:5556)\n"
            "  -o, --out DIR            run directory (default runs/<scenario>-<UTC time>)\n"
            "  -s, --seed N             override the scenario's seed\n"
            "  -t, --ticks N            override the number of ticks\n"
            "      --players N          start as soon as N seats have players (default: all)\n"
            "      --start-after S      start after S seconds even if seats are empty\n"
            "                           (default: wait for the players, or for g)\n"
            "      --pace P             deadline:S (default deadline:30: a turn timer of S\n"
            "                           seconds; late moves miss the tick) or lockstep (wait\n"
            "                           for every player, at most --tick-timeout)\n"
            "      --takeover-after K   the house bot replaces a player silent K ticks in a\n"
            "                           row (default 2); a disconnected player at once\n"
            "      --tick-timeout MS    lockstep only: longest wait for a player (default 5000)\n"
            "      --curve-secret FILE  encrypt the game with this key pair (NAME.key_secret\n"
            "                           from `flywheel keys new`); players and viewers give\n"
            "                           its public key: flywheel play URL SEAT --server-key F\n"
            "      --allow DIR          with --curve-secret: only players whose public keys\n"
            "                           (NAME.key) are in DIR; a key named after a seat plays\n"
            "                           only that seat\n"
            "      --allow-any          with --curve-secret: any player key (an open class\n"
            "                           that still wants encryption)\n"
            "      --viewer-allow DIR   with --curve-secret: only these viewers (default any)\n"
            "  -q, --quiet              only errors on this terminal\n"
            "      --log-level L        the coordinator's log: debug, info (default), warn...\n"
            "\n"
            "Keys on this terminal: g start now (from the lobby), p pause after this tick,\n"
            "r resume, s show the seats, q end the game (outputs are written), ? help.\n"
            "SIGUSR1 pauses and SIGUSR2 resumes, for scripts.\n"
            "\n"
            "Exit status: 0 the game ran to the end, 1 it failed, 2 usage error or bad\n"
            "scenario, 130 ended early (q or Ctrl-C).\n");
}

void fw_play_usage(FILE *f)
{
    fprintf(f,
            "usage: flywheel play URL SEAT [--name NAME] [--resume TOKEN] [--give-up S]\n"
            "                              [--server-key FILE [--curve-secret FILE]]\n"
            "\n"
            "Plays SEAT (a company of the game, e.g. openai) at this terminal, against the\n"
            "game served at URL (e.g. tcp://192.168.1.10:5555, as the teacher's screen\n"
            "shows). A full-screen menu shows your company, the market and your moves;\n"
            "press ? in it for help. If you get disconnected, the house bot plays for you;\n"
            "come back with the --resume TOKEN shown at the bottom of your screen.\n"
            "\n"
            "  --name NAME      your name, shown to the teacher (default: your login)\n"
            "  --resume TOKEN   take your seat back after a disconnect\n"
            "  --server-key F   the game's public key (the teacher hands out its .key\n"
            "                   file): the game is encrypted and known to be the teacher's\n"
            "  --curve-secret F your own key pair (NAME.key_secret), when the teacher gave\n"
            "                   you one (a game that admits listed players only)\n"
            "  --give-up S      stop trying after S seconds without the game server\n"
            "                   (default 600). When contact is lost the screen says so\n"
            "                   and the seat comes back by itself when the game does.\n"
            "\n"
            "Exit status: 0 the game ended or you left, 2 usage error, 3 the seat was\n"
            "refused (the message says why), 5 gave up on the game server, 130 Ctrl-C.\n");
}

/* ---- options -------------------------------------------------------------------- */

static int s_number(const char *s, unsigned long long min, unsigned long long max)
{
    char *end;
    if (!s || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    return !errno && !*end && v >= min && v <= max;
}

static int s_seconds(const char *s)
{
    char *end;
    if (!s || !*s)
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    return !errno && !*end && v >= 0 && v <= 86400;
}

/* Returns 0, -1 after --help, or EXIT_USAGE after saying why. */
static int s_parse(int argc, char **argv, s_serve_opts_t *o)
{
    enum { O_PLAYERS = 256, O_START, O_PACE, O_TAKEOVER, O_TICK_TIMEOUT, O_LOG, O_CURVE,
           O_ALLOW, O_ALLOW_ANY, O_VIEWER_ALLOW };
    static const struct option longopts[] = {
        {"listen", required_argument, NULL, 'l'}, {"publish", required_argument, NULL, 'p'},
        {"out", required_argument, NULL, 'o'},    {"seed", required_argument, NULL, 's'},
        {"ticks", required_argument, NULL, 't'},  {"players", required_argument, NULL, O_PLAYERS},
        {"start-after", required_argument, NULL, O_START},
        {"pace", required_argument, NULL, O_PACE},
        {"takeover-after", required_argument, NULL, O_TAKEOVER},
        {"tick-timeout", required_argument, NULL, O_TICK_TIMEOUT},
        {"log-level", required_argument, NULL, O_LOG}, {"quiet", no_argument, NULL, 'q'},
        {"curve-secret", required_argument, NULL, O_CURVE},
        {"allow", required_argument, NULL, O_ALLOW},
        {"allow-any", no_argument, NULL, O_ALLOW_ANY},
        {"viewer-allow", required_argument, NULL, O_VIEWER_ALLOW},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int c;
    memset(o, 0, sizeof *o);
    /* This machine only until the operator says otherwise: a classroom's network is
     * shared, and a game open to it should be a choice (with keys, see --curve-secret). */
    o->listen = "tcp://127.0.0.1:5555";
    o->publish = "tcp://127.0.0.1:5556";
    o->pace = "deadline:30";
    o->takeover_after = "2";
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":l:p:o:s:t:qh", longopts, NULL)) != -1) {
        const char *bad = NULL;
        switch (c) {
        case 'l': o->listen = optarg; o->addresses_given = 1; break;
        case 'p': o->publish = optarg; o->addresses_given = 1; break;
        case O_CURVE: o->curve_secret = optarg; break;
        case O_ALLOW: o->allow = optarg; break;
        case O_ALLOW_ANY: o->allow_any = 1; break;
        case O_VIEWER_ALLOW: o->viewer_allow = optarg; break;
        case 'o': o->out = optarg; if (!*optarg) bad = "--out needs a directory"; break;
        case 's': o->seed = optarg; if (!s_number(optarg, 0, UINT64_MAX)) bad = "--seed wants a whole number"; break;
        case 't': o->ticks = optarg; if (!s_number(optarg, 1, 1000000)) bad = "--ticks wants a whole number >= 1"; break;
        case O_PLAYERS: o->players = optarg; if (!s_number(optarg, 1, 100000)) bad = "--players wants a whole number >= 1"; break;
        case O_START: o->start_after = optarg; if (!s_seconds(optarg)) bad = "--start-after wants seconds"; break;
        case O_PACE:
            o->pace = optarg;
            if (strcmp(optarg, "lockstep") != 0 &&
                (strncmp(optarg, "deadline:", 9) != 0 || !s_seconds(optarg + 9) ||
                 strtod(optarg + 9, NULL) < 0.05))
                bad = "--pace is lockstep or deadline:SECONDS (e.g. deadline:30)";
            break;
        case O_TAKEOVER: o->takeover_after = optarg; if (!s_number(optarg, 0, 1000000)) bad = "--takeover-after wants a whole number"; break;
        case O_TICK_TIMEOUT: o->tick_timeout = optarg; if (!s_number(optarg, 1, INT_MAX)) bad = "--tick-timeout wants milliseconds"; break;
        case O_LOG: o->log_level = optarg; if (fw_log_level_parse(optarg) < 0) bad = "--log-level is debug, info, warn, error or quiet"; break;
        case 'q': o->quiet = 1; break;
        case 'h': fw_serve_usage(stdout); return -1;
        case ':':
            fprintf(stderr, "flywheel serve: %s needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "flywheel serve: unknown option '%s' (see flywheel help serve)\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
        if (bad) {
            fprintf(stderr, "flywheel serve: %s, not '%s'\n", bad, optarg);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "flywheel serve: which scenario? (see flywheel help serve)\n");
        return EXIT_USAGE;
    }
    if (optind + 1 < argc) {
        fprintf(stderr, "flywheel serve: one scenario at a time ('%s' is extra)\n",
                argv[optind + 1]);
        return EXIT_USAGE;
    }
    o->scenario = argv[optind];
    if (o->curve_secret && !o->allow == !o->allow_any) {
        fprintf(stderr, "flywheel serve: --curve-secret needs one of --allow DIR (the players' "
                        "public keys) or --allow-any\n");
        return EXIT_USAGE;
    }
    if (!o->curve_secret && (o->allow || o->allow_any || o->viewer_allow)) {
        fprintf(stderr, "flywheel serve: --allow, --allow-any and --viewer-allow need "
                        "--curve-secret FILE (make one with `flywheel keys new DIR NAME`)\n");
        return EXIT_USAGE;
    }
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------- */

/* Prints how players reach a tcp:// endpoint bound to every interface: one URL per
 * IPv4 address of this machine. */
static void s_print_urls(const char *bound)
{
    const char *port = strrchr(bound, ':');
    struct ifaddrs *ifs = NULL, *i;
    int any = 0;
    if (strncmp(bound, "tcp://", 6) != 0 || !port ||
        (strncmp(bound + 6, "0.0.0.0", 7) != 0 && bound[6] != '*')) {
        printf("    %s\n", bound);
        return;
    }
    if (getifaddrs(&ifs) == 0) {
        for (i = ifs; i; i = i->ifa_next) {
            char ip[INET_ADDRSTRLEN];
            if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
                continue;
            if (!inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, ip,
                           sizeof ip) || strncmp(ip, "127.", 4) == 0)
                continue;
            printf("    tcp://%s%s   (%s)\n", ip, port, i->ifa_name);
            any = 1;
        }
        freeifaddrs(ifs);
    }
    if (!any)
        printf("    tcp://127.0.0.1%s   (this machine only: no network address found)\n", port);
}

static const char *s_holder(Flywheel__V1__Holder h)
{
    switch (h) {
    case FLYWHEEL__V1__HOLDER__HOLDER_PLAYER: return "player";
    case FLYWHEEL__V1__HOLDER__HOLDER_HOUSE: return "house bot";
    default: return "empty";
    }
}

static void s_print_seats(const fw_scenario_t *sc, const Flywheel__V1__Snapshot *s)
{
    printf("  %-12s %-28s %-12s %-10s %s\n", "SEAT", "COMPANY", "ROLE", "HELD BY", "WHO");
    for (size_t i = 0; i < sc->n_seats; i++) {
        const Flywheel__V1__SeatStatus *st = s && i < s->n_seats ? s->seats[i] : NULL;
        printf("  %-12s %-28.28s %-12s %-10s %s%s\n", sc->seats[i].id, sc->seats[i].name,
               fw_role_name(sc->seats[i].role), st ? s_holder(st->holder) : "empty",
               st ? st->player : "", st && st->returning ? " (player returns next tick)" : "");
    }
    fflush(stdout);
}

/* A digest of who holds which seat, to print the table only when it changes. */
static unsigned long long s_seat_digest(const Flywheel__V1__Snapshot *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (size_t i = 0; i < s->n_seats; i++) {
        const char *p = s->seats[i]->player;
        h = (h ^ (unsigned)s->seats[i]->holder) * 1099511628211ULL;
        h = (h ^ (unsigned)s->seats[i]->returning) * 1099511628211ULL;
        while (p && *p)
            h = (h ^ (unsigned char)*p++) * 1099511628211ULL;
    }
    return h;
}

static void s_keys_help(void)
{
    printf("Keys: g start now  p pause after this tick  r resume  s seats  q end the game  "
           "? help\n");
    fflush(stdout);
}

/* metrics.csv of games as long as a scenario allows: far below this (as for checks). */
#define S_MAX_METRICS_BYTES (256u * 1024u * 1024u)

/* Rows of metrics.csv (a row per finished tick), or -1 if it cannot be read. */
static long s_ticks_recorded(const char *dir)
{
    char path[PATH_MAX + 32], *text = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/metrics.csv", dir);
    if (fw_file_read(path, S_MAX_METRICS_BYTES, &text, &len) != 0)
        return -1;
    long lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    free(text);
    return lines > 0 ? lines - 1 : 0;
}

/* The host's last word on the game, whatever ended it: how it ended, and where its
 * record is and what it holds. A failure is told even with --quiet. */
static void s_print_ending(FILE *to, int status, const char *dir, int quiet)
{
    long ticks = s_ticks_recorded(dir);
    char held[64], how[96];
    if (ticks < 0)
        snprintf(held, sizeof held, "no metrics.csv");
    else if (ticks == 0)
        snprintf(held, sizeof held, "no finished tick");
    else if (ticks == 1)
        snprintf(held, sizeof held, "tick 1");
    else
        snprintf(held, sizeof held, "ticks 1-%ld", ticks);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        if (!quiet)
            fprintf(to, "Game over: all %ld ticks played. The game's record is in %s: "
                        "events.log (every move), metrics.csv, summary.json.\n", ticks, dir);
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_INTERRUPTED) {
        if (!quiet)
            fprintf(to, "The game was ended early, after %s. Its record is in %s: events.log, "
                        "metrics.csv (%s), summary.json.\n",
                    ticks > 0 ? "the last finished tick" : "the lobby", dir, held);
    } else {
        fw_launch_describe_status(status, how, sizeof how);
        fprintf(to, "flywheel serve: the game is over: the coordinator stopped unexpectedly "
                    "(%s; its log is above).\n"
                    "  Players' screens say they lost contact with the game server.\n"
                    "  What was played is kept in %s: metrics.csv (%s), events.log (every "
                    "move)%s.\n",
                how, dir, held,
                access(dir, R_OK) == 0 ? "" : " -- the directory is missing");
    }
    fflush(to);
}

/* ---- the command ------------------------------------------------------------------ */

int fw_serve_main(int argc, char **argv)
{
    s_serve_opts_t o;
    char err[1024], dir[PATH_MAX], bin[PATH_MAX], listen[512], publish[512],
        path[PATH_MAX + 32];
    fw_scenario_t *sc = NULL;
    fw_supervisor_t *sv = NULL;
    void *ctx = NULL, *sub = NULL;
    pid_t coord = -1;
    int rc = s_parse(argc, argv, &o), coord_done = 0, coord_status = 0, tty = 0;
    struct termios saved;
    fw_envelope_t *env = NULL;
    Flywheel__V1__Snapshot *last = NULL; /* the last snapshot (owned by last_env) */
    fw_envelope_t *last_env = NULL;
    unsigned long long digest = 0;
    unsigned last_tick = 0;
    int last_phase = -1, stdin_open = 1;

    if (rc < 0)
        return 0;
    if (rc != 0)
        return rc;
    fw_log_init("launcher", "-", o.quiet ? FW_LOG_ERROR : FW_LOG_WARN);
    rc = EXIT_FAILED;
    sc = fw_scenario_load(o.scenario, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "%s\n", err);
        return EXIT_USAGE;
    }
    if (fw_launch_find_binary("flywheel-coordinator", bin, sizeof bin) != 0) {
        fprintf(stderr, "flywheel serve: cannot run %s: %s\n", bin, strerror(errno));
        goto out;
    }
    if (o.out)
        snprintf(dir, sizeof dir, "%s", o.out);
    else if (fw_launch_run_dir_name(sc->name, time(NULL), dir, sizeof dir) != 0)
        goto out;
    snprintf(path, sizeof path, "%s/endpoints", dir);
    if (fw_launch_mkdirs(dir) != 0 || (unlink(path) != 0 && errno != ENOENT)) {
        fprintf(stderr, "flywheel serve: cannot prepare %s: %s\n", dir, strerror(errno));
        goto out;
    }

    static const int signals[] = {SIGINT, SIGTERM, SIGUSR1, SIGUSR2};
    if (fw_signal_catch(s_on_signal, signals, 4) != 0) {
        fprintf(stderr, "flywheel serve: cannot catch signals: %s\n", strerror(errno));
        goto out;
    }

    sv = fw_supervisor_new();
    if (!sv)
        goto out;
    char *av[40]; /* the coordinator's command: kept, to restart it from its log */
    int n = 0;
    {
        av[n++] = bin;
        av[n++] = "--scenario"; av[n++] = (char *)o.scenario;
        av[n++] = "--listen"; av[n++] = (char *)o.listen;
        av[n++] = "--publish"; av[n++] = (char *)o.publish;
        av[n++] = "--out"; av[n++] = dir;
        av[n++] = "--house-bots";
        av[n++] = "--pace"; av[n++] = (char *)o.pace;
        av[n++] = "--takeover-after"; av[n++] = (char *)o.takeover_after;
        if (o.seed) { av[n++] = "--seed"; av[n++] = (char *)o.seed; }
        if (o.ticks) { av[n++] = "--ticks"; av[n++] = (char *)o.ticks; }
        if (o.players) { av[n++] = "--players"; av[n++] = (char *)o.players; }
        if (o.start_after) { av[n++] = "--start-after"; av[n++] = (char *)o.start_after; }
        if (o.tick_timeout) { av[n++] = "--tick-timeout"; av[n++] = (char *)o.tick_timeout; }
        if (o.curve_secret) { av[n++] = "--curve-secret"; av[n++] = (char *)o.curve_secret; }
        if (o.allow) { av[n++] = "--allow"; av[n++] = (char *)o.allow; }
        if (o.allow_any) av[n++] = "--allow-any";
        if (o.viewer_allow) { av[n++] = "--viewer-allow"; av[n++] = (char *)o.viewer_allow; }
        av[n++] = "--log-level";
        av[n++] = (char *)(o.log_level ? o.log_level : o.quiet ? "error" : "info");
        av[n] = NULL;
        coord = fw_supervisor_spawn(sv, "coordinator", av);
    }
    int restarted = 0, stopping = 0;
    if (coord < 0) {
        fprintf(stderr, "flywheel serve: cannot start %s: %s\n", bin, strerror(errno));
        goto out;
    }
    /* The endpoints: the coordinator writes them once bound. A game may even be over
     * before we look (a short one nobody plays): the file tells it was ready. */
    for (long long until = fw_clock_ms() + ENDPOINTS_TIMEOUT_MS;;) {
        fw_child_exit_t ex;
        int exited = fw_supervisor_reap(sv, &ex) == 1 && ex.pid == coord;
        int r = fw_launch_read_endpoints(path, listen, publish, sizeof listen);
        if (exited) {
            coord_done = 1;
            coord_status = ex.status;
        }
        if (r == FW_LAUNCH_OK)
            break;
        if (exited) {
            char how[96];
            fw_launch_describe_status(ex.status, how, sizeof how);
            fprintf(stderr, "flywheel serve: the coordinator stopped before it was ready (%s; "
                            "see the lines above)\n", how);
            goto out;
        }
        if (s_interrupted || fw_clock_ms() > until || r == FW_LAUNCH_EMALFORMED || r == FW_LAUNCH_EIO) {
            fprintf(stderr, "flywheel serve: the coordinator did not start\n");
            goto out;
        }
        fw_clock_sleep_ms(20);
    }
    ctx = zmq_ctx_new();
    char why[512];
    /* With CURVE, serve watches with the coordinator's own key (on its viewers' list). */
    fw_curve_pair_t own;
    if (o.curve_secret && fw_curve_read_secret(o.curve_secret, &own, why, sizeof why) != 0) {
        fprintf(stderr, "flywheel serve: %s\n", why);
        goto out;
    }
    if (!ctx || fw_socket_subscriber(ctx, publish, NULL, 0, 0, o.curve_secret ? &own : NULL,
                                     o.curve_secret ? own.public_key : NULL, &sub, why,
                                     sizeof why) != 0) {
        fprintf(stderr, "flywheel serve: cannot watch the game at %s\n", publish);
        goto out;
    }
    if (!o.curve_secret && !fw_socket_endpoint_is_local(listen))
        fprintf(stderr, "flywheel serve: WARNING: %s is open to the network without "
                        "encryption or keys: anyone who can reach it can take a free seat. "
                        "See docs/security.md (--curve-secret).\n", listen);
    if (!o.quiet) {
        printf("Flywheel: serving scenario '%s' (%zu seats, %s) -> %s\n", sc->name,
               sc->n_seats, o.pace, dir);
        printf("  Players connect to:\n");
        s_print_urls(listen);
        if (o.curve_secret)
            printf("  Each player types:  flywheel play URL SEAT --name NAME --server-key "
                   "COORDINATOR.key\n  (the public key next to %s)\n", o.curve_secret);
        else
            printf("  Each player types:  flywheel play URL SEAT --name NAME\n");
        printf("  Viewers subscribe to:\n");
        s_print_urls(publish);
        if (!o.addresses_given)
            printf("  This game is open to this machine only. To open it to the room:\n"
                   "    flywheel keys new keys coordinator\n"
                   "    flywheel serve %s --listen tcp://*:5555 --publish tcp://*:5556 \\\n"
                   "        --curve-secret keys/coordinator.key_secret --allow-any\n"
                   "  and give the players keys/coordinator.key (docs/classroom.md).\n",
                   o.scenario);
        printf("Lobby open: the game starts when %s player%s in", o.players ? o.players : "all",
               o.players && strcmp(o.players, "1") == 0 ? " is" : "s are");
        if (o.start_after)
            printf(", or after %s s (house bots play the empty seats)", o.start_after);
        printf("; g starts it now.\n");
        s_keys_help();
    }
    tty = isatty(STDIN_FILENO);
    if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
        struct termios raw = saved;
        raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
    } else {
        tty = 0;
    }

    while (!coord_done) {
        fw_child_exit_t ex;
        while (fw_supervisor_reap(sv, &ex) == 1)
            if (ex.pid == coord) {
                coord_done = 1;
                coord_status = ex.status;
                /* A crashed coordinator (killed by a signal serve did not send) comes
                 * back from its log, once; the players' clients find it again and
                 * take their seats back with their tokens. */
                if (!restarted && !stopping && WIFSIGNALED(ex.status)) {
                    char how[96];
                    fw_launch_describe_status(ex.status, how, sizeof how);
                    fprintf(stderr, "flywheel serve: the coordinator %s after tick %u; "
                            "restarting it from its log (once)\n", how, last_tick);
                    restarted = 1;
                    av[n++] = "--resume";
                    av[n] = NULL;
                    coord = fw_supervisor_spawn(sv, "coordinator", av);
                    coord_done = coord < 0;
                }
            }
        if (s_interrupted) {
            kill(coord, SIGTERM);
            s_interrupted = 0;
            stopping = 1;
        }
        if (s_forward) {
            kill(coord, s_forward);
            s_forward = 0;
        }
        /* Keys (a terminal) or lines (a pipe, for scripts). */
        struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
        if (stdin_open && poll(&pfd, 1, 0) > 0) {
            char ch;
            ssize_t got = read(STDIN_FILENO, &ch, 1);
            if (got <= 0) {
                stdin_open = 0;
            } else {
                switch (ch) {
                case 'g': case 'G': case 'r': case 'R':
                    kill(coord, SIGUSR2);
                    if (!o.quiet)
                        printf(last_phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY
                                   ? "Starting the game now.\n" : "Resuming.\n");
                    break;
                case 'p': case 'P':
                    kill(coord, SIGUSR1);
                    if (!o.quiet)
                        printf("Pausing after the current tick (r resumes).\n");
                    break;
                case 's': case 'S':
                    s_print_seats(sc, last);
                    break;
                case 'q': case 'Q':
                    if (!o.quiet)
                        printf("Ending the game; the outputs are being written.\n");
                    kill(coord, SIGTERM);
                    stopping = 1;
                    break;
                case '\n': case '\r': case ' ':
                    break;
                default:
                    s_keys_help();
                    break;
                }
                fflush(stdout);
            }
        }
        /* The game, from the snapshots. */
        int r = fw_proto_recv(sub, 100, &env);
        if (r != FW_PROTO_OK || env->body_case != FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT) {
            fw_proto_free(&env);
            continue;
        }
        const Flywheel__V1__Snapshot *s = env->snapshot;
        unsigned long long d = s_seat_digest(s);
        if (!o.quiet) {
            if (s->tick != last_tick && s->tick > 0) {
                size_t players = 0, house = 0, late = 0;
                for (size_t i = 0; i < s->n_seats; i++) {
                    players += s->seats[i]->holder == FLYWHEEL__V1__HOLDER__HOLDER_PLAYER;
                    house += s->seats[i]->holder == FLYWHEEL__V1__HOLDER__HOLDER_HOUSE;
                    late += s->seats[i]->late;
                }
                printf("[tick %u/%u] %s  players %zu, house bots %zu, late moves so far %zu%s\n",
                       s->tick, s->ticks, s->month, players, house, late,
                       s->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED ? "  (paused)" : "");
            }
            if (d != digest && s->n_seats) {
                if (s->phase == FLYWHEEL__V1__PHASE__PHASE_LOBBY) {
                    /* The time left as sent, just received: no clock needed. */
                    long long left = s->deadline_in_ms > 0
                                         ? ((long long)s->deadline_in_ms + 999) / 1000
                                         : -1;
                    printf("Lobby: waiting for %u player%s", s->players_wanted,
                           s->players_wanted == 1 ? "" : "s");
                    if (left >= 0)
                        printf(", or %lld s more (house bots fill the rest)", left);
                    printf("; g starts it now\n");
                } else {
                    printf("Seats:\n");
                }
                s_print_seats(sc, s);
            }
            if ((int)s->phase != last_phase && s->phase == FLYWHEEL__V1__PHASE__PHASE_PAUSED)
                printf("Paused after tick %u. r resumes.\n", s->tick);
            fflush(stdout);
        }
        digest = d;
        last_tick = s->tick;
        last_phase = (int)s->phase;
        fw_proto_free(&last_env);
        last_env = env;
        last = env->snapshot;
        env = NULL;
    }

    if (WIFEXITED(coord_status) && WEXITSTATUS(coord_status) == 0)
        rc = 0;
    else if (WIFEXITED(coord_status) && WEXITSTATUS(coord_status) == EXIT_INTERRUPTED)
        rc = EXIT_INTERRUPTED;
    else
        rc = EXIT_FAILED;
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (!o.quiet && access(path, R_OK) == 0 &&
        fw_launch_print_summary_file(stdout, path, dir, err, sizeof err) != 0)
        fprintf(stderr, "flywheel serve: %s\n", err);
    s_print_ending(rc == EXIT_FAILED ? stderr : stdout, coord_status, dir, o.quiet);

out:
    if (tty)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    fw_proto_free(&env);
    fw_proto_free(&last_env);
    if (sub)
        zmq_close(sub);
    if (ctx)
        zmq_ctx_term(ctx);
    fw_supervisor_destroy(&sv);
    fw_scenario_destroy(&sc);
    fflush(stdout);
    return rc;
}

int fw_play_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"name", required_argument, NULL, 'n'}, {"resume", required_argument, NULL, 'R'},
        {"give-up", required_argument, NULL, 'G'},
        {"server-key", required_argument, NULL, 'k'},
        {"curve-secret", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *resume = NULL, *give_up = "600", *server_key = NULL,
               *secret = NULL;
    char bin[PATH_MAX];
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":n:R:G:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'k': server_key = optarg; break;
        case 'K': secret = optarg; break;
        case 'n': name = optarg; break;
        case 'R': resume = optarg; break;
        case 'G':
            give_up = optarg;
            if (!s_number(optarg, 1, 86400)) {
                fprintf(stderr, "flywheel play: --give-up wants seconds, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'h': fw_play_usage(stdout); return 0;
        default:
            fprintf(stderr, "flywheel play: bad option '%s'\n", argv[optind - 1]);
            fw_play_usage(stderr);
            return EXIT_USAGE;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "flywheel play: give the game's URL and your seat, e.g.\n"
                        "  flywheel play tcp://192.168.1.10:5555 openai\n");
        return EXIT_USAGE;
    }
    if (fw_launch_find_binary("flywheel-agent", bin, sizeof bin) != 0) {
        fprintf(stderr, "flywheel play: cannot run %s: %s\n", bin, strerror(errno));
        return EXIT_FAILED;
    }
    char *av[16];
    int n = 0;
    av[n++] = bin;
    av[n++] = "--strategy";
    av[n++] = "human";
    av[n++] = "--connect";
    av[n++] = argv[optind];
    av[n++] = "--seat";
    av[n++] = argv[optind + 1];
    av[n++] = "--idle-timeout";
    av[n++] = (char *)give_up;
    if (name) {
        av[n++] = "--name";
        av[n++] = (char *)name;
    }
    if (resume) {
        av[n++] = "--resume";
        av[n++] = (char *)resume;
    }
    if (server_key) {
        av[n++] = "--server-key";
        av[n++] = (char *)server_key;
    }
    if (secret) {
        av[n++] = "--curve-secret";
        av[n++] = (char *)secret;
    }
    av[n] = NULL;
    execv(bin, av);
    fprintf(stderr, "flywheel play: cannot run %s: %s\n", bin, strerror(errno));
    return EXIT_FAILED;
}
