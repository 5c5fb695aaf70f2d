/* fw_vdraw_overlay: tooltip, help and toast over the panels. See fw_vdraw_views.h. */
#include "fw_vdraw_views.h"

#include <math.h>

void vd_tooltip(fw_vdraw_t *d, int mx, int my, int w, int h)
{
    if (d->n_tip == 0)
        return;
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_NORMAL), tw = 0;
    for (int i = 0; i < d->n_tip; i++) {
        float lw = (float)vd_text_w(d, i == 0 ? F_BOLD : F_NORMAL, d->tip[i]);
        if (i == 0 && d->tip_has_swatch)
            lw += lh;
        tw = fmaxf(tw, lw);
    }
    float bw = tw + 2 * pad, bh = lh * (float)d->n_tip + 1.5f * pad;
    float x = (float)mx + 16 * (float)d->p.scale, y = (float)my + 16 * (float)d->p.scale;
    if (x + bw > (float)w - 4)
        x = (float)mx - bw - 12;
    if (y + bh > (float)h - 4)
        y = (float)my - bh - 12;
    if (x < 4)
        x = 4;
    if (y < 4)
        y = 4;
    vd_rect(d, x + 3, y + 3, bw, bh, (SDL_Color){0, 0, 0, 40});
    vd_rect(d, x, y, bw, bh, C_HEADER);
    float ty = y + 0.75f * pad;
    for (int i = 0; i < d->n_tip; i++) {
        float tx = x + pad;
        if (i == 0 && d->tip_has_swatch) {
            vd_rect(d, tx, ty + lh * 0.2f, lh * 0.6f, lh * 0.6f, d->tip_swatch);
            tx += lh;
        }
        vd_text(d, i == 0 ? F_BOLD : F_NORMAL, d->tip[i], tx, ty,
                i == 0 ? (SDL_Color){255, 255, 255, 255} : (SDL_Color){0xd5, 0xdd, 0xe8, 255}, AL_LEFT);
        ty += lh;
    }
}

void vd_help(fw_vdraw_t *d, int w, int h)
{
    static const char *keys[][2] = {
        {"Space", "pause / resume playback (a live viewer keeps receiving)"},
        {"Left / Right", "step one tick back / forward (Shift: a year)"},
        {"Home / End", "first tick / newest tick"},
        {"scrub bar, charts", "click or drag to move through time"},
        {"+ / -", "faster / slower playback"},
        {"1  2  3", "enlarge alliances / purchases / shares (again: all)"},
        {"Tab / Shift+Tab", "focus the next / previous company"},
        {"click a company", "focus it (again, or Backspace: clear)"},
        {"f", "full screen on / off"},
        {"s", "save a screenshot (PNG, current directory)"},
        {"mouse over", "a node, a link, a flow or a chart: its figures"},
        {"h", "this help"},
        {"q / Esc", "quit"},
    };
    size_t n = sizeof keys / sizeof keys[0];
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_NORMAL) * 1.25f;
    float kw = 0, dw = 0;
    for (size_t i = 0; i < n; i++) {
        kw = fmaxf(kw, (float)vd_text_w(d, F_BOLD, keys[i][0]));
        dw = fmaxf(dw, (float)vd_text_w(d, F_NORMAL, keys[i][1]));
    }
    float bw = kw + dw + 6 * pad, bh = lh * (float)(n + 2) + 3 * pad;
    float x = ((float)w - bw) / 2, y = ((float)h - bh) / 2;
    vd_rect(d, 0, 0, (float)w, (float)h, (SDL_Color){0x10, 0x18, 0x24, 120});
    vd_rect(d, x, y, bw, bh, C_HEADER);
    vd_text(d, F_LARGE, "Keys", x + 2 * pad, y + 1.5f * pad, (SDL_Color){255, 255, 255, 255}, AL_LEFT);
    for (size_t i = 0; i < n; i++) {
        float ty = y + 1.5f * pad + lh * (float)(i + 1.5);
        vd_text(d, F_BOLD, keys[i][0], x + 2 * pad, ty, (SDL_Color){0x9f, 0xc3, 0xff, 255}, AL_LEFT);
        vd_text(d, F_NORMAL, keys[i][1], x + 4 * pad + kw, ty, (SDL_Color){0xe8, 0xee, 0xf5, 255}, AL_LEFT);
    }
}

void vd_toast(fw_vdraw_t *d, const char *msg, int w, int h)
{
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_NORMAL);
    float tw = (float)vd_text_w(d, F_NORMAL, msg);
    float x = (float)w - tw - 4 * pad, y = (float)h - d->p.scrub.h - lh - 4 * pad;
    vd_rect(d, x - pad, y - pad / 2, tw + 2 * pad, lh + pad, (SDL_Color){0x1f, 0x9d, 0x55, 235});
    vd_text(d, F_NORMAL, msg, x, y, (SDL_Color){255, 255, 255, 255}, AL_LEFT);
}

