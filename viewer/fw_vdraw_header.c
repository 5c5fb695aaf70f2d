/* fw_vdraw_header: the header and the notice strip under it. See fw_vdraw_views.h. */
#include "fw_vdraw_views.h"

#include <stdio.h>

#include "fw_vfmt.h"

/* Draws the header. Returns what goes in a strip under it (vd_notice): the header's
 * notice, or its detail line when that did not fit beside the state pill (a narrow
 * window, a long lobby line); else NULL. */
const char *vd_header(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                      const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.header;
    char tick[64] = "", month[32] = "", speed[32];
    float pad = (float)d->p.pad, cy = (float)r->y + (float)r->h / 2;
    SDL_Color white = {255, 255, 255, 255}, soft = {0xc8, 0xd2, 0xe0, 255};
    vd_rect(d, (float)r->x, (float)r->y, (float)r->w, (float)r->h, C_HEADER);
    const char *sc = fw_vmodel_scenario(vm);
    float x = (float)r->x + 2 * pad;
    x += (float)vd_text(d, F_LARGE, "Flywheel", x, cy, (SDL_Color){0x9f, 0xc3, 0xff, 255},
                        AL_LEFT | AL_MIDDLE);
    if (sc && *sc)
        x += (float)vd_text(d, F_LARGE, sc, x + pad, cy, white, AL_LEFT | AL_MIDDLE) + pad;
    if (f) {
        fw_vfmt_month(f->month, month, sizeof month);
        snprintf(tick, sizeof tick, "tick %u / %u", f->tick, f->ticks ? f->ticks : f->tick);
    }
    snprintf(speed, sizeof speed, "%g ticks/s", o->speed);
    /* Right: the state as a coloured pill, what it means beside it (the lobby, the
     * turn timer and who plays; or that the coordinator is gone), the speed, the help
     * key. fw_vheader decides the words and where they go; this only draws them. */
    const fw_vheader_t *hd = o->header;
    const char *state = hd ? hd->state : "";
    SDL_Color pill = {0x4a, 0x55, 0x68, 255};
    SDL_Color detail = {0xf6, 0xd3, 0x65, 255};
    switch (hd ? hd->tone : FW_VTONE_IDLE) {
    case FW_VTONE_LIVE: pill = (SDL_Color){0x1f, 0x9d, 0x55, 255}; break;
    case FW_VTONE_REPLAY: pill = (SDL_Color){0x25, 0x6f, 0xd8, 255}; break;
    case FW_VTONE_PAUSED: pill = (SDL_Color){0xb4, 0x6a, 0x00, 255}; break;
    case FW_VTONE_GONE:
        pill = C_RED;
        detail = (SDL_Color){0xff, 0xb4, 0xa8, 255};
        break;
    default: break;
    }
    int sw = vd_text_w(d, F_BOLD, state);
    fw_vheader_fit_in_t in = {(float)r->w, pad, x - (float)r->x,
                              (float)vd_text_w(d, F_LARGE, month), (float)vd_text_w(d, F_NORMAL, tick),
                              (float)vd_text_w(d, F_SMALL, "h: help"), (float)vd_text_w(d, F_NORMAL, speed),
                              hd && hd->detail[0] ? (float)vd_text_w(d, F_SMALL, hd->detail) : 0,
                              (float)sw + 2 * pad};
    fw_vheader_fit_t fit;
    fw_vheader_fit(&in, &fit);
    float x0 = (float)r->x;
    if (f) {
        vd_text(d, F_LARGE, month, x0 + fit.month_x, cy, white, AL_LEFT | AL_MIDDLE);
        vd_text(d, F_NORMAL, tick, x0 + fit.tick_x, cy, soft, AL_LEFT | AL_MIDDLE);
    }
    if (fit.help_x >= 0)
        vd_text(d, F_SMALL, "h: help", x0 + fit.help_x, cy, (SDL_Color){0xa8, 0xb4, 0xc4, 255},
                AL_LEFT | AL_MIDDLE);
    if (fit.speed_x >= 0)
        vd_text(d, F_NORMAL, speed, x0 + fit.speed_x, cy, soft, AL_LEFT | AL_MIDDLE);
    if (fit.detail_x >= 0)
        vd_text(d, F_SMALL, hd->detail, x0 + fit.detail_x, cy, detail, AL_LEFT | AL_MIDDLE);
    const char *notice = hd && hd->notice[0] ? hd->notice : NULL;
    if (fit.detail_in_strip && !notice)
        notice = hd->detail;
    float ph = (float)vd_line_h(d, F_BOLD) + pad * 0.5f;
    vd_rect(d, x0 + fit.pill_x, cy - ph / 2, in.pill_w, ph, pill);
    vd_text(d, F_BOLD, state, x0 + fit.pill_x + pad, cy, white, AL_LEFT | AL_MIDDLE);
    return notice;
}

float vd_notice_h(const fw_vdraw_t *d)
{
    return (float)vd_line_h(d, F_NORMAL) + (float)d->p.pad * 0.5f;
}

/* A strip along the header's bottom edge, above the panels: red when the coordinator
 * is gone, else the header's colour. */
void vd_notice(fw_vdraw_t *d, const char *text, fw_vtone_t tone)
{
    const fw_rect_t *r = &d->p.header;
    float lh = vd_notice_h(d);
    SDL_Color bg = tone == FW_VTONE_GONE ? C_RED : C_HEADER;
    vd_rect(d, (float)r->x, (float)(r->y + r->h), (float)r->w, lh, bg);
    vd_text(d, F_NORMAL, text, (float)r->x + (float)r->w / 2, (float)(r->y + r->h) + lh / 2,
            (SDL_Color){255, 255, 255, 255}, AL_CENTER | AL_MIDDLE);
}
