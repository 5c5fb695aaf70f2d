/* fw_vdraw_shares: the market share charts. See fw_vdraw_views.h. */
#include "fw_vdraw_views.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fw_vfmt.h"

static const fw_rgb_t C_OTHER = {0xb8, 0xc0, 0xcc}; /* "other": what the keys leave */

static const char *s_share_title(int i)
{
    static const char *t[] = {"Cloud share of AI compute", "Chip families, compute installed",
                              "Lab revenue share"};
    return t[i];
}

/* Draws the stacked areas of share set `set` into pl (key 0 at the bottom); long runs
 * are thinned to about a column per pixel. Returns 1 if any share is above 0. */
static int s_share_areas(fw_vdraw_t *d, const fw_vmodel_t *vm, int set, const fw_rect_t *pl_,
                         uint32_t t_end)
{
    fw_rect_t pl = *pl_;
    size_t nf = fw_vmodel_n_frames(vm), nk = fw_vmodel_n_keys(vm, (fw_share_set_t)set);
    size_t stride = nf > (size_t)pl.w ? nf / (size_t)pl.w : 1;
    float *lo = calloc(nf ? nf : 1, sizeof *lo);
    int any = 0;
    if (!lo)
        return 0;
    for (size_t k = 0; k < nk; k++) {
        SDL_Color c = vd_rgb(fw_vmodel_key_color(vm, (fw_share_set_t)set, k), 255);
        float px = 0, plo = 0, phi = 0;
        int have = 0;
        for (size_t i = 0; i < nf; i += stride) {
            const fw_vframe_t *f = fw_vmodel_frame(vm, i);
            double v = fw_vframe_share(f, (fw_share_set_t)set, k);
            float base = lo[i];
            float top = base + (float)v;
            if (top > 1)
                top = 1;
            lo[i] = top;
            if (v > 0)
                any = 1;
            float x = vd_tick_x(&pl, f->tick, t_end);
            float yb = (float)(pl.y + pl.h) - base * (float)pl.h;
            float yt = (float)(pl.y + pl.h) - top * (float)pl.h;
            if (have && (top > base || phi > plo)) /* opaque: overlap 1 px, no seams */
                vd_quad(d, px - 1, phi, x, yt, x, yb, px - 1, plo, c);
            px = x;
            plo = yb;
            phi = yt;
            have = 1;
            if (i + stride >= nf && i != nf - 1)
                i = nf - 1 - stride; /* always draw the newest frame */
        }
    }
    /* What the keys leave of 100% ("other"): a grey band on top. */
    float px = 0, plo = 0, phi = 0;
    int have = 0;
    for (size_t i = 0; i < nf; i += stride) {
        const fw_vframe_t *f = fw_vmodel_frame(vm, i);
        float base = lo[i], top = base + (float)fw_vframe_share_other(f, (fw_share_set_t)set);
        top = top > 1 ? 1 : top;
        float x = vd_tick_x(&pl, f->tick, t_end);
        float yb = (float)(pl.y + pl.h) - base * (float)pl.h;
        float yt = (float)(pl.y + pl.h) - top * (float)pl.h;
        if (have && (top > base || phi > plo))
            vd_quad(d, px - 1, phi, x, yt, x, yb, px - 1, plo, vd_rgb(C_OTHER, 255));
        px = x;
        plo = yb;
        phi = yt;
        have = 1;
        if (i + stride >= nf && i != nf - 1)
            i = nf - 1 - stride;
    }
    free(lo);
    return any;
}

static void s_cursor_labels(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f, int set,
                            const fw_rect_t *pl, uint32_t t_end)
{
    float s = (float)d->p.scale, x = vd_tick_x(pl, f->tick, t_end);
    vd_line(d, x, (float)pl->y - 2 * s, x, (float)(pl->y + pl->h), 2 * s, C_TEXT);
    size_t nk = fw_vmodel_n_keys(vm, (fw_share_set_t)set), dropped = 0;
    fw_vshare_label_t *lab = calloc(nk + 1, sizeof *lab);
    if (!lab)
        return;
    float lh = (float)vd_line_h(d, F_SMALL);
    size_t n = fw_vshare_labels(f, (fw_share_set_t)set, nk, (float)pl->y, (float)(pl->y + pl->h),
                                lh, lab, &dropped);
    char (*text)[96] = calloc(n ? n : 1, sizeof *text);
    if (!text) {
        free(lab);
        return;
    }
    float lead = 8 * s, pad = 6 * s, widest = 0;
    for (size_t i = 0; i < n; i++) {
        char pc[16];
        fw_vfmt_percent(lab[i].share, pc, sizeof pc);
        if (lab[i].key == -2)
            snprintf(text[i], sizeof text[i], "%zu more %s", dropped, pc);
        else
            snprintf(text[i], sizeof text[i], "%s %s",
                     lab[i].key >= 0 ? fw_vmodel_key_label(vm, (fw_share_set_t)set, (size_t)lab[i].key)
                                     : "other", pc);
        widest = fmaxf(widest, (float)vd_text_w(d, F_SMALL, text[i]) + pad);
    }
    /* The tags go right of the cursor when they fit there, else left of it, else on
     * the side with more room, their names shortened to fit ("Amazon Web..."). */
    float room_r = (float)(pl->x + pl->w) - x - lead, room_l = x - lead - (float)pl->x;
    int right = widest <= room_r || (widest > room_l && room_r >= room_l);
    float room = right ? room_r : room_l;
    for (size_t i = 0; i < n; i++) {
        if (lab[i].key < 0 || (float)vd_text_w(d, F_SMALL, text[i]) + pad <= room)
            continue;
        char pc[16], name[72];
        fw_vfmt_percent(lab[i].share, pc, sizeof pc);
        float pw = (float)vd_text_w(d, F_SMALL, pc) + (float)vd_text_w(d, F_SMALL, " ");
        if (vd_wrap(d, F_SMALL, fw_vmodel_key_label(vm, (fw_share_set_t)set, (size_t)lab[i].key),
                    room - pad - pw, name, 1, sizeof name) == 1)
            snprintf(text[i], sizeof text[i], "%s %s", name, pc);
    }
    for (size_t i = 0; i < n; i++) {
        fw_rgb_t bg = lab[i].key >= 0 ? fw_vmodel_key_color(vm, (fw_share_set_t)set, (size_t)lab[i].key)
                                      : C_OTHER;
        SDL_Color fg = vd_rgb(fw_vtext_on(bg), 255);
        float tw = (float)vd_text_w(d, F_SMALL, text[i]) + pad;
        float tx = right ? x + lead : x - lead - tw, ty = lab[i].y - lh / 2;
        float mid = (lab[i].band_lo + lab[i].band_hi) / 2;
        if (lab[i].key != -2)
            vd_line(d, x, mid, right ? tx : tx + tw, lab[i].y, 1.2f * s, C_TEXT);
        vd_rect(d, tx, ty, tw, lh, vd_rgb(bg, 255));
        vd_text(d, F_SMALL, text[i], tx + pad / 2, ty, fg, AL_LEFT);
    }
    free(text);
    free(lab);
}

void vd_share_chart(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, int set,
                    const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.shares[set];
    fw_rect_t pl = fw_vpanels_share_plot(&d->p, set);
    float pad = (float)d->p.pad;
    size_t nf = fw_vmodel_n_frames(vm), nk = fw_vmodel_n_keys(vm, (fw_share_set_t)set);
    vd_panel(d, r);
    vd_panel_title(d, r, s_share_title(set), NULL);
    if (pl.w < 20 || pl.h < 20)
        return;
    uint32_t t_end = vd_run_end(vm);
    vd_rect(d, (float)pl.x, (float)pl.y, (float)pl.w, (float)pl.h, (SDL_Color){0xf6, 0xf8, 0xfb, 255});

    /* The areas change only when the history does: they are drawn once into a
     * texture and copied every frame after that. */
    vd_area_cache_t *ac = &d->areas[set];
    size_t nf_keys = nk;
    uint32_t first = nf ? fw_vmodel_frame(vm, 0)->tick : 0, last = nf ? fw_vmodel_frame(vm, nf - 1)->tick : 0;
    if (!ac->tex || ac->w != pl.w || ac->h != pl.h || ac->vm != vm ||
        ac->generation != fw_vmodel_generation(vm) || ac->n_frames != nf ||
        ac->first != first || ac->last != last || ac->n_keys != nf_keys || ac->t_end != t_end) {
        if (ac->tex && (ac->w != pl.w || ac->h != pl.h)) {
            SDL_DestroyTexture(ac->tex);
            ac->tex = NULL;
        }
        if (!ac->tex)
            ac->tex = SDL_CreateTexture(d->r, SDL_PIXELFORMAT_ARGB8888, SDL_TEXTUREACCESS_TARGET,
                                        pl.w, pl.h);
        if (ac->tex) {
            fw_rect_t local = {0, 0, pl.w, pl.h};
            vd_flush(d);
            SDL_SetRenderTarget(d->r, ac->tex);
            SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
            SDL_SetRenderDrawColor(d->r, 0xf6, 0xf8, 0xfb, 255);
            SDL_RenderClear(d->r);
            ac->any = s_share_areas(d, vm, set, &local, t_end);
            vd_flush(d);
            SDL_SetRenderTarget(d->r, NULL);
            ac->w = pl.w;
            ac->h = pl.h;
            ac->vm = vm;
            ac->generation = fw_vmodel_generation(vm);
            ac->n_frames = nf;
            ac->first = first;
            ac->last = last;
            ac->n_keys = nf_keys;
            ac->t_end = t_end;
        }
    }
    int any = 0;
    if (ac->tex) {
        SDL_Rect dst = {pl.x, pl.y, pl.w, pl.h};
        vd_flush(d);
        if (SDL_RenderCopy(d->r, ac->tex, NULL, &dst) != 0)
            d->err = 1;
        any = ac->any;
    } else {
        any = s_share_areas(d, vm, set, &pl, t_end); /* no render targets: draw directly */
    }
    /* Grid at 25/50/75% over the areas, labels on the right. */
    for (int g = 0; g <= 4; g++) {
        float y = (float)(pl.y + pl.h) - (float)pl.h * (float)g / 4;
        if (g > 0 && g < 4)
            vd_line(d, (float)pl.x, y, (float)(pl.x + pl.w), y, 1, (SDL_Color){255, 255, 255, 110});
        if (g % 2 == 0) {
            char lbl[8];
            snprintf(lbl, sizeof lbl, "%d%%", g * 25);
            vd_text(d, F_SMALL, lbl, (float)(pl.x + pl.w) + pad * 0.5f, y, C_MUTED, AL_LEFT | AL_MIDDLE);
        }
    }
    vd_time_axis(d, vm, &pl, (float)(pl.y + pl.h), t_end, C_MUTED);
    if (!any && nf > 0)
        vd_text(d, F_SMALL, "no shares yet", (float)pl.x + (float)pl.w / 2, (float)pl.y + (float)pl.h / 2,
                C_MUTED, AL_CENTER | AL_MIDDLE);

    /* Cursor, and every band's share at the cursor (fw_vshare_labels): each on a tag
     * of its band's colour, in the text colour that contrasts most with it; a tag
     * pushed off its band is joined to it by a short line. */
    if (cur >= 0)
        s_cursor_labels(d, vm, fw_vmodel_frame(vm, (size_t)cur), set, &pl, t_end);
    /* Hover: every key's share at the tick under the mouse. */
    if (fw_rect_contains(&pl, o->mouse_x, o->mouse_y) && nf > 0) {
        long t = lroundf((float)(o->mouse_x - pl.x) / (float)pl.w * (float)(t_end - 1)) + 1;
        long i = fw_vmodel_find_tick(vm, (uint32_t)(t < 1 ? 1 : t));
        if (i >= 0) {
            const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)i);
            char month[32], pc[16];
            vd_tip_add(d, "%s, %s", s_share_title(set), fw_vfmt_month(f->month, month, sizeof month));
            for (size_t k = nk; k-- > 0;) { /* top band first, as on screen */
                double v = fw_vframe_share(f, (fw_share_set_t)set, k);
                if (v > 0)
                    vd_tip_add(d, "%-14s %s", fw_vmodel_key_label(vm, (fw_share_set_t)set, k),
                               fw_vfmt_percent(v, pc, sizeof pc));
            }
            double other = fw_vframe_share_other(f, (fw_share_set_t)set);
            if (other > 0)
                vd_tip_add(d, "%-14s %s", "other", fw_vfmt_percent(other, pc, sizeof pc));
            d->tip_has_swatch = 0;
            vd_line(d, (float)o->mouse_x, (float)pl.y, (float)o->mouse_x, (float)(pl.y + pl.h), 1,
                    (SDL_Color){0x1c, 0x25, 0x33, 90});
        }
    }
}

