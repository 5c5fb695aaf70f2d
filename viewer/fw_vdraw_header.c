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
    char buf[160], month[32];
    float pad = (float)d->p.pad, cy = (float)r->y + (float)r->h / 2;
    vd_rect(d, (float)r->x, (float)r->y, (float)r->w, (float)r->h, C_HEADER);
    const char *sc = fw_vmodel_scenario(vm);
    float x = (float)r->x + 2 * pad;
    x += (float)vd_text(d, F_LARGE, "Flywheel", x, cy, (SDL_Color){0x9f, 0xc3, 0xff, 255},
                        AL_LEFT | AL_MIDDLE);
    if (sc && *sc)
        x += (float)vd_text(d, F_LARGE, sc, x + pad, cy, (SDL_Color){255, 255, 255, 255},
                            AL_LEFT | AL_MIDDLE) + pad;
    float left_end = x; /* the right end of what is drawn from the left and middle */
    if (f) {
        fw_vfmt_month(f->month, month, sizeof month);
        float mx = (float)r->x + (float)r->w * 0.5f;
        int mw = vd_text(d, F_LARGE, month, mx, cy, (SDL_Color){255, 255, 255, 255},
                         AL_RIGHT | AL_MIDDLE);
        (void)mw;
        snprintf(buf, sizeof buf, "tick %u / %u", f->tick, f->ticks ? f->ticks : f->tick);
        left_end = mx + pad * 1.5f +
                   (float)vd_text(d, F_NORMAL, buf, mx + pad * 1.5f, cy,
                                  (SDL_Color){0xc8, 0xd2, 0xe0, 255}, AL_LEFT | AL_MIDDLE);
    }
    /* Right: the state as a coloured pill, what it means beside it (the lobby, the
     * turn timer and who plays; or that the coordinator is gone), the speed, the help
     * key. fw_vheader decides the words; this only draws them. */
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
    float rx = (float)(r->x + r->w) - 2 * pad;
    rx -= (float)vd_text(d, F_SMALL, "h: help", rx, cy, (SDL_Color){0xa8, 0xb4, 0xc4, 255},
                         AL_RIGHT | AL_MIDDLE) + 2 * pad;
    snprintf(buf, sizeof buf, "%g ticks/s", o->speed);
    rx -= (float)vd_text(d, F_NORMAL, buf, rx, cy, (SDL_Color){0xc8, 0xd2, 0xe0, 255},
                         AL_RIGHT | AL_MIDDLE) + 1.5f * pad;
    int sw = vd_text_w(d, F_BOLD, state);
    const char *notice = hd && hd->notice[0] ? hd->notice : NULL;
    if (hd && hd->detail[0]) {
        float dw = (float)vd_text_w(d, F_SMALL, hd->detail);
        if (rx - dw - 1.5f * pad - (float)sw - 2 * pad >= left_end + 2 * pad)
            rx -= (float)vd_text(d, F_SMALL, hd->detail, rx, cy, detail, AL_RIGHT | AL_MIDDLE) +
                  1.5f * pad;
        else if (!notice)
            notice = hd->detail;
    }
    float ph = (float)vd_line_h(d, F_BOLD) + pad * 0.5f;
    vd_rect(d, rx - (float)sw - 2 * pad, cy - ph / 2, (float)sw + 2 * pad, ph, pill);
    vd_text(d, F_BOLD, state, rx - pad, cy, (SDL_Color){255, 255, 255, 255}, AL_RIGHT | AL_MIDDLE);
    return notice;
}

/* A strip along the header's bottom edge, over the top of the panels: red when the
 * coordinator is gone, else the header's colour. */
void vd_notice(fw_vdraw_t *d, const char *text, fw_vtone_t tone)
{
    const fw_rect_t *r = &d->p.header;
    float pad = (float)d->p.pad, lh = (float)vd_line_h(d, F_NORMAL) + pad * 0.5f;
    SDL_Color bg = tone == FW_VTONE_GONE ? C_RED : C_HEADER;
    vd_rect(d, (float)r->x, (float)(r->y + r->h), (float)r->w, lh, bg);
    vd_text(d, F_NORMAL, text, (float)r->x + (float)r->w / 2, (float)(r->y + r->h) + lh / 2,
            (SDL_Color){255, 255, 255, 255}, AL_CENTER | AL_MIDDLE);
}
