/* fw_vdraw_sdl: draws the viewer's window from the view model. See the header.
 *
 * This file holds the drawer's life (font files, new, destroy), the frame that puts the
 * views together, and hit-testing of the timeline. Each view draws in its own file
 * (fw_vdraw_views.h) with the primitives of fw_vdraw_prim.
 */
#include "fw_vdraw_sdl.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fw_vdraw_prim.h"
#include "fw_vdraw_views.h"

#define DISC_PX 128        /* the anti-aliased disc texture's size */

/* --- fonts ------------------------------------------------------------------------- */

int fw_vdraw_find_font(char *buf, size_t len, char *err, size_t err_len)
{
    static const char *paths[] = {
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",        /* Debian fonts-dejavu-core */
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", /* fonts-liberation */
        "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
        "/usr/share/fonts/truetype/freefont/FreeSans.ttf",         /* fonts-freefont-ttf */
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",                  /* Fedora */
        "/usr/share/fonts/TTF/DejaVuSans.ttf",                     /* Arch */
        "/usr/local/share/fonts/DejaVuSans.ttf",
    };
    const char *env = getenv("FW_FONT");
    if (env && *env) {
        if (access(env, R_OK) != 0) {
            snprintf(err, err_len, "FW_FONT=%s: the font file cannot be read", env);
            return -1;
        }
        snprintf(buf, len, "%s", env);
        return 0;
    }
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        if (access(paths[i], R_OK) == 0) {
            snprintf(buf, len, "%s", paths[i]);
            return 0;
        }
    snprintf(err, err_len,
             "no TrueType font found (looked for DejaVu Sans, Liberation Sans and FreeSans "
             "under /usr/share/fonts): install one, e.g. 'apt-get install fonts-dejavu-core', "
             "or set FW_FONT to a .ttf file");
    return -1;
}

/* DejaVuSans.ttf -> DejaVuSans-Bold.ttf, LiberationSans-Regular -> -Bold, FreeSans ->
 * FreeSansBold; "" if there is none (bold is then the regular face with a bold style). */
static void s_bold_path(const char *path, char *buf, size_t len)
{
    char stem[1024];
    const char *dot = strrchr(path, '.');
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    static const char *tries[] = {"-Bold", "Bold"};
    buf[0] = '\0';
    if (n >= sizeof stem)
        return;
    memcpy(stem, path, n);
    stem[n] = '\0';
    char *reg = strstr(stem, "-Regular");
    if (reg)
        *reg = '\0';
    for (size_t i = 0; i < 2; i++) {
        if (snprintf(buf, len, "%s%s%s", stem, tries[i], dot ? dot : "") >= (int)len)
            break;
        if (access(buf, R_OK) == 0)
            return;
    }
    buf[0] = '\0';
}

/* --- setup ------------------------------------------------------------------------- */

static SDL_Texture *s_make_disc(SDL_Renderer *r)
{
    SDL_Surface *s = SDL_CreateRGBSurfaceWithFormat(0, DISC_PX, DISC_PX, 32,
                                                    SDL_PIXELFORMAT_ARGB8888);
    if (!s)
        return NULL;
    double c = (DISC_PX - 1) / 2.0, rad = DISC_PX / 2.0 - 1.0;
    for (int y = 0; y < DISC_PX; y++) {
        uint32_t *row = (uint32_t *)((uint8_t *)s->pixels + y * s->pitch);
        for (int x = 0; x < DISC_PX; x++) {
            double dist = hypot(x - c, y - c);
            double a = rad + 0.5 - dist; /* coverage of a one-pixel edge */
            a = a < 0 ? 0 : a > 1 ? 1 : a;
            row[x] = ((uint32_t)lround(a * 255) << 24) | 0x00ffffffu;
        }
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(r, s);
    SDL_FreeSurface(s);
    if (t) {
        SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
        SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
    }
    return t;
}

fw_vdraw_t *fw_vdraw_new(SDL_Renderer *r, const char *font_path, char *err, size_t err_len)
{
    fw_vdraw_t *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    d->r = r;
    snprintf(d->font_path, sizeof d->font_path, "%s", font_path);
    s_bold_path(font_path, d->bold_path, sizeof d->bold_path);
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, err_len, "cannot start SDL_ttf: %s", TTF_GetError());
        free(d);
        return NULL;
    }
    /* Open once at a default size to report a bad font file now, not at first draw. */
    TTF_Font *probe = TTF_OpenFont(font_path, 12);
    if (!probe) {
        snprintf(err, err_len, "cannot open the font %s: %s", font_path, TTF_GetError());
        free(d);
        return NULL;
    }
    TTF_CloseFont(probe);
    d->disc = s_make_disc(r);
    if (!d->disc) {
        snprintf(err, err_len, "cannot make a texture: %s", SDL_GetError());
        free(d);
        return NULL;
    }
    return d;
}

void fw_vdraw_destroy(fw_vdraw_t **pp)
{
    if (!pp || !*pp)
        return;
    fw_vdraw_t *d = *pp;
    vd_cache_clear(d);
    vd_fonts_close(d);
    if (d->disc)
        SDL_DestroyTexture(d->disc);
    for (int i = 0; i < 3; i++)
        if (d->areas[i].tex)
            SDL_DestroyTexture(d->areas[i].tex);
    free(d->v);
    free(d->node_x);
    free(d->node_y);
    free(d->node_r);
    free(d->label_dir);
    free(d->edge_hits);
    free(d->links);
    free(d);
    *pp = NULL;
}

const fw_vpanels_t *fw_vdraw_panels(const fw_vdraw_t *d) { return &d->p; }

/* --- the frame ----------------------------------------------------------------------- */

int fw_vdraw_frame(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vdraw_opts_t *o, int w, int h,
                   char *err, size_t err_len)
{
    fw_vpanels_compute_at(w, h, o->density, o->enlarged, &d->p);
    if (vd_fonts_open(d, &d->p, err, err_len) != 0)
        return -1;
    d->frame_no++;
    d->err = 0;
    d->n_tip = 0;
    d->tip_has_swatch = 0;
    d->nv = 0;
    SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(d->r, C_BG.r, C_BG.g, C_BG.b, 255);
    SDL_RenderClear(d->r);

    long cur = o->frame;
    const fw_vframe_t *f = cur >= 0 && (size_t)cur < fw_vmodel_n_frames(vm) ? fw_vmodel_frame(vm, (size_t)cur) : NULL;
    if (!f)
        cur = -1;
    const char *notice = vd_header(d, vm, f, o);
    if (notice)
        fw_vpanels_strip(&d->p, (int)ceilf(vd_notice_h(d)));
    if (d->p.graph.w > 0)
        vd_graph(d, vm, f, o);
    if (d->p.purchases.w > 0)
        vd_purchases(d, vm, f, o);
    for (int i = 0; i < 3; i++)
        if (d->p.shares[i].w > 0)
            vd_share_chart(d, vm, cur, i, o);
    vd_scrub(d, vm, cur, o);
    if (!f) {
        const char *msg = o->source && *o->source ? o->source : "no data";
        vd_text(d, F_LARGE, "waiting for the first snapshot", (float)w / 2, (float)h / 2 - 20 * (float)d->p.scale,
                C_TEXT, AL_CENTER | AL_MIDDLE);
        vd_text(d, F_NORMAL, msg, (float)w / 2, (float)h / 2 + 14 * (float)d->p.scale, C_MUTED,
                AL_CENTER | AL_MIDDLE);
    }
    if (notice)
        vd_notice(d, notice, o->header->tone);
    if (o->help)
        vd_help(d, w, h);
    else
        vd_tooltip(d, o->mouse_x, o->mouse_y, w, h);
    if (o->toast && *o->toast)
        vd_toast(d, o->toast, w, h);
    vd_flush(d);
    vd_cache_trim(d);
    if (d->err) {
        snprintf(err, err_len, "drawing failed: %s", SDL_GetError());
        return -1;
    }
    return 0;
}

