/* flywheel-viewer: the alliance graph, compute purchases and market shares of a run,
 * live from a coordinator or replayed from a run directory, in a window or to PNG.
 *
 *   flywheel-viewer --subscribe tcp://HOST:PORT [--history RUN_DIR]
 *   flywheel-viewer --replay RUN_DIR [--png FILE [--tick N] | --frames DIR | --bench]
 *
 * docs/viewer.md is the user's page. This file parses options and picks a mode; the
 * model (fw_vmodel), sources (fw_vsource), drawing (fw_vdraw_sdl) and SDL's start and
 * stop, the window, PNG and benchmark loops (fw_vapp_sdl) live in their modules: no SDL
 * here.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_log.h"
#include "fw_signal.h"
#include "fw_proto.h"
#include "fw_vapp_sdl.h"
#include "fw_vdraw_sdl.h"
#include "fw_version.h"
#include "fw_vmodel.h"
#include "fw_vplay.h"
#include "fw_vsource.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2
#define EXIT_INTERRUPTED 130

/* The only mutable globals: set by signal handlers, read by the loops. */
static volatile sig_atomic_t s_quit = 0;
static volatile sig_atomic_t s_shot = 0;

static void s_on_quit(int sig) { s_quit = sig; }
static void s_on_shot(int sig)
{
    (void)sig;
    s_shot = 1;
}

static void s_usage(FILE *f)
{
    fprintf(f,
            "usage: flywheel-viewer --subscribe URL [--history RUN_DIR] [options]\n"
            "       flywheel-viewer --replay RUN_DIR [options]\n"
            "       flywheel-viewer --replay RUN_DIR --png FILE [--tick N] [--size WxH]\n"
            "       flywheel-viewer --replay RUN_DIR --frames DIR [--size WxH]\n"
            "       flywheel-viewer --replay RUN_DIR --bench [--size WxH]\n"
            "\n"
            "Shows a Flywheel run: the alliance graph, the compute bought this tick and the\n"
            "market shares over time, on one timeline.\n"
            "\n"
            "Where the data comes from (one of):\n"
            "  --subscribe URL      follow a running coordinator: its --publish endpoint\n"
            "                       (tcp://HOST:PORT, ipc:///path; see RUN_DIR/endpoints)\n"
            "  --replay RUN_DIR     play a finished run from RUN_DIR/events.log (or a log file)\n"
            "\n"
            "Options:\n"
            "  --server-key FILE    with --subscribe: the coordinator's public key (NAME.key);\n"
            "                       the link is then encrypted and the coordinator known\n"
            "  --curve-secret FILE  your own key pair (NAME.key_secret), for a coordinator\n"
            "                       that admits listed viewers only (default: a new pair)\n"
            "  --history RUN_DIR    with --subscribe: read the ticks published before the\n"
            "                       viewer joined from RUN_DIR/events.log; start at tick 1\n"
            "  --png FILE           draw one frame to FILE without a window, then exit\n"
            "  --tick N             the tick to draw (--png; default the last) or to open at\n"
            "  --frames DIR         draw every tick to DIR/tick-NNNNN.png without a window\n"
            "  --bench              draw every tick offscreen; print median and 95th-percentile\n"
            "                       frame times (software renderer)\n"
            "  --size WxH           window or image size (default 1280x720)\n"
            "  --view N             start with view N enlarged: 1 alliances, 2 purchases, 3 shares\n"
            "  --focus ID           start with company ID in focus (its links lit, its figures\n"
            "                       beside the graph); in the window Tab / Shift+Tab or a click\n"
            "                       on a company moves the focus, Backspace clears it\n"
            "  --speed T            playback speed in ticks per second (default 4)\n"
            "  --fullscreen         start full screen (key f toggles)\n"
            "  --supersample N      PNG files: draw N times larger and scale down (default 2)\n"
            "  --screenshot FILE    save the window to FILE once data has been shown for\n"
            "                       --screenshot-after MS (default 1000), then exit (tests)\n"
            "  --log-level L        debug, info, warn (default), error or quiet\n"
            "  -h, --help           this text;  -V, --version  the version\n"
            "\n"
            "Keys in the window: Space pause, Left/Right step, +/- speed, 1/2/3 enlarge a view,\n"
            "Tab focus a company, f full screen, s screenshot, h help, q or Esc quit. The font\n"
            "is DejaVu Sans from fonts-dejavu-core, or the .ttf named by FW_FONT.\n"
            "\n"
            "Exit status: 0 done, 1 failed (no display, unreadable log, cannot write),\n"
            "2 usage error, 130 interrupted.\n");
}

typedef struct {
    const char *subscribe, *history, *replay, *png, *frames, *screenshot, *log_level;
    const char *server_key, *curve_secret; /* CURVE with --subscribe (NULL: plaintext) */
    const char *focus;    /* company id in focus, NULL for none */
    long tick;            /* -1 = not given */
    int bench, fullscreen, view, width, height, supersample, screenshot_after;
    double speed;
} s_opts_t;

static int s_parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return -1;
    const char *p = end + 1;
    long b = strtol(p, &end, 10);
    if (end == p || *end || a < 320 || b < 200 || a > 8192 || b > 8192)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

static int s_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Returns 0, EXIT_USAGE after printing why, or -1 when --help/--version was answered. */
static int s_parse(int argc, char **argv, s_opts_t *o)
{
    enum { O_SUB = 256, O_HIST, O_REPLAY, O_PNG, O_TICK, O_FRAMES, O_BENCH, O_SIZE, O_VIEW,
           O_SPEED, O_FULL, O_SS, O_SHOT, O_SHOT_AFTER, O_LOG, O_SKEY, O_CSEC, O_FOCUS };
    static const struct option longopts[] = {
        {"subscribe", required_argument, NULL, O_SUB},
        {"server-key", required_argument, NULL, O_SKEY},
        {"curve-secret", required_argument, NULL, O_CSEC},
        {"history", required_argument, NULL, O_HIST},
        {"replay", required_argument, NULL, O_REPLAY},
        {"png", required_argument, NULL, O_PNG},
        {"tick", required_argument, NULL, O_TICK},
        {"frames", required_argument, NULL, O_FRAMES},
        {"bench", no_argument, NULL, O_BENCH},
        {"size", required_argument, NULL, O_SIZE},
        {"view", required_argument, NULL, O_VIEW},
        {"speed", required_argument, NULL, O_SPEED},
        {"fullscreen", no_argument, NULL, O_FULL},
        {"supersample", required_argument, NULL, O_SS},
        {"screenshot", required_argument, NULL, O_SHOT},
        {"screenshot-after", required_argument, NULL, O_SHOT_AFTER},
        {"log-level", required_argument, NULL, O_LOG},
        {"focus", required_argument, NULL, O_FOCUS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    long v;
    int c;
    memset(o, 0, sizeof *o);
    o->tick = -1;
    o->width = 1280;
    o->height = 720;
    o->supersample = 2;
    o->screenshot_after = 1000;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hV", longopts, NULL)) != -1) {
        switch (c) {
        case O_SUB: o->subscribe = optarg; break;
        case O_SKEY: o->server_key = optarg; break;
        case O_CSEC: o->curve_secret = optarg; break;
        case O_HIST: o->history = optarg; break;
        case O_REPLAY: o->replay = optarg; break;
        case O_PNG: o->png = optarg; break;
        case O_FRAMES: o->frames = optarg; break;
        case O_BENCH: o->bench = 1; break;
        case O_FULL: o->fullscreen = 1; break;
        case O_SHOT: o->screenshot = optarg; break;
        case O_FOCUS: o->focus = optarg; break;
        case O_TICK:
            if (s_parse_long(optarg, 1, UINT32_MAX, &v) != 0) {
                fprintf(stderr, "flywheel-viewer: --tick wants a tick >= 1, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->tick = v;
            break;
        case O_SIZE:
            if (s_parse_size(optarg, &o->width, &o->height) != 0) {
                fprintf(stderr, "flywheel-viewer: --size wants WIDTHxHEIGHT between 320x200 and "
                                "8192x8192, e.g. 1920x1080, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        case O_VIEW:
            if (s_parse_long(optarg, 0, 3, &v) != 0) {
                fprintf(stderr, "flywheel-viewer: --view is 1 (alliances), 2 (purchases) or 3 "
                                "(shares), not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->view = (int)v;
            break;
        case O_SPEED: {
            char *end;
            o->speed = strtod(optarg, &end);
            if (end == optarg || *end || !(o->speed > 0) || o->speed > 1000) {
                fprintf(stderr, "flywheel-viewer: --speed wants ticks per second (e.g. 4), "
                                "not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            break;
        }
        case O_SS:
            if (s_parse_long(optarg, 1, 4, &v) != 0) {
                fprintf(stderr, "flywheel-viewer: --supersample is 1 to 4, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->supersample = (int)v;
            break;
        case O_SHOT_AFTER:
            if (s_parse_long(optarg, 0, 3600000, &v) != 0) {
                fprintf(stderr, "flywheel-viewer: --screenshot-after wants milliseconds, "
                                "not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->screenshot_after = (int)v;
            break;
        case O_LOG:
            if (fw_log_level_parse(optarg) < 0) {
                fprintf(stderr, "flywheel-viewer: --log-level is debug, info, warn, error or "
                                "quiet, not '%s'\n", optarg);
                return EXIT_USAGE;
            }
            o->log_level = optarg;
            break;
        case 'h':
            s_usage(stdout);
            return -1;
        case 'V':
            printf("flywheel-viewer %s (protocol %u)\n", FW_VERSION, FW_PROTOCOL_VERSION);
            return -1;
        case ':':
            fprintf(stderr, "flywheel-viewer: %s needs a value\n", argv[optind - 1]);
            return EXIT_USAGE;
        default:
            fprintf(stderr, "flywheel-viewer: unknown option '%s' (see --help)\n",
                    argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "flywheel-viewer: unexpected argument '%s' (see --help)\n", argv[optind]);
        return EXIT_USAGE;
    }
    if (!!o->subscribe + !!o->replay != 1) {
        fprintf(stderr, "flywheel-viewer: give one of --subscribe URL (a running coordinator) "
                        "or --replay RUN_DIR (a recorded run); see --help\n");
        return EXIT_USAGE;
    }
    int outputs = !!o->png + !!o->frames + o->bench;
    if (outputs > 1) {
        fprintf(stderr, "flywheel-viewer: --png, --frames and --bench go one at a time\n");
        return EXIT_USAGE;
    }
    if (outputs && !o->replay) {
        fprintf(stderr, "flywheel-viewer: --png, --frames and --bench draw a recorded run: "
                        "use them with --replay\n");
        return EXIT_USAGE;
    }
    if ((o->server_key || o->curve_secret) && !o->subscribe) {
        fprintf(stderr, "flywheel-viewer: --server-key and --curve-secret go with --subscribe\n");
        return EXIT_USAGE;
    }
    if (o->history && !o->subscribe) {
        fprintf(stderr, "flywheel-viewer: --history goes with --subscribe\n");
        return EXIT_USAGE;
    }
    if (o->screenshot && outputs) {
        fprintf(stderr, "flywheel-viewer: --screenshot is for the window; use --png for a file\n");
        return EXIT_USAGE;
    }
    return 0;
}

static int s_run(const s_opts_t *o)
{
    char err[1024], font[1024], log_path[4096], hist_path[4096];
    fw_vmodel_t *vm = NULL;
    fw_vlive_t *live = NULL;
    int rc = EXIT_FAILED;

    if (fw_vdraw_find_font(font, sizeof font, err, sizeof err) != 0) {
        fprintf(stderr, "flywheel-viewer: %s\n", err);
        return EXIT_FAILED;
    }
    vm = fw_vmodel_new();
    if (!vm) {
        fprintf(stderr, "flywheel-viewer: out of memory\n");
        return EXIT_FAILED;
    }
    fw_vapp_opts_t ao = {font, o->width, o->height, o->fullscreen, o->view, o->speed, 0,
                         o->subscribe ? o->subscribe : o->replay, o->screenshot,
                         o->screenshot_after, o->supersample, o->focus};
    if (o->replay) {
        if (fw_vsource_log_path(o->replay, log_path, sizeof log_path) != 0) {
            fprintf(stderr, "flywheel-viewer: path too long: %s\n", o->replay);
            goto out;
        }
        /* partial_ok: a run still being written (or cut by a crash) replays up to there. */
        int n = fw_vsource_read_log(log_path, vm, 1, err, sizeof err);
        if (n < 0) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto out;
        }
        if (n == 0) {
            fprintf(stderr, "flywheel-viewer: %s has no ticks yet\n", log_path);
            goto out;
        }
        if (o->focus && fw_vmodel_node_index(vm, o->focus) < 0) {
            fprintf(stderr, "flywheel-viewer: --focus %s: no company with that id in %s\n",
                    o->focus, log_path);
            rc = EXIT_USAGE;
            goto out;
        }
    } else {
        const char *hist = NULL;
        if (o->history) {
            if (fw_vsource_log_path(o->history, hist_path, sizeof hist_path) != 0) {
                fprintf(stderr, "flywheel-viewer: path too long: %s\n", o->history);
                goto out;
            }
            hist = hist_path;
            ao.start_first = 1;
        }
        live = fw_vlive_new(o->subscribe, hist, o->server_key, o->curve_secret, err,
                            sizeof err);
        if (!live) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto out;
        }
    }

    long index = (long)fw_vmodel_n_frames(vm) - 1;
    if (o->tick >= 0 && fw_vmodel_n_frames(vm) > 0) {
        index = fw_vmodel_find_tick(vm, (uint32_t)o->tick);
        if (index < 0 || fw_vmodel_frame(vm, (size_t)index)->tick != (uint32_t)o->tick) {
            fprintf(stderr, "flywheel-viewer: the run has no tick %ld (it has ticks %u to %u)\n",
                    o->tick, fw_vmodel_frame(vm, 0)->tick,
                    fw_vmodel_frame(vm, fw_vmodel_n_frames(vm) - 1)->tick);
            rc = EXIT_USAGE;
            goto out;
        }
    }
    if (fw_vapp_start(err, sizeof err) != 0) {
        fprintf(stderr, "flywheel-viewer: %s\n", err);
        goto out;
    }
    if (o->png) {
        if (fw_vapp_png(vm, &ao, index, o->png, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto quit;
        }
        printf("%s: tick %u of %s\n", o->png, fw_vmodel_frame(vm, (size_t)index)->tick,
               fw_vmodel_scenario(vm));
        rc = 0;
    } else if (o->frames) {
        size_t written = 0;
        if (fw_vapp_frames(vm, &ao, o->frames, &written, &s_quit, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto quit;
        }
        printf("%s: %zu frames\n", o->frames, written);
        rc = s_quit ? EXIT_INTERRUPTED : 0;
    } else if (o->bench) {
        fw_vbench_t b;
        if (fw_vapp_bench(vm, &ao, &b, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto quit;
        }
        printf("flywheel-viewer bench: %s, %zu companies, %zu ticks at %dx%d, %s renderer\n",
               fw_vmodel_scenario(vm), fw_vmodel_n_nodes(vm), b.frames, o->width, o->height,
               b.renderer);
        printf("frame time: median %.2f ms, p95 %.2f ms, max %.2f ms, mean %.2f ms\n",
               b.median_ms, b.p95_ms, b.max_ms, b.mean_ms);
        printf("cpu time:   median %.2f ms, p95 %.2f ms\n", b.cpu_median_ms, b.cpu_p95_ms);
        rc = 0;
    } else {
        if (o->tick >= 0)
            ao.start_first = 1;
        if (fw_vapp_window(vm, live, &ao, &s_quit, &s_shot, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel-viewer: %s\n", err);
            goto quit;
        }
        rc = s_quit ? EXIT_INTERRUPTED : 0;
    }
quit:
    fw_vapp_stop();
out:
    fw_vlive_destroy(&live);
    fw_vmodel_destroy(&vm);
    if (fflush(stdout) != 0 && rc == 0)
        rc = EXIT_FAILED;
    return rc;
}

int main(int argc, char **argv)
{
    s_opts_t o;
    int rc = s_parse(argc, argv, &o);
    if (rc < 0)
        return 0;
    if (rc != 0)
        return rc;
    fw_log_init("viewer", "-", (fw_log_level_t)fw_log_level_parse(o.log_level ? o.log_level : "warn"));

    static const int quit[] = {SIGINT, SIGTERM}, shot[] = {SIGUSR1};
    if (fw_signal_catch(s_on_quit, quit, 2) != 0 || fw_signal_catch(s_on_shot, shot, 1) != 0) {
        fprintf(stderr, "flywheel-viewer: cannot catch signals: %s\n", strerror(errno));
        return 1;
    }
    return s_run(&o);
}
