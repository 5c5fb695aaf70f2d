/* fw_vapp_sdl: window, PNG files and benchmark. See the header. */
#include "fw_vapp_sdl.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "fw_clock.h"
#include "fw_log.h"
#include "fw_vdraw_sdl.h"
#include "fw_vfmt.h"
#include "fw_vheader.h"
#include "fw_vlayout.h"
#include "fw_vpng.h"
#include "fw_vplay.h"

static double s_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double s_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* --- start and stop ------------------------------------------------------------------- */

int fw_vapp_start(char *err, size_t err_len)
{
    /* Keep the program's handlers: SDL would turn SIGINT into a quit event of its own. */
    SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");
    if (SDL_Init(0) != 0 || TTF_Init() != 0) {
        snprintf(err, err_len, "cannot start SDL: %s", SDL_GetError());
        return -1;
    }
    return 0;
}

void fw_vapp_stop(void)
{
    TTF_Quit();
    SDL_Quit();
}

/* --- offscreen ------------------------------------------------------------------------ */

typedef struct {
    SDL_Surface *surf;   /* what the software renderer draws into */
    SDL_Renderer *r;
    fw_vdraw_t *d;
    int w, h;            /* drawing size (the image size times the supersampling) */
} s_off_t;

static void s_off_close(s_off_t *o)
{
    fw_vdraw_destroy(&o->d);
    if (o->r)
        SDL_DestroyRenderer(o->r);
    if (o->surf)
        SDL_FreeSurface(o->surf);
    memset(o, 0, sizeof *o);
}

static int s_off_open(s_off_t *o, const char *font, int w, int h, char *err, size_t err_len)
{
    memset(o, 0, sizeof *o);
    o->w = w;
    o->h = h;
    /* XRGB is the software renderer's native format: the fastest blits. */
    o->surf = SDL_CreateRGBSurfaceWithFormat(0, w, h, 32, SDL_PIXELFORMAT_RGB888);
    if (!o->surf) {
        snprintf(err, err_len, "cannot make a %dx%d image: %s", w, h, SDL_GetError());
        return -1;
    }
    o->r = SDL_CreateSoftwareRenderer(o->surf);
    if (!o->r) {
        snprintf(err, err_len, "cannot start the software renderer: %s", SDL_GetError());
        s_off_close(o);
        return -1;
    }
    o->d = fw_vdraw_new(o->r, font, err, err_len);
    if (!o->d) {
        s_off_close(o);
        return -1;
    }
    return 0;
}

/* A picture of frame `index`: its header describes that frame, as a replay's does. */
static void s_still_opts(const fw_vmodel_t *vm, long index, int enlarged, const char *focus,
                         int density, fw_vheader_t *header, fw_vdraw_opts_t *dopts)
{
    memset(dopts, 0, sizeof *dopts);
    dopts->frame = index;
    dopts->enlarged = enlarged;
    dopts->mouse_x = dopts->mouse_y = -1;
    const fw_vframe_t *f = index >= 0 ? fw_vmodel_frame(vm, (size_t)index) : NULL;
    fw_vheader_make(header, vm, index, f && f->final ? "end of run" : "replay", NULL, 0);
    dopts->header = header;
    dopts->speed = 4;
    dopts->focus = focus ? fw_vmodel_node_index(vm, focus) : -1;
    dopts->density = density;
}

/* Draws frame `index` and writes the image (scaled down by ss) to path. */
static int s_off_png(s_off_t *o, const fw_vmodel_t *vm, long index, int enlarged,
                     const char *focus, int ss, const char *path, char *err, size_t err_len)
{
    fw_vdraw_opts_t dopts;
    fw_vheader_t header;
    s_still_opts(vm, index, enlarged, focus, ss, &header, &dopts);
    if (fw_vdraw_frame(o->d, vm, &dopts, o->w, o->h, err, err_len) != 0)
        return -1;
    SDL_RenderFlush(o->r);
    int w = o->w / ss, h = o->h / ss, rc;
    uint8_t *rgba = malloc((size_t)o->w * (size_t)o->h * 4);
    if (!rgba) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    SDL_ConvertPixels(o->w, o->h, o->surf->format->format, o->surf->pixels, o->surf->pitch,
                      SDL_PIXELFORMAT_RGBA32, rgba, o->w * 4);
    if (ss > 1) {
        /* Box filter: each output pixel averages ss x ss drawn pixels (anti-aliasing
         * for shapes SDL draws without it). In place: output rows come first. */
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int c = 0; c < 4; c++) {
                    unsigned sum = 0;
                    for (int dy = 0; dy < ss; dy++)
                        for (int dx = 0; dx < ss; dx++)
                            sum += rgba[((size_t)(y * ss + dy) * (size_t)o->w + (size_t)(x * ss + dx)) * 4 + (size_t)c];
                    rgba[((size_t)y * (size_t)w + (size_t)x) * 4 + (size_t)c] = (uint8_t)(sum / (unsigned)(ss * ss));
                }
    }
    rc = fw_vpng_write(path, rgba, w, h, (size_t)w * 4, err, err_len);
    free(rgba);
    return rc;
}

int fw_vapp_png(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, long index, const char *path,
                char *err, size_t err_len)
{
    s_off_t off;
    int ss = o->supersample > 1 ? o->supersample : 1;
    if (s_off_open(&off, o->font, o->width * ss, o->height * ss, err, err_len) != 0)
        return -1;
    int rc = s_off_png(&off, vm, index, o->enlarged, o->focus, ss, path, err, err_len);
    s_off_close(&off);
    return rc;
}

int fw_vapp_frames(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, const char *dir,
                   size_t *written, volatile sig_atomic_t *quit, char *err, size_t err_len)
{
    s_off_t off;
    int ss = o->supersample > 1 ? o->supersample : 1, rc = 0;
    *written = 0;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (s_off_open(&off, o->font, o->width * ss, o->height * ss, err, err_len) != 0)
        return -1;
    for (size_t i = 0; i < fw_vmodel_n_frames(vm) && !(quit && *quit); i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/tick-%05u.png", dir, fw_vmodel_frame(vm, i)->tick);
        rc = s_off_png(&off, vm, (long)i, o->enlarged, o->focus, ss, path, err, err_len);
        if (rc != 0)
            break;
        (*written)++;
    }
    s_off_close(&off);
    return rc;
}

static int s_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int fw_vapp_bench(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, fw_vbench_t *out, char *err,
                  size_t err_len)
{
    s_off_t off;
    size_t n = fw_vmodel_n_frames(vm);
    memset(out, 0, sizeof *out);
    if (n == 0) {
        snprintf(err, err_len, "no ticks to draw");
        return -1;
    }
    double *ms = calloc(n, sizeof *ms), *cpu = calloc(n, sizeof *cpu);
    if (!ms || !cpu) {
        free(cpu);
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    if (s_off_open(&off, o->font, o->width, o->height, err, err_len) != 0) {
        free(ms);
        free(cpu);
        return -1;
    }
    SDL_RendererInfo info;
    out->renderer = SDL_GetRendererInfo(off.r, &info) == 0 ? info.name : "software";
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        fw_vdraw_opts_t dopts;
        fw_vheader_t header;
        s_still_opts(vm, (long)i, o->enlarged, o->focus, 1, &header, &dopts);
        double t0 = s_now_s(), c0 = s_cpu_s();
        if (fw_vdraw_frame(off.d, vm, &dopts, off.w, off.h, err, err_len) != 0) {
            rc = -1;
            break;
        }
        SDL_RenderFlush(off.r);
        ms[i] = (s_now_s() - t0) * 1000.0;
        cpu[i] = (s_cpu_s() - c0) * 1000.0;
        out->mean_ms += ms[i];
    }
    if (rc == 0) {
        qsort(ms, n, sizeof *ms, s_cmp_double);
        out->frames = n;
        out->mean_ms /= (double)n;
        out->median_ms = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
        size_t k = (size_t)((double)(n - 1) * 0.95 + 0.5);
        out->p95_ms = ms[k < n ? k : n - 1];
        out->max_ms = ms[n - 1];
        qsort(cpu, n, sizeof *cpu, s_cmp_double);
        out->cpu_median_ms = n % 2 ? cpu[n / 2] : (cpu[n / 2 - 1] + cpu[n / 2]) / 2;
        out->cpu_p95_ms = cpu[k < n ? k : n - 1];
    }
    s_off_close(&off);
    free(ms);
    free(cpu);
    return rc;
}

/* --- window ------------------------------------------------------------------------- */

typedef struct {
    SDL_Window *win;
    SDL_Renderer *r;
    fw_vdraw_t *d;
    fw_vplay_t play;
    int enlarged, help, dragging, fullscreen;
    long focus;                    /* the company in focus (node index), -1 */
    int mouse_x, mouse_y;          /* in output pixels, -1 when away */
    char toast[256];
    double toast_until;
} s_win_t;

/* Reads the window's pixels (after drawing, before presenting) into a PNG. */
static int s_win_save(s_win_t *w, const char *path, char *err, size_t err_len)
{
    int ow, oh;
    if (SDL_GetRendererOutputSize(w->r, &ow, &oh) != 0) {
        snprintf(err, err_len, "screenshot: %s", SDL_GetError());
        return -1;
    }
    uint8_t *rgba = malloc((size_t)ow * (size_t)oh * 4);
    if (!rgba) {
        snprintf(err, err_len, "screenshot: out of memory");
        return -1;
    }
    int rc = -1;
    if (SDL_RenderReadPixels(w->r, NULL, SDL_PIXELFORMAT_RGBA32, rgba, ow * 4) != 0)
        snprintf(err, err_len, "screenshot: %s", SDL_GetError());
    else
        rc = fw_vpng_write(path, rgba, ow, oh, (size_t)ow * 4, err, err_len);
    free(rgba);
    return rc;
}

/* A fresh name in the current directory: flywheel-<scenario>-tick<N>[-k].png. */
static void s_shot_name(const fw_vmodel_t *vm, const fw_vplay_t *play, char *buf, size_t len)
{
    const char *sc = fw_vmodel_scenario(vm);
    char name[64];
    size_t k = 0;
    for (; sc && *sc && k + 1 < sizeof name; sc++)
        name[k++] = (char)((*sc >= 'a' && *sc <= 'z') || (*sc >= 'A' && *sc <= 'Z') ||
                                   (*sc >= '0' && *sc <= '9') || *sc == '-' || *sc == '_'
                               ? *sc
                               : '-');
    name[k] = '\0';
    for (int i = 0; i < 1000; i++) {
        if (i == 0)
            snprintf(buf, len, "flywheel-%s-tick%u.png", k ? name : "run", play->tick);
        else
            snprintf(buf, len, "flywheel-%s-tick%u-%d.png", k ? name : "run", play->tick, i);
        struct stat st;
        if (stat(buf, &st) != 0)
            return;
    }
}

static void s_win_close(s_win_t *w)
{
    fw_vdraw_destroy(&w->d);
    if (w->r)
        SDL_DestroyRenderer(w->r);
    if (w->win)
        SDL_DestroyWindow(w->win);
}

/* The company after `cur` (dir +1) or before it (-1) among those in the frame on
 * screen. */
static long s_focus_step(const fw_vmodel_t *vm, fw_vplay_t *play, long cur, int dir)
{
    long idx = fw_vplay_index(play, vm);
    if (idx < 0)
        return -1;
    const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)idx);
    int *present = calloc(f->n_nodes ? f->n_nodes : 1, sizeof *present);
    if (!present)
        return cur;
    for (size_t i = 0; i < f->n_nodes; i++)
        present[i] = f->nodes[i].present;
    long next = fw_vfocus_step(cur, present, f->n_nodes, dir);
    free(present);
    return next;
}

/* Handles one SDL event. Returns 1 when the user asked to quit. */
static int s_on_event(s_win_t *w, fw_vmodel_t *vm, const SDL_Event *ev, int *shot)
{
    int ww, wh, ow, oh;
    SDL_GetWindowSize(w->win, &ww, &wh);
    SDL_GetRendererOutputSize(w->r, &ow, &oh);
    double sx = ww ? (double)ow / ww : 1, sy = wh ? (double)oh / wh : 1;

    switch (ev->type) {
    case SDL_QUIT:
        return 1;
    case SDL_WINDOWEVENT:
        if (ev->window.event == SDL_WINDOWEVENT_LEAVE)
            w->mouse_x = w->mouse_y = -1;
        return 0;
    case SDL_MOUSEMOTION:
        w->mouse_x = (int)(ev->motion.x * sx);
        w->mouse_y = (int)(ev->motion.y * sy);
        if (w->dragging) {
            long i = fw_vdraw_frame_at(w->d, vm, w->mouse_x, w->mouse_y);
            if (i >= 0)
                fw_vplay_seek(&w->play, vm, i);
        }
        return 0;
    case SDL_MOUSEBUTTONDOWN:
        if (ev->button.button == SDL_BUTTON_LEFT) {
            long i = fw_vdraw_frame_at(w->d, vm, (int)(ev->button.x * sx), (int)(ev->button.y * sy));
            int bx = (int)(ev->button.x * sx), by = (int)(ev->button.y * sy);
            if (i >= 0) {
                fw_vplay_seek(&w->play, vm, i);
                w->dragging = 1;
            } else if (fw_rect_contains(&fw_vdraw_panels(w->d)->graph, bx, by)) {
                /* A click on a company focuses it; on the empty graph, clears the focus. */
                long node = fw_vdraw_node_at(w->d, bx, by);
                w->focus = node == w->focus ? -1 : node;
            }
        }
        return 0;
    case SDL_MOUSEBUTTONUP:
        w->dragging = 0;
        return 0;
    case SDL_KEYDOWN:
        break;
    default:
        return 0;
    }
    SDL_Keycode k = ev->key.keysym.sym;
    int shift = (ev->key.keysym.mod & KMOD_SHIFT) != 0;
    switch (k) {
    case SDLK_q:
        return 1;
    case SDLK_ESCAPE:
        if (w->help) {
            w->help = 0;
            return 0;
        }
        return 1;
    case SDLK_SPACE:
        fw_vplay_toggle(&w->play, vm);
        break;
    case SDLK_LEFT:
        fw_vplay_step(&w->play, vm, shift ? -12 : -1);
        break;
    case SDLK_RIGHT:
        fw_vplay_step(&w->play, vm, shift ? 12 : 1);
        break;
    case SDLK_HOME:
        fw_vplay_seek(&w->play, vm, 0);
        break;
    case SDLK_END:
        fw_vplay_seek(&w->play, vm, (long)fw_vmodel_n_frames(vm) - 1);
        break;
    case SDLK_PLUS:
    case SDLK_EQUALS:
    case SDLK_KP_PLUS:
        fw_vplay_change_speed(&w->play, +1);
        break;
    case SDLK_MINUS:
    case SDLK_KP_MINUS:
        fw_vplay_change_speed(&w->play, -1);
        break;
    case SDLK_1:
    case SDLK_2:
    case SDLK_3: {
        int v = (int)(k - SDLK_0);
        w->enlarged = w->enlarged == v ? FW_VIEW_ALL : v;
        break;
    }
    case SDLK_0:
        w->enlarged = FW_VIEW_ALL;
        break;
    case SDLK_f:
        w->fullscreen = !w->fullscreen;
        SDL_SetWindowFullscreen(w->win, w->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
        break;
    case SDLK_s:
        *shot = 1;
        break;
    case SDLK_TAB: /* the next company in focus (Shift: the previous) */
        w->focus = s_focus_step(vm, &w->play, w->focus, shift ? -1 : 1);
        break;
    case SDLK_BACKSPACE:
        w->focus = -1;
        break;
    case SDLK_h:
    case SDLK_F1:
        w->help = !w->help;
        break;
    default:
        break;
    }
    return 0;
}

/* The window's title: the scenario of the run shown. */
static void s_title(const fw_vmodel_t *vm, char *buf, size_t len)
{
    snprintf(buf, len, "Flywheel viewer%s%s", fw_vmodel_scenario(vm)[0] ? " - " : "",
             fw_vmodel_scenario(vm));
}

int fw_vapp_window(fw_vmodel_t *vm, fw_vlive_t *live, const fw_vapp_opts_t *o,
                   volatile sig_atomic_t *quit, volatile sig_atomic_t *shot_flag, char *err,
                   size_t err_len)
{
    s_win_t w;
    int rc = -1;
    memset(&w, 0, sizeof w);
    w.mouse_x = w.mouse_y = -1;
    w.focus = o->focus ? fw_vmodel_node_index(vm, o->focus) : -1;
    w.enlarged = o->enlarged;
    w.fullscreen = o->fullscreen;
    fw_vplay_init(&w.play, live != NULL, o->start_first || live == NULL);
    if (o->speed > 0)
        fw_vplay_set_speed(&w.play, o->speed);

    /* Without a display SDL may fall back to a driver that shows nothing (or wait on a
     * console): refuse early and say what to do instead. */
    const char *drv = getenv("SDL_VIDEODRIVER");
    if (!(drv && *drv) && !(getenv("DISPLAY") && *getenv("DISPLAY")) &&
        !(getenv("WAYLAND_DISPLAY") && *getenv("WAYLAND_DISPLAY"))) {
        snprintf(err, err_len,
                 "no display to open a window on (DISPLAY and WAYLAND_DISPLAY are not set); "
                 "draw to files instead with --png FILE or --frames DIR");
        return -1;
    }
    if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
        snprintf(err, err_len,
                 "cannot open a window: %s (no display? set DISPLAY, or draw to a file "
                 "with --png / --frames)", SDL_GetError());
        return -1;
    }
    char title[128];
    s_title(vm, title, sizeof title);
    w.win = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, o->width,
                             o->height,
                             SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI |
                                 (o->fullscreen ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0));
    if (!w.win) {
        snprintf(err, err_len, "cannot open a window: %s", SDL_GetError());
        goto out;
    }
    SDL_SetWindowMinimumSize(w.win, 640, 360);
    w.r = SDL_CreateRenderer(w.win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!w.r)
        w.r = SDL_CreateRenderer(w.win, -1, SDL_RENDERER_SOFTWARE);
    if (!w.r) {
        snprintf(err, err_len, "cannot draw in the window: %s", SDL_GetError());
        goto out;
    }
    w.d = fw_vdraw_new(w.r, o->font, err, err_len);
    if (!w.d)
        goto out;
    {
        SDL_RendererInfo info;
        if (SDL_GetRendererInfo(w.r, &info) == 0)
            fw_log_info("viewer", "window %dx%d, %s renderer, video driver %s", o->width,
                        o->height, info.name, SDL_GetCurrentVideoDriver());
    }

    double last = s_now_s(), shown_since = -1, last_draw = 0;
    uint32_t drawn_tick = (uint32_t)-1;
    size_t drawn_frames = (size_t)-1;
    unsigned drawn_generation = fw_vmodel_generation(vm);
    int dirty = 1;
    while (!(quit && *quit)) {
        int want_shot = 0;
        SDL_Event ev;
        /* Sleep until an event or 15 ms: the live socket and playback need turns. */
        if (SDL_WaitEventTimeout(&ev, dirty ? 0 : 15)) {
            do {
                if (s_on_event(&w, vm, &ev, &want_shot)) {
                    rc = 0;
                    goto out;
                }
                dirty = 1;
            } while (SDL_PollEvent(&ev));
        }
        if (live) {
            char why[256];
            int added = fw_vlive_poll(live, vm, 0, why, sizeof why);
            if (added < 0)
                fw_log_warn("viewer", "%s", why);
            else if (added > 0)
                dirty = 1;
        }
        double now = s_now_s();
        fw_vplay_advance(&w.play, vm, now - last);
        last = now;
        if (shot_flag && *shot_flag) {
            *shot_flag = 0;
            want_shot = 1;
        }
        long idx = fw_vplay_index(&w.play, vm);
        if (idx >= 0 && shown_since < 0)
            shown_since = now;
        if (w.play.tick != drawn_tick || fw_vmodel_n_frames(vm) != drawn_frames)
            dirty = 1;
        if (fw_vmodel_generation(vm) != drawn_generation) {
            /* A new run on the same address: its scenario may be another one. */
            s_title(vm, title, sizeof title);
            SDL_SetWindowTitle(w.win, title);
            drawn_generation = fw_vmodel_generation(vm);
            dirty = 1;
        }
        if (w.toast[0] && now > w.toast_until) {
            w.toast[0] = '\0';
            dirty = 1;
        }
        int hook = o->screenshot_path && shown_since >= 0 &&
                   (now - shown_since) * 1000.0 >= o->screenshot_after_ms;
        if (!dirty && !want_shot && !hook && now - last_draw < 0.5)
            continue;

        int ow, oh, ww, wh;
        SDL_GetRendererOutputSize(w.r, &ow, &oh);
        SDL_GetWindowSize(w.win, &ww, &wh);
        fw_vheader_t header;
        fw_vlink_t link;
        if (live)
            link = fw_vlive_link(live);
        fw_vheader_make(&header, vm, idx, fw_vplay_state(&w.play, vm), live ? &link : NULL,
                        fw_clock_ms());
        fw_vdraw_opts_t dopts = {idx,     w.enlarged, w.help, w.mouse_x, w.mouse_y, &header,
                                 fw_vplay_speed(&w.play), w.toast[0] ? w.toast : NULL, o->source,
                                 w.focus, ww > 0 && ow / ww > 1 ? ow / ww : 1};
        if (fw_vdraw_frame(w.d, vm, &dopts, ow, oh, err, err_len) != 0)
            goto out;
        fw_log_debug("viewer", "drew tick %u (%zu frames) in %.1f ms%s", w.play.tick,
                     fw_vmodel_n_frames(vm), (s_now_s() - now) * 1000.0, hook ? ", saving" : "");
        if (hook) {
            rc = s_win_save(&w, o->screenshot_path, err, err_len);
            goto out;
        }
        if (want_shot) {
            char path[256], why[512];
            s_shot_name(vm, &w.play, path, sizeof path);
            if (s_win_save(&w, path, why, sizeof why) == 0) {
                snprintf(w.toast, sizeof w.toast, "saved %.200s", path);
                fw_log_info("viewer", "screenshot saved to %s", path);
            } else {
                snprintf(w.toast, sizeof w.toast, "screenshot failed: %.200s", why);
                fw_log_warn("viewer", "%s", why);
            }
            w.toast_until = now + 2.5;
            dirty = 1; /* draw again with the message */
        } else {
            dirty = 0;
        }
        SDL_RenderPresent(w.r);
        drawn_tick = w.play.tick;
        drawn_frames = fw_vmodel_n_frames(vm);
        last_draw = now;
    }
    rc = 0;
out:
    s_win_close(&w);
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    return rc;
}
