/* fw_vapp_sdl: the viewer's ways of showing a model, all through SDL:
 * - a window with playback and the controls (live or replay);
 * - one frame to a PNG file, or one PNG per tick, without a window (an offscreen
 *   surface drawn by SDL's software renderer: no display needed);
 * - a benchmark that draws every tick offscreen and times each frame.
 */
#ifndef FW_VAPP_SDL_H
#define FW_VAPP_SDL_H

#include <signal.h>
#include <stddef.h>

#include "fw_vmodel.h"
#include "fw_vsource.h"

/* Starts SDL and SDL_ttf for the calls below, once per program, before any of them.
 * SDL is told to keep out of signals: the program's own handlers stop the loops (SDL
 * would turn SIGINT into a quit event of its own). No display is needed yet; the window
 * opens its own. Returns 0, or -1 with err set. */
int fw_vapp_start(char *err, size_t err_len);

/* Shuts down what fw_vapp_start started; call it once, after the last call below. */
void fw_vapp_stop(void);

typedef struct {
    const char *font;            /* TrueType file (fw_vdraw_find_font) */
    int width, height;           /* window or image size in pixels */
    int fullscreen;
    int enlarged;                /* FW_VIEW_* shown at start */
    double speed;                /* playback, ticks per second; 0 = the default */
    int start_first;             /* play from the oldest tick held, not the newest */
    const char *source;          /* shown while waiting for data (endpoint or path) */
    const char *screenshot_path; /* test hook: save the window here after ... */
    int screenshot_after_ms;     /* ... this many ms of showing data, then quit */
    int supersample;             /* PNG files: draw at this multiple, then scale down */
    const char *focus;           /* company id in focus at start, NULL for none */
} fw_vapp_opts_t;

/* Opens a window and runs until the user quits (q, Esc, closing the window) or *quit
 * becomes non-zero (a signal). With `live`, snapshots keep coming in while it runs.
 * *shot non-zero (SIGUSR1) saves a screenshot in the current directory and is reset.
 * Returns 0, or -1 with err set (no display, SDL failure, screenshot hook failed). */
int fw_vapp_window(fw_vmodel_t *vm, fw_vlive_t *live, const fw_vapp_opts_t *o,
                   volatile sig_atomic_t *quit, volatile sig_atomic_t *shot, char *err,
                   size_t err_len);

/* Draws frame `index` of vm offscreen at o->width x o->height and writes it to path.
 * Returns 0 or -1 with err set. */
int fw_vapp_png(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, long index, const char *path,
                char *err, size_t err_len);

/* Writes one PNG per frame into dir (created if missing) as tick-00001.png, ...
 * *written counts the files. Returns 0 or -1 with err set. */
int fw_vapp_frames(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, const char *dir,
                   size_t *written, volatile sig_atomic_t *quit, char *err, size_t err_len);

typedef struct {
    size_t frames;
    double median_ms, p95_ms, max_ms, mean_ms; /* wall clock */
    double cpu_median_ms, cpu_p95_ms;          /* CPU time of the drawing thread: the
                                                * figure that does not grow when other
                                                * programs share the cores */
    const char *renderer;        /* SDL renderer name ("software") */
} fw_vbench_t;

/* Draws every frame offscreen (software renderer) at o->width x o->height, timing each
 * from clear to the finished image. Returns 0 or -1 with err set. */
int fw_vapp_bench(const fw_vmodel_t *vm, const fw_vapp_opts_t *o, fw_vbench_t *out, char *err,
                  size_t err_len);

#endif
