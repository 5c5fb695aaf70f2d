/* fw_vpanels: where each view goes. */
#include "fw_vpanels.h"

#include <math.h>
#include <stddef.h>

static int s_px(double v) { return (int)lround(v); }

void fw_vpanels_compute(int w, int h, int enlarged, fw_vpanels_t *o)
{
    fw_vpanels_compute_at(w, h, 1, enlarged, o);
}

void fw_vpanels_compute_at(int w, int h, int density, int enlarged, fw_vpanels_t *o)
{
    double dens = density > 1 ? density : 1;
    double s = fmin((double)w / 1280.0, (double)h / 720.0);
    if (s < 0.5 * dens)
        s = 0.5 * dens;
    o->scale = s;
    /* Never below FW_VTEXT_MIN_PX: at 1024x768 the scale alone gives 10 px letters,
     * too small for the back of a room. */
    o->font_small = s_px(fmax(13 * s, FW_VTEXT_MIN_PX * dens));
    o->font_normal = s_px(fmax(16 * s, (FW_VTEXT_MIN_PX + 2) * dens));
    o->font_large = s_px(fmax(24 * s, (FW_VTEXT_MIN_PX + 6) * dens));
    o->pad = s_px(8 * s);
    int pad = o->pad;
    int header_h = s_px(44 * s), scrub_h = s_px(40 * s);

    o->header = (fw_rect_t){0, 0, w, header_h};
    o->scrub = (fw_rect_t){pad, h - scrub_h, w - 2 * pad, scrub_h - pad / 2};
    int top = header_h + pad / 2, bottom = h - scrub_h - pad / 2;
    int mid_h = bottom - top, mid_w = w - 2 * pad;
    fw_rect_t none = {0, 0, 0, 0};

    o->graph = o->purchases = none;
    for (int i = 0; i < 3; i++)
        o->shares[i] = none;
    switch (enlarged) {
    case FW_VIEW_GRAPH:
        o->graph = (fw_rect_t){pad, top, mid_w, mid_h};
        return;
    case FW_VIEW_PURCHASES:
        o->purchases = (fw_rect_t){pad, top, mid_w, mid_h};
        return;
    case FW_VIEW_SHARES: {
        int ch = (mid_h - 2 * pad) / 3;
        for (int i = 0; i < 3; i++)
            o->shares[i] = (fw_rect_t){pad, top + i * (ch + pad), mid_w, ch};
        return;
    }
    default:
        break;
    }
    int upper_h = s_px(mid_h * 0.68);
    int graph_w = s_px(mid_w * 0.58);
    o->graph = (fw_rect_t){pad, top, graph_w, upper_h};
    o->purchases = (fw_rect_t){pad + graph_w + pad, top, mid_w - graph_w - pad, upper_h};
    int lower_y = top + upper_h + pad, lower_h = bottom - lower_y;
    int cw = (mid_w - 2 * pad) / 3;
    for (int i = 0; i < 3; i++)
        o->shares[i] = (fw_rect_t){pad + i * (cw + pad), lower_y, i == 2 ? mid_w - 2 * (cw + pad) : cw,
                                   lower_h};
}

void fw_vpanels_strip(fw_vpanels_t *o, int strip_h)
{
    int top = o->header.y + o->header.h + o->pad; /* panels starting under the header */
    fw_rect_t *rs[] = {&o->graph, &o->purchases, &o->shares[0], &o->shares[1], &o->shares[2]};
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++)
        if (rs[i]->w > 0 && rs[i]->y <= top && rs[i]->h > strip_h) {
            rs[i]->y += strip_h;
            rs[i]->h -= strip_h;
        }
}

int fw_rect_contains(const fw_rect_t *r, int x, int y)
{
    return r->w > 0 && x >= r->x && x < r->x + r->w && y >= r->y && y < r->y + r->h;
}

fw_rect_t fw_vpanels_share_plot(const fw_vpanels_t *p, int i)
{
    fw_rect_t r = p->shares[i];
    int title = p->font_normal + p->pad, axis = p->font_small + p->pad;
    int left = p->pad, right = s_px(p->font_small * 3.2); /* right: 0-100% labels */
    fw_rect_t plot = {r.x + left, r.y + title, r.w - left - right, r.h - title - axis};
    if (plot.w < 0)
        plot.w = 0;
    if (plot.h < 0)
        plot.h = 0;
    return plot;
}
