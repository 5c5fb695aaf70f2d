/* fw_vdraw_timeline: ticks along a time axis, and the scrub bar. See fw_vdraw_views.h. */
#include "fw_vdraw_views.h"

#include <math.h>
#include <stdio.h>

#include "fw_vfmt.h"

/* x of a tick in a plot: the whole run from tick 1 to its last tick. */
float vd_tick_x(const fw_rect_t *pl, uint32_t tick, uint32_t t_end)
{
    if (t_end <= 1)
        return (float)pl->x;
    return (float)pl->x + (float)pl->w * (float)(tick - 1) / (float)(t_end - 1);
}

uint32_t vd_run_end(const fw_vmodel_t *vm)
{
    size_t n = fw_vmodel_n_frames(vm);
    if (n == 0)
        return 1;
    const fw_vframe_t *last = fw_vmodel_frame(vm, n - 1);
    return last->ticks > last->tick ? last->ticks : last->tick;
}

/* Year labels under an axis from x0 to x0+w for ticks 1..t_end. */
void vd_time_axis(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_rect_t *pl, float y,
                  uint32_t t_end, SDL_Color c)
{
    size_t n = fw_vmodel_n_frames(vm);
    if (n == 0)
        return;
    int m0;
    const fw_vframe_t *f0 = fw_vmodel_frame(vm, 0);
    if (fw_vfmt_parse_month(f0->month, &m0) != 0)
        return;
    /* Months per tick from the first two frames (monthly unless they say otherwise). */
    int step = 1;
    if (n > 1) {
        const fw_vframe_t *f1 = fw_vmodel_frame(vm, 1);
        int m1;
        if (fw_vfmt_parse_month(f1->month, &m1) == 0 && f1->tick > f0->tick && m1 > m0)
            step = (m1 - m0) / (int)(f1->tick - f0->tick);
        if (step < 1)
            step = 1;
    }
    int start = m0 - (int)(f0->tick - 1) * step; /* month of tick 1 */
    float last_x = -1e9f;
    char lbl[16];
    for (uint32_t t = 1; t <= t_end; t++) {
        int m = start + (int)(t - 1) * step;
        if (m % 12 != 0 && t != 1)
            continue;
        float x = vd_tick_x(pl, t, t_end);
        snprintf(lbl, sizeof lbl, "%d", m / 12);
        float w = (float)vd_text_w(d, F_SMALL, lbl);
        if (x - last_x < w * 1.5f || x + w / 2 > (float)(pl->x + pl->w) + w * 0.3f)
            continue;
        vd_line(d, x, y, x, y + 3 * (float)d->p.scale, 1.2f, c);
        vd_text(d, F_SMALL, lbl, x, y + 3 * (float)d->p.scale, c, AL_CENTER);
        last_x = x;
    }
}

/* --- scrub bar ---------------------------------------------------------------------- */

void vd_scrub(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.scrub;
    float s = (float)d->p.scale, pad = (float)d->p.pad;
    size_t nf = fw_vmodel_n_frames(vm);
    uint32_t t_end = vd_run_end(vm);
    fw_rect_t track = {r->x + (int)(pad * 2), r->y + (int)(4 * s), r->w - (int)(pad * 4), (int)(8 * s)};
    vd_rect(d, (float)track.x, (float)track.y, (float)track.w, (float)track.h, C_BORDER);
    if (nf > 0) {
        float a = vd_tick_x(&track, fw_vmodel_frame(vm, 0)->tick, t_end);
        float b = vd_tick_x(&track, fw_vmodel_frame(vm, nf - 1)->tick, t_end);
        vd_rect(d, a, (float)track.y, fmaxf(b - a, 2 * s), (float)track.h, (SDL_Color){0x8f, 0xa8, 0xc8, 255});
    }
    vd_time_axis(d, vm, &track, (float)(track.y + track.h) + 1, t_end, C_MUTED);
    if (cur >= 0) {
        const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)cur);
        float x = vd_tick_x(&track, f->tick, t_end);
        vd_rect(d, (float)track.x, (float)track.y, x - (float)track.x, (float)track.h,
                (SDL_Color){0x25, 0x6f, 0xd8, 255});
        vd_disc(d, x, (float)track.y + (float)track.h / 2, 9 * s, (SDL_Color){255, 255, 255, 255});
        vd_disc(d, x, (float)track.y + (float)track.h / 2, 7 * s, (SDL_Color){0x25, 0x6f, 0xd8, 255});
    }
    fw_rect_t hit = {r->x, r->y, r->w, r->h};
    long i = fw_rect_contains(&hit, o->mouse_x, o->mouse_y) ? fw_vdraw_frame_at(d, vm, o->mouse_x, o->mouse_y) : -1;
    if (i >= 0) {
        char month[32];
        const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)i);
        vd_tip_add(d, "%s (tick %u): click or drag to go there",
                   fw_vfmt_month(f->month, month, sizeof month), f->tick);
        d->tip_has_swatch = 0;
    }
}

/* --- hit-testing: which frame a point of the time axis or a share chart stands for -- */

long fw_vdraw_frame_at(const fw_vdraw_t *d, const fw_vmodel_t *vm, int x, int y)
{
    size_t nf = fw_vmodel_n_frames(vm);
    if (nf == 0)
        return -1;
    uint32_t t_end = vd_run_end(vm);
    const fw_rect_t *r = &d->p.scrub;
    fw_rect_t pl = {0, 0, 0, 0};
    float s = (float)d->p.scale, pad = (float)d->p.pad;
    if (fw_rect_contains(r, x, y)) {
        pl = (fw_rect_t){r->x + (int)(pad * 2), r->y, r->w - (int)(pad * 4), r->h};
        if (x < pl.x)
            x = pl.x;
        if (x > pl.x + pl.w)
            x = pl.x + pl.w;
    } else {
        for (int i = 0; i < 3; i++) {
            fw_rect_t p = fw_vpanels_share_plot(&d->p, i);
            if (d->p.shares[i].w > 0 && fw_rect_contains(&p, x, y))
                pl = p;
        }
    }
    (void)s;
    if (pl.w <= 0)
        return -1;
    long t = lroundf((float)(x - pl.x) / (float)pl.w * (float)(t_end - 1)) + 1;
    long i = fw_vmodel_find_tick(vm, (uint32_t)(t < 1 ? 1 : t));
    return i < 0 ? 0 : i;
}
