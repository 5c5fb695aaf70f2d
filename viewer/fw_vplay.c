/* fw_vplay: the viewer's own playback. */
#include "fw_vplay.h"

#include <math.h>

static const double s_speeds[] = {0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 30, 60};
#define N_SPEEDS (sizeof s_speeds / sizeof s_speeds[0])
#define DEFAULT_SPEED 4 /* 4 ticks a second: a year of monthly ticks in 3 s */

void fw_vplay_init(fw_vplay_t *p, int live, int start_first)
{
    p->live = live;
    p->start_first = start_first;
    p->paused = 0;
    p->tick = 0;
    p->acc = 0;
    p->speed_idx = DEFAULT_SPEED;
    p->generation = 0;
}

/* A model that started over (a new run) takes the cursor back to nothing shown and
 * ends a pause; the speed, the user's choice, stays. */
static void s_follow(fw_vplay_t *p, const fw_vmodel_t *vm)
{
    unsigned g = fw_vmodel_generation(vm);
    if (p->generation == g)
        return;
    p->generation = g;
    p->tick = 0;
    p->acc = 0;
    p->paused = 0;
}

double fw_vplay_speed(const fw_vplay_t *p) { return s_speeds[p->speed_idx]; }

void fw_vplay_change_speed(fw_vplay_t *p, int dir)
{
    int i = p->speed_idx + (dir > 0 ? 1 : -1);
    if (i >= 0 && i < (int)N_SPEEDS)
        p->speed_idx = i;
}

void fw_vplay_set_speed(fw_vplay_t *p, double tps)
{
    int best = 0;
    for (int i = 1; i < (int)N_SPEEDS; i++)
        if (fabs(s_speeds[i] - tps) < fabs(s_speeds[best] - tps))
            best = i;
    p->speed_idx = best;
}

long fw_vplay_index(fw_vplay_t *p, const fw_vmodel_t *vm)
{
    size_t n = fw_vmodel_n_frames(vm);
    s_follow(p, vm);
    if (n == 0)
        return -1;
    if (p->tick == 0)
        p->tick = fw_vmodel_frame(vm, p->start_first ? 0 : n - 1)->tick;
    long i = fw_vmodel_find_tick(vm, p->tick);
    if (i < 0) { /* every frame is after the cursor: show the oldest */
        i = 0;
        p->tick = fw_vmodel_frame(vm, 0)->tick;
    }
    return i;
}

void fw_vplay_seek(fw_vplay_t *p, const fw_vmodel_t *vm, long index)
{
    size_t n = fw_vmodel_n_frames(vm);
    s_follow(p, vm);
    if (n == 0)
        return;
    if (index < 0)
        index = 0;
    if ((size_t)index >= n)
        index = (long)n - 1;
    p->tick = fw_vmodel_frame(vm, (size_t)index)->tick;
    p->acc = 0;
}

void fw_vplay_advance(fw_vplay_t *p, const fw_vmodel_t *vm, double dt_s)
{
    long i = fw_vplay_index(p, vm);
    size_t n = fw_vmodel_n_frames(vm);
    if (i < 0 || p->paused || dt_s <= 0)
        return;
    p->acc += dt_s * fw_vplay_speed(p);
    while (p->acc >= 1.0 && (size_t)i + 1 < n) {
        i++;
        p->acc -= 1.0;
    }
    p->tick = fw_vmodel_frame(vm, (size_t)i)->tick;
    if ((size_t)i + 1 >= n) {
        /* At the newest frame: a live viewer shows the next one the moment it comes;
         * a replay is over. */
        if (p->acc > 1.0)
            p->acc = 1.0;
        if (!p->live) {
            p->paused = 1;
            p->acc = 0;
        }
    }
}

void fw_vplay_toggle(fw_vplay_t *p, const fw_vmodel_t *vm)
{
    long i = fw_vplay_index(p, vm);
    size_t n = fw_vmodel_n_frames(vm);
    if (p->paused) {
        p->paused = 0;
        p->acc = 0;
        if (!p->live && i >= 0 && (size_t)i + 1 >= n && n > 1)
            fw_vplay_seek(p, vm, 0);
    } else {
        p->paused = 1;
    }
}

void fw_vplay_step(fw_vplay_t *p, const fw_vmodel_t *vm, long delta)
{
    long i = fw_vplay_index(p, vm);
    if (i < 0)
        return;
    p->paused = 1;
    fw_vplay_seek(p, vm, i + delta);
}

size_t fw_vplay_behind(fw_vplay_t *p, const fw_vmodel_t *vm)
{
    long i = fw_vplay_index(p, vm);
    size_t n = fw_vmodel_n_frames(vm);
    return i < 0 ? 0 : n - 1 - (size_t)i;
}

const char *fw_vplay_state(fw_vplay_t *p, const fw_vmodel_t *vm)
{
    long i = fw_vplay_index(p, vm);
    if (i < 0)
        return p->live ? "waiting for the first snapshot" : "empty";
    const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)i);
    int at_end = fw_vplay_behind(p, vm) == 0;
    if (p->paused)
        return at_end && f->final ? "end of run" : "paused";
    if (!p->live)
        return "replay";
    if (at_end)
        return f->final ? "run over" : "live";
    return "live, catching up";
}
