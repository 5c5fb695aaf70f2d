/* fw_vdraw_sdl: draws the viewer's window from the view model. See the header.
 *
 * Shapes are batched: lines, ribbons, areas and arrowheads become triangles in one
 * vertex array that goes to SDL_RenderGeometry in a single call before any texture
 * (text, discs) is drawn over them, which keeps the software renderer fast.
 */
#include "fw_vdraw_sdl.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <SDL_ttf.h>

#include "fw_vfmt.h"

#define PI 3.14159265358979323846

enum { F_SMALL = 0, F_NORMAL = 1, F_BOLD = 2, F_LARGE = 3, N_FONTS = 4 };

#define CACHE_SLOTS 4096   /* power of two; open addressing */
#define CACHE_KEEP 1200    /* entries kept when trimming */
#define DISC_PX 128        /* the anti-aliased disc texture's size */
#define BEZ_N 18           /* segments of a curved edge */
#define MAX_TIP_LINES 24

typedef struct {
    char *text;            /* owned; NULL = empty slot */
    int font;
    uint32_t rgba;
    SDL_Texture *tex;      /* owned */
    int w, h;
    unsigned long used;    /* frame number of the last use */
} s_text_t;

typedef struct {
    float x, y, w, h;
} s_box_t;

typedef struct {
    SDL_Texture *tex;      /* owned; NULL until first drawn */
    int w, h;              /* plot size it was drawn for */
    const void *vm;        /* model, its generation, history extent and keys it shows */
    unsigned generation;
    size_t n_frames, n_keys;
    uint32_t first, last, t_end;
    int any;               /* some share above 0 */
} s_area_cache_t;

typedef struct {
    float x[BEZ_N + 1], y[BEZ_N + 1];
    float width;
    int edge;              /* index into the frame's edges */
} s_edge_hit_t;

struct fw_vdraw {
    SDL_Renderer *r;                 /* not owned */
    char font_path[1024];
    char bold_path[1024];            /* "" when the family has no bold file */
    TTF_Font *font[N_FONTS];         /* owned; sizes from the panels */
    int font_px[N_FONTS];
    s_text_t cache[CACHE_SLOTS];     /* rendered strings */
    size_t cache_n;
    SDL_Texture *disc;               /* white anti-aliased disc, owned */
    unsigned long frame_no;
    SDL_Vertex *v;                   /* pending triangles */
    int nv, cap_v;
    int batch_opaque;                /* the pending triangles are all opaque */
    s_area_cache_t areas[3];         /* the share charts' areas */
    fw_vpanels_t p;                  /* panels of the last frame */
    /* hit-testing of the last frame */
    float *node_x, *node_y, *node_r; /* per node, r = 0 when not drawn */
    int *label_dir;                  /* per node: where its label went last frame, -1 */
    s_box_t legend_box[3];           /* legend blocks of the graph, for the labels */
    size_t cap_nodes;
    s_edge_hit_t *edge_hits;
    size_t n_edge_hits, cap_edge_hits;
    char tip[MAX_TIP_LINES][160];    /* tooltip lines for this frame */
    int n_tip;
    SDL_Color tip_swatch;            /* colour square next to the first line */
    int tip_has_swatch;
    int err;                         /* an SDL call failed during this frame */
};

/* --- colours ---------------------------------------------------------------------- */

static const SDL_Color C_BG = {0xee, 0xf1, 0xf5, 255};
static const SDL_Color C_PANEL = {0xff, 0xff, 0xff, 255};
static const SDL_Color C_BORDER = {0xd3, 0xd9, 0xe2, 255};
static const SDL_Color C_TEXT = {0x1c, 0x25, 0x33, 255};
static const SDL_Color C_MUTED = {0x5f, 0x6b, 0x7a, 255};
static const SDL_Color C_GRID = {0xe2, 0xe7, 0xee, 255};
static const SDL_Color C_HEADER = {0x1f, 0x2a, 0x3a, 255};
static const SDL_Color C_STAKE = {0x3b, 0x46, 0x58, 215};
static const SDL_Color C_CREDIT = {0xc9, 0x94, 0x00, 235};
static const SDL_Color C_RED = {0xd0, 0x2b, 0x2b, 255};

static SDL_Color s_rgb(fw_rgb_t c, uint8_t a) { return (SDL_Color){c.r, c.g, c.b, a}; }

/* The opaque colour that c (translucent) would give over a white panel: opaque shapes
 * cost the software renderer far less than blended ones. */
static SDL_Color s_flat(SDL_Color c)
{
    double a = c.a / 255.0;
    return (SDL_Color){(uint8_t)lround(c.r * a + 255 * (1 - a)), (uint8_t)lround(c.g * a + 255 * (1 - a)),
                       (uint8_t)lround(c.b * a + 255 * (1 - a)), 255};
}

/* Black or white text, whichever reads better on `bg`. */
static SDL_Color s_on(SDL_Color bg)
{
    double lum = 0.299 * bg.r + 0.587 * bg.g + 0.114 * bg.b;
    return lum > 150 ? C_TEXT : (SDL_Color){255, 255, 255, 255};
}

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

static void s_cache_clear(fw_vdraw_t *d)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(d->cache[i].text);
        if (d->cache[i].tex)
            SDL_DestroyTexture(d->cache[i].tex);
        memset(&d->cache[i], 0, sizeof d->cache[i]);
    }
    d->cache_n = 0;
}

static void s_fonts_close(fw_vdraw_t *d)
{
    for (int i = 0; i < N_FONTS; i++) {
        if (d->font[i])
            TTF_CloseFont(d->font[i]);
        d->font[i] = NULL;
        d->font_px[i] = 0;
    }
}

/* Opens the fonts at the sizes the panels ask for; a no-op when they already match. */
static int s_fonts_open(fw_vdraw_t *d, const fw_vpanels_t *p, char *err, size_t err_len)
{
    int want[N_FONTS] = {p->font_small, p->font_normal, p->font_normal, p->font_large};
    int same = 1;
    for (int i = 0; i < N_FONTS; i++)
        same &= d->font[i] && d->font_px[i] == want[i];
    if (same)
        return 0;
    s_fonts_close(d);
    s_cache_clear(d);
    for (int i = 0; i < N_FONTS; i++) {
        int bold = i == F_BOLD || i == F_LARGE;
        const char *path = bold && d->bold_path[0] ? d->bold_path : d->font_path;
        d->font[i] = TTF_OpenFont(path, want[i] < 6 ? 6 : want[i]);
        if (!d->font[i]) {
            snprintf(err, err_len, "cannot open the font %s: %s", path, TTF_GetError());
            return -1;
        }
        if (bold && !d->bold_path[0])
            TTF_SetFontStyle(d->font[i], TTF_STYLE_BOLD);
        TTF_SetFontHinting(d->font[i], TTF_HINTING_LIGHT);
        d->font_px[i] = want[i];
    }
    return 0;
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
    s_cache_clear(d);
    s_fonts_close(d);
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
    free(d);
    *pp = NULL;
}

const fw_vpanels_t *fw_vdraw_panels(const fw_vdraw_t *d) { return &d->p; }

/* --- triangles ----------------------------------------------------------------------- */

static void s_flush(fw_vdraw_t *d)
{
    if (d->nv > 0) {
        /* Opaque batches skip blending: SDL's software renderer is much faster then. */
        SDL_SetRenderDrawBlendMode(d->r, d->batch_opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        if (SDL_RenderGeometry(d->r, NULL, d->v, d->nv, NULL, 0) != 0)
            d->err = 1;
    }
    d->nv = 0;
}

static void s_tri(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float x2, float y2,
                  SDL_Color c)
{
    int opaque = c.a == 255;
    if (d->nv > 0 && opaque != d->batch_opaque)
        s_flush(d);
    d->batch_opaque = opaque;
    if (d->nv + 3 > d->cap_v) {
        int cap = d->cap_v ? d->cap_v * 2 : 4096;
        SDL_Vertex *v = realloc(d->v, (size_t)cap * sizeof *v);
        if (!v) {
            d->err = 1;
            return;
        }
        d->v = v;
        d->cap_v = cap;
    }
    SDL_Vertex *v = &d->v[d->nv];
    v[0] = (SDL_Vertex){{x0, y0}, c, {0, 0}};
    v[1] = (SDL_Vertex){{x1, y1}, c, {0, 0}};
    v[2] = (SDL_Vertex){{x2, y2}, c, {0, 0}};
    d->nv += 3;
}

static void s_quad(fw_vdraw_t *d, float ax, float ay, float bx, float by, float cx, float cy,
                   float dx, float dy, SDL_Color c)
{
    s_tri(d, ax, ay, bx, by, cx, cy, c);
    s_tri(d, ax, ay, cx, cy, dx, dy, c);
}

/* Axis-aligned rectangles go to SDL_RenderFillRect: a row fill, not a triangle raster. */
static void s_rect(fw_vdraw_t *d, float x, float y, float w, float h, SDL_Color c)
{
    if (w <= 0 || h <= 0)
        return;
    s_flush(d);
    SDL_FRect rc = {x, y, w, h};
    SDL_SetRenderDrawBlendMode(d->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, c.a);
    if (SDL_RenderFillRectF(d->r, &rc) != 0)
        d->err = 1;
}

static void s_line(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float width,
                   SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0.01f)
        return;
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    s_quad(d, x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny, c);
}

/* A polyline; dash > 0 draws dashes of that length with equal gaps. A solid line is
 * one strip with mitred joins, so that a translucent line has no darker overlaps. */
static void s_polyline(fw_vdraw_t *d, const float *x, const float *y, int n, float width,
                       SDL_Color c, float dash)
{
    if (dash <= 0 && width <= 2.0f && n <= 128) {
        /* A hairline: SDL's line drawing is far cheaper than thin triangles, whose
         * bounding boxes the software renderer scans pixel by pixel. */
        SDL_FPoint pts[128];
        for (int i = 0; i < n; i++)
            pts[i] = (SDL_FPoint){x[i], y[i]};
        s_flush(d);
        SDL_SetRenderDrawBlendMode(d->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, c.a);
        if (SDL_RenderDrawLinesF(d->r, pts, n) != 0)
            d->err = 1;
        return;
    }
    if (dash <= 0) {
        float hw = width / 2, pxl = 0, pyl = 0, pxr = 0, pyr = 0;
        for (int i = 0; i < n; i++) {
            /* Normal at vertex i: the mean of the adjacent segments' normals. */
            float nx = 0, ny = 0;
            for (int k = -1; k <= 0; k++) {
                int a = i + k, b = i + k + 1;
                if (a < 0 || b >= n)
                    continue;
                float dx = x[b] - x[a], dy = y[b] - y[a], len = sqrtf(dx * dx + dy * dy);
                if (len > 1e-4f) {
                    nx += -dy / len;
                    ny += dx / len;
                }
            }
            float nl = sqrtf(nx * nx + ny * ny);
            if (nl < 1e-4f)
                continue;
            nx /= nl;
            ny /= nl;
            /* Mitre: longer offsets at sharp bends, capped at twice the half width. */
            float dot = 1;
            if (i > 0 && i + 1 < n) {
                float dx = x[i + 1] - x[i], dy = y[i + 1] - y[i], len = sqrtf(dx * dx + dy * dy);
                if (len > 1e-4f)
                    dot = fabsf(nx * (-dy / len) + ny * (dx / len));
            }
            float m = hw / (dot > 0.5f ? dot : 0.5f);
            float lx = x[i] + nx * m, ly = y[i] + ny * m, rx = x[i] - nx * m, ry = y[i] - ny * m;
            if (i > 0)
                s_quad(d, pxl, pyl, lx, ly, rx, ry, pxr, pyr, c);
            pxl = lx;
            pyl = ly;
            pxr = rx;
            pyr = ry;
        }
        return;
    }
    /* Dashes are the intervals [k * period, k * period + dash] of the length along the
     * line; counting k (not stepping a float) cannot stall on rounding. */
    float period = 2 * dash, s0 = 0;
    for (int i = 0; i + 1 < n; i++) {
        float dx = x[i + 1] - x[i], dy = y[i + 1] - y[i], len = sqrtf(dx * dx + dy * dy);
        if (len <= 1e-4f)
            continue;
        float s1 = s0 + len;
        for (long k = (long)floorf(s0 / period); (float)k * period < s1; k++) {
            float a = fmaxf(s0, (float)k * period), b = fminf(s1, (float)k * period + dash);
            if (b <= a)
                continue;
            float ta = (a - s0) / len, tb = (b - s0) / len;
            s_line(d, x[i] + dx * ta, y[i] + dy * ta, x[i] + dx * tb, y[i] + dy * tb, width, c);
        }
        s0 = s1;
    }
}

static void s_ellipse(fw_vdraw_t *d, float cx, float cy, float rx, float ry, float width,
                      SDL_Color c)
{
    enum { N = 96 };
    float x[N + 1], y[N + 1];
    for (int i = 0; i <= N; i++) {
        double a = 2 * PI * i / N;
        x[i] = cx + rx * (float)cos(a);
        y[i] = cy + ry * (float)sin(a);
    }
    s_polyline(d, x, y, N + 1, width, c, 0);
}

/* --- textures: discs and text ------------------------------------------------------- */

static void s_disc(fw_vdraw_t *d, float cx, float cy, float r, SDL_Color c)
{
    SDL_FRect dst = {cx - r, cy - r, 2 * r, 2 * r};
    s_flush(d);
    SDL_SetTextureColorMod(d->disc, c.r, c.g, c.b);
    SDL_SetTextureAlphaMod(d->disc, c.a);
    if (SDL_RenderCopyF(d->r, d->disc, NULL, &dst) != 0)
        d->err = 1;
}

static uint32_t s_hash(const char *s, int font, uint32_t rgba)
{
    uint32_t h = 2166136261u ^ (uint32_t)font ^ (rgba * 16777619u);
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* Drops cached strings not used in the last frames when the cache fills up. */
static void s_cache_trim(fw_vdraw_t *d)
{
    if (d->cache_n < CACHE_SLOTS / 2)
        return;
    /* Keep what this frame used; rebuild the table without the rest (open addressing
     * cannot just blank slots). */
    s_text_t *keep = malloc(sizeof *keep * CACHE_KEEP);
    size_t nk = 0;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        s_text_t *e = &d->cache[i];
        if (!e->text)
            continue;
        if (keep && e->used == d->frame_no && nk < CACHE_KEEP) {
            keep[nk++] = *e;
        } else {
            free(e->text);
            if (e->tex)
                SDL_DestroyTexture(e->tex);
        }
        memset(e, 0, sizeof *e);
    }
    d->cache_n = 0;
    for (size_t k = 0; k < nk; k++) {
        uint32_t h = s_hash(keep[k].text, keep[k].font, keep[k].rgba) & (CACHE_SLOTS - 1);
        while (d->cache[h].text)
            h = (h + 1) & (CACHE_SLOTS - 1);
        d->cache[h] = keep[k];
        d->cache_n++;
    }
    free(keep);
}

/* The cached texture of `text` in font f and colour c (rendered on first use). */
static s_text_t *s_text_get(fw_vdraw_t *d, int f, const char *text, SDL_Color c)
{
    uint32_t rgba = ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a;
    uint32_t h = s_hash(text, f, rgba) & (CACHE_SLOTS - 1);
    while (d->cache[h].text) {
        s_text_t *e = &d->cache[h];
        if (e->font == f && e->rgba == rgba && strcmp(e->text, text) == 0) {
            e->used = d->frame_no;
            return e;
        }
        h = (h + 1) & (CACHE_SLOTS - 1);
    }
    if (d->cache_n >= CACHE_SLOTS - 1) /* cannot happen after trims; be safe */
        return NULL;
    SDL_Surface *s = TTF_RenderUTF8_Blended(d->font[f], text, c);
    if (!s) {
        d->err = 1;
        return NULL;
    }
    SDL_Texture *t = SDL_CreateTextureFromSurface(d->r, s);
    int w = s->w, hh = s->h;
    SDL_FreeSurface(s);
    if (!t) {
        d->err = 1;
        return NULL;
    }
    s_text_t *e = &d->cache[h];
    e->text = strdup(text);
    if (!e->text) {
        SDL_DestroyTexture(t);
        d->err = 1;
        return NULL;
    }
    e->font = f;
    e->rgba = rgba;
    e->tex = t;
    e->w = w;
    e->h = hh;
    e->used = d->frame_no;
    d->cache_n++;
    return e;
}

enum { AL_LEFT = 0, AL_CENTER = 1, AL_RIGHT = 2, AL_TOP = 0, AL_MIDDLE = 4, AL_BOTTOM = 8 };

/* Draws text anchored at (x, y) by `align`; returns its width (0 for empty text). */
static int s_text(fw_vdraw_t *d, int f, const char *text, float x, float y, SDL_Color c,
                  int align)
{
    if (!text || !*text)
        return 0;
    s_text_t *e = s_text_get(d, f, text, c);
    if (!e)
        return 0;
    float w = (float)e->w, h = (float)e->h;
    if ((align & 3) == AL_CENTER)
        x -= w / 2;
    else if ((align & 3) == AL_RIGHT)
        x -= w;
    if (align & AL_MIDDLE)
        y -= h / 2;
    else if (align & AL_BOTTOM)
        y -= h;
    SDL_FRect dst = {floorf(x), floorf(y), w, h};
    s_flush(d);
    if (SDL_RenderCopyF(d->r, e->tex, NULL, &dst) != 0)
        d->err = 1;
    return e->w;
}

/* Width of text in font f: from the cache (measuring with SDL_ttf shapes the text
 * every time, which costs more than the texture it would draw). */
static int s_text_w(fw_vdraw_t *d, int f, const char *text)
{
    if (!text || !*text)
        return 0;
    s_text_t *e = s_text_get(d, f, text, C_TEXT);
    return e ? e->w : 0;
}

static int s_line_h(const fw_vdraw_t *d, int f) { return TTF_FontLineSkip(d->font[f]); }

/* --- panels ------------------------------------------------------------------------- */

static void s_panel(fw_vdraw_t *d, const fw_rect_t *r)
{
    float b = (float)(d->p.scale < 1 ? 1 : d->p.scale);
    s_rect(d, (float)r->x, (float)r->y, (float)r->w, (float)r->h, C_BORDER);
    s_rect(d, (float)r->x + b, (float)r->y + b, (float)r->w - 2 * b, (float)r->h - 2 * b, C_PANEL);
}

/* Title and subtitle at the top-left of a panel; returns the y below them. */
static float s_panel_title(fw_vdraw_t *d, const fw_rect_t *r, const char *title,
                           const char *sub)
{
    float x = (float)(r->x + d->p.pad + d->p.pad / 2), y = (float)(r->y + d->p.pad / 2);
    int tw = s_text(d, F_BOLD, title, x, y, C_TEXT, AL_LEFT);
    if (sub && *sub)
        s_text(d, F_SMALL, sub, x + (float)tw + (float)d->p.pad,
               y + (float)(s_line_h(d, F_BOLD) - s_line_h(d, F_SMALL)) * 0.7f, C_MUTED, AL_LEFT);
    return y + (float)s_line_h(d, F_BOLD);
}

static void s_tip_add(fw_vdraw_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_tip_add(fw_vdraw_t *d, const char *fmt, ...)
{
    va_list ap;
    if (d->n_tip >= MAX_TIP_LINES)
        return;
    va_start(ap, fmt);
    vsnprintf(d->tip[d->n_tip++], sizeof d->tip[0], fmt, ap);
    va_end(ap);
}

static const char *s_role_name(int role)
{
    switch (role) {
    case FW_VROLE_CLOUD: return "cloud";
    case FW_VROLE_LAB: return "AI lab";
    case FW_VROLE_VENDOR: return "chip vendor";
    default: return "company";
    }
}

/* --- header ------------------------------------------------------------------------- */

/* Draws the header. Returns what goes in a strip under it (s_notice): the header's
 * notice, or its detail line when that did not fit beside the state pill (a narrow
 * window, a long lobby line); else NULL. */
static const char *s_header(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                            const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.header;
    char buf[160], month[32];
    float pad = (float)d->p.pad, cy = (float)r->y + (float)r->h / 2;
    s_rect(d, (float)r->x, (float)r->y, (float)r->w, (float)r->h, C_HEADER);
    const char *sc = fw_vmodel_scenario(vm);
    float x = (float)r->x + 2 * pad;
    x += (float)s_text(d, F_LARGE, "Flywheel", x, cy, (SDL_Color){0x9f, 0xc3, 0xff, 255},
                       AL_LEFT | AL_MIDDLE);
    if (sc && *sc)
        x += (float)s_text(d, F_LARGE, sc, x + pad, cy, (SDL_Color){255, 255, 255, 255},
                           AL_LEFT | AL_MIDDLE) + pad;
    float left_end = x; /* the right end of what is drawn from the left and middle */
    if (f) {
        fw_vfmt_month(f->month, month, sizeof month);
        float mx = (float)r->x + (float)r->w * 0.5f;
        int mw = s_text(d, F_LARGE, month, mx, cy, (SDL_Color){255, 255, 255, 255},
                        AL_RIGHT | AL_MIDDLE);
        (void)mw;
        snprintf(buf, sizeof buf, "tick %u / %u", f->tick, f->ticks ? f->ticks : f->tick);
        left_end = mx + pad * 1.5f +
                   (float)s_text(d, F_NORMAL, buf, mx + pad * 1.5f, cy,
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
    rx -= (float)s_text(d, F_SMALL, "h: help", rx, cy, (SDL_Color){0xa8, 0xb4, 0xc4, 255},
                        AL_RIGHT | AL_MIDDLE) + 2 * pad;
    snprintf(buf, sizeof buf, "%g ticks/s", o->speed);
    rx -= (float)s_text(d, F_NORMAL, buf, rx, cy, (SDL_Color){0xc8, 0xd2, 0xe0, 255},
                        AL_RIGHT | AL_MIDDLE) + 1.5f * pad;
    int sw = s_text_w(d, F_BOLD, state);
    const char *notice = hd && hd->notice[0] ? hd->notice : NULL;
    if (hd && hd->detail[0]) {
        float dw = (float)s_text_w(d, F_SMALL, hd->detail);
        if (rx - dw - 1.5f * pad - (float)sw - 2 * pad >= left_end + 2 * pad)
            rx -= (float)s_text(d, F_SMALL, hd->detail, rx, cy, detail, AL_RIGHT | AL_MIDDLE) +
                  1.5f * pad;
        else if (!notice)
            notice = hd->detail;
    }
    float ph = (float)s_line_h(d, F_BOLD) + pad * 0.5f;
    s_rect(d, rx - (float)sw - 2 * pad, cy - ph / 2, (float)sw + 2 * pad, ph, pill);
    s_text(d, F_BOLD, state, rx - pad, cy, (SDL_Color){255, 255, 255, 255}, AL_RIGHT | AL_MIDDLE);
    return notice;
}

/* A strip along the header's bottom edge, over the top of the panels: red when the
 * coordinator is gone, else the header's colour. */
static void s_notice(fw_vdraw_t *d, const char *text, fw_vtone_t tone)
{
    const fw_rect_t *r = &d->p.header;
    float pad = (float)d->p.pad, lh = (float)s_line_h(d, F_NORMAL) + pad * 0.5f;
    SDL_Color bg = tone == FW_VTONE_GONE ? C_RED : C_HEADER;
    s_rect(d, (float)r->x, (float)(r->y + r->h), (float)r->w, lh, bg);
    s_text(d, F_NORMAL, text, (float)r->x + (float)r->w / 2, (float)(r->y + r->h) + lh / 2,
           (SDL_Color){255, 255, 255, 255}, AL_CENTER | AL_MIDDLE);
}

/* --- alliance graph -------------------------------------------------------------------- */

typedef struct {
    float cx, cy, rx, ry; /* unit disc -> panel */
    float rmin, rmax;     /* node radii */
} s_gmap_t;

static float s_node_radius(const s_gmap_t *g, const fw_vmodel_t *vm, const fw_vnode_state_t *n)
{
    double v = fw_vnode_size_value(n) / fw_vmodel_size_max(vm);
    return g->rmin + (g->rmax - g->rmin) * (float)sqrt(v < 0 ? 0 : v > 1 ? 1 : v);
}

static float s_edge_width(const fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vedge_t *e)
{
    double v = sqrt(e->dollars / fw_vmodel_edge_max(vm, e->kind));
    float s = (float)d->p.scale;
    switch (e->kind) {
    case FW_EDGE_COMPUTE: return s * (1.2f + 10.0f * (float)v);
    case FW_EDGE_STAKE: return s * (1.5f + 8.0f * (float)v);
    case FW_EDGE_CREDIT: return s * (1.5f + 6.0f * (float)v);
    default: return s * (1.0f + 5.0f * (float)v);
    }
}

static SDL_Color s_edge_color(const fw_vedge_t *e)
{
    switch (e->kind) {
    case FW_EDGE_STAKE: return C_STAKE;
    case FW_EDGE_CREDIT: return C_CREDIT;
    case FW_EDGE_COMPUTE: return s_rgb(fw_vpalette_family((size_t)e->family), 185);
    default: return s_rgb(fw_vpalette_family((size_t)e->family), 110);
    }
}

/* Distance from (px, py) to the segment a-b. */
static float s_seg_dist(float px, float py, float ax, float ay, float bx, float by)
{
    float dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
    float t = l2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / l2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    float qx = ax + t * dx - px, qy = ay + t * dy - py;
    return sqrtf(qx * qx + qy * qy);
}

/* Builds the curve of an edge: a quadratic Bezier that bends to the right of its
 * direction (so A->B and B->A do not overlap), more for each further chip family
 * between the same pair; trimmed to the nodes' rims, leaving room for the arrowhead. */
static void s_edge_curve(s_edge_hit_t *h, float x0, float y0, float r0, float x1, float y1,
                         float r1, float bend_k, float arrow)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        len = 1;
    float nx = dy / len, ny = -dx / len;
    float bend = len * bend_k;
    float qx = (x0 + x1) / 2 + nx * bend, qy = (y0 + y1) / 2 + ny * bend;
    /* Sample, then keep the part outside both discs. */
    float px[BEZ_N * 4 + 1], py[BEZ_N * 4 + 1];
    int m = BEZ_N * 4, first = 0, last = m;
    for (int i = 0; i <= m; i++) {
        float t = (float)i / (float)m, u = 1 - t;
        px[i] = u * u * x0 + 2 * u * t * qx + t * t * x1;
        py[i] = u * u * y0 + 2 * u * t * qy + t * t * y1;
    }
    while (first < m && hypotf(px[first] - x0, py[first] - y0) < r0 + 1)
        first++;
    while (last > first && hypotf(px[last] - x1, py[last] - y1) < r1 + 1 + arrow)
        last--;
    for (int i = 0; i <= BEZ_N; i++) {
        int k = first + (last - first) * i / BEZ_N;
        h->x[i] = px[k];
        h->y[i] = py[k];
    }
}

static void s_arrow(fw_vdraw_t *d, const s_edge_hit_t *h, float size, SDL_Color c)
{
    float ax = h->x[BEZ_N], ay = h->y[BEZ_N];
    float dx = ax - h->x[BEZ_N - 2], dy = ay - h->y[BEZ_N - 2], len = sqrtf(dx * dx + dy * dy);
    if (len < 0.01f)
        return;
    dx /= len;
    dy /= len;
    float tipx = ax + dx * size, tipy = ay + dy * size;
    float bx = ax - dx * size * 0.15f, by = ay - dy * size * 0.15f;
    s_tri(d, tipx, tipy, bx - dy * size * 0.55f, by + dx * size * 0.55f, bx + dy * size * 0.55f,
          by - dx * size * 0.55f, c);
}

static void s_node_tip(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f, size_t i)
{
    const fw_vnode_t *n = fw_vmodel_node(vm, i);
    const fw_vnode_state_t *s = &f->nodes[i];
    char a[48], b[48];
    s_tip_add(d, "%s  (%s)", n->name, s_role_name(n->role));
    if (s->valuation > 0)
        s_tip_add(d, "valuation %s", fw_vfmt_money(s->valuation, a, sizeof a));
    s_tip_add(d, "cash %s", fw_vfmt_money(s->cash, a, sizeof a));
    s_tip_add(d, "revenue %s, profit %s this tick", fw_vfmt_money(s->revenue, a, sizeof a),
              fw_vfmt_money(s->profit, b, sizeof b));
    if (n->role == FW_VROLE_CLOUD)
        s_tip_add(d, "capacity installed %s H100-eq", fw_vfmt_count(s->compute, a, sizeof a));
    else if (n->role == FW_VROLE_LAB)
        s_tip_add(d, "compute bought %s H100-mo this tick", fw_vfmt_count(s->compute, a, sizeof a));
    if (n->role == FW_VROLE_LAB && s->capability > 0)
        s_tip_add(d, "capability %.2f", s->capability);
    if (s->faltering)
        s_tip_add(d, "FALTERING: out of cash, no investor");
    if (s->present && !s->answered)
        s_tip_add(d, "no answer from its agent this tick");
    d->tip_swatch = s_rgb(fw_vmodel_node_color(vm, i), 255);
    d->tip_has_swatch = 1;
}

static void s_edge_tip(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vedge_t *e)
{
    const fw_vnode_t *a = fw_vmodel_node(vm, (size_t)e->from), *b = fw_vmodel_node(vm, (size_t)e->to);
    char m[48], q[48], pc[32];
    switch (e->kind) {
    case FW_EDGE_STAKE:
        s_tip_add(d, "%s holds %s of %s", a->name, fw_vfmt_percent(e->quantity, pc, sizeof pc),
                  b->name);
        s_tip_add(d, "value %s (paid %s)", fw_vfmt_money(e->dollars, m, sizeof m),
                  fw_vfmt_money(e->cost, q, sizeof q));
        break;
    case FW_EDGE_CREDIT:
        s_tip_add(d, "%s credits held by %s", a->name, b->name);
        s_tip_add(d, "%s of compute left to use", fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    case FW_EDGE_COMPUTE:
        s_tip_add(d, "%s buys compute from %s", a->name, b->name);
        s_tip_add(d, "on %s: %s H100-mo, %s this tick",
                  fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)e->family),
                  fw_vfmt_count(e->quantity, q, sizeof q), fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    default:
        s_tip_add(d, "%s buys chips from %s", a->name, b->name);
        s_tip_add(d, "%s: %s units, %s this tick",
                  fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)e->family),
                  fw_vfmt_count(e->quantity, q, sizeof q), fw_vfmt_money(e->dollars, m, sizeof m));
        break;
    }
    d->tip_swatch = s_edge_color(e);
    d->tip_swatch.a = 255;
    d->tip_has_swatch = 1;
}

/* The legend in the graph panel's corners, which the rings leave free: roles and
 * sizes bottom-left, edge kinds bottom-right, chip families top-right when the
 * purchases view (which has them too) is hidden. */
static void s_graph_legend(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_rect_t *r)
{
    float pad = (float)d->p.pad, lh = (float)s_line_h(d, F_SMALL), sw = lh * 0.7f;
    float s = (float)d->p.scale;
    float x0 = (float)r->x + 1.5f * pad, y = (float)(r->y + r->h) - pad - 4 * lh;
    static const int roles[] = {FW_VROLE_CLOUD, FW_VROLE_LAB, FW_VROLE_VENDOR};
    static const char *names[] = {"cloud", "AI lab", "chip vendor"};
    for (int i = 0; i < 3; i++, y += lh) {
        s_disc(d, x0 + sw / 2, y + lh / 2, sw / 2, s_rgb(fw_vpalette_role(roles[i]), 255));
        s_text(d, F_SMALL, names[i], x0 + sw + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    s_text(d, F_SMALL, "size: valuation (or cash)", x0, y, C_MUTED, AL_LEFT);
    d->legend_box[0] = (s_box_t){x0, y - 3 * lh, (float)s_text_w(d, F_SMALL, "size: valuation (or cash)"),
                                 4 * lh};

    struct {
        const char *name;
        SDL_Color c;
        float dash, width;
    } kinds[] = {{"equity stake", C_STAKE, 0, 2.5f},
                 {"compute credits", C_CREDIT, 5, 2.5f},
                 {"compute bought, lab to cloud", (SDL_Color){0x7b, 0x4c, 0xc9, 200}, 0, 3.5f},
                 {"chips bought, cloud to vendor", (SDL_Color){0x7b, 0x4c, 0xc9, 130}, 3, 2.0f}};
    float tw = 0, seg = 2.4f * lh;
    for (int i = 0; i < 4; i++)
        tw = fmaxf(tw, (float)s_text_w(d, F_SMALL, kinds[i].name));
    float bx = (float)(r->x + r->w) - 1.5f * pad - tw - seg - pad * 0.6f;
    y = (float)(r->y + r->h) - pad - 5 * lh;
    d->legend_box[1] = (s_box_t){bx, y, tw + seg + pad * 0.6f, 5 * lh};
    d->legend_box[2] = (s_box_t){0, 0, 0, 0};
    s_text(d, F_SMALL, "width: dollars", bx, y, C_MUTED, AL_LEFT);
    y += lh;
    for (int i = 0; i < 4; i++, y += lh) {
        float lx[2] = {bx, bx + seg}, ly[2] = {y + lh / 2, y + lh / 2};
        s_polyline(d, lx, ly, 2, kinds[i].width * s, kinds[i].c, kinds[i].dash * s);
        s_text(d, F_SMALL, kinds[i].name, bx + seg + pad * 0.6f, y, C_TEXT, AL_LEFT);
    }
    if (d->p.purchases.w > 0)
        return;
    size_t nk = fw_vmodel_n_keys(vm, FW_SHARE_CHIP);
    tw = 0;
    for (size_t k = 0; k < nk; k++)
        tw = fmaxf(tw, (float)s_text_w(d, F_SMALL, fw_vmodel_key_label(vm, FW_SHARE_CHIP, k)));
    bx = (float)(r->x + r->w) - 1.5f * pad - tw - sw - pad * 0.6f;
    y = (float)r->y + pad;
    d->legend_box[2] = (s_box_t){bx, y, tw + sw + pad * 0.6f, (float)(nk + 1) * lh};
    s_text(d, F_SMALL, "chip families", bx, y, C_MUTED, AL_LEFT);
    for (size_t k = 0; k < nk; k++) {
        y += lh;
        s_rect(d, bx, y + lh * 0.2f, sw, lh * 0.6f, s_rgb(fw_vpalette_family(k), 255));
        s_text(d, F_SMALL, fw_vmodel_key_label(vm, FW_SHARE_CHIP, k), bx + sw + pad * 0.6f, y,
               C_TEXT, AL_LEFT);
    }
}

static int s_ensure_nodes(fw_vdraw_t *d, size_t n)
{
    if (n <= d->cap_nodes)
        return 0;
    float *x = realloc(d->node_x, n * sizeof *x);
    if (!x)
        return -1;
    d->node_x = x;
    float *y = realloc(d->node_y, n * sizeof *y);
    if (!y)
        return -1;
    d->node_y = y;
    float *r = realloc(d->node_r, n * sizeof *r);
    if (!r)
        return -1;
    d->node_r = r;
    int *ld = realloc(d->label_dir, n * sizeof *ld);
    if (!ld)
        return -1;
    for (size_t i = d->cap_nodes; i < n; i++)
        ld[i] = -1;
    d->label_dir = ld;
    d->cap_nodes = n;
    return 0;
}

/* --- node labels ---------------------------------------------------------------------- */

static float s_box_overlap(const s_box_t *a, const s_box_t *b)
{
    float w = fminf(a->x + a->w, b->x + b->w) - fmaxf(a->x, b->x);
    float h = fminf(a->y + a->h, b->y + b->h) - fmaxf(a->y, b->y);
    return w > 0 && h > 0 ? w * h : 0;
}

/* The box of a label of size tw x th next to node i in direction k of 8 (0 = right,
 * counter-clockwise in 45 degree steps), and the alignment that puts it there. */
static s_box_t s_label_box(const fw_vdraw_t *d, size_t i, int k, float tw, float th, int *align)
{
    float a = (float)k * (float)PI / 4, ux = cosf(a), uy = -sinf(a);
    float off = d->node_r[i] + 4 * (float)d->p.scale;
    float lx = d->node_x[i] + ux * off, ly = d->node_y[i] + uy * off;
    int h = ux > 0.35f ? AL_LEFT : ux < -0.35f ? AL_RIGHT : AL_CENTER;
    float bx = h == AL_LEFT ? lx : h == AL_RIGHT ? lx - tw : lx - tw / 2;
    float by = uy > 0.35f ? ly : uy < -0.35f ? ly - th : ly - th / 2;
    *align = h;
    return (s_box_t){bx, by, tw, th};
}

/* Places every node's label (and its figure when there is room) where it covers the
 * fewest other labels, nodes and legend boxes: biggest nodes first, each trying its
 * previous place, then outward from the centre, then the other directions. Keeping
 * the previous place when it is still free stops labels flickering between ticks. */
static void s_graph_labels(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                           const fw_rect_t *r, int crowded)
{
    size_t n = f->n_nodes;
    s_box_t *placed = calloc(n ? n : 1, sizeof *placed);
    size_t *order = calloc(n ? n : 1, sizeof *order), np = 0, no = 0;
    if (!placed || !order)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (d->node_r[i] > 0)
            order[no++] = i;
    for (size_t a = 1; a < no; a++) /* insertion sort by radius, largest first */
        for (size_t b = a; b > 0 && d->node_r[order[b]] > d->node_r[order[b - 1]]; b--) {
            size_t t = order[b];
            order[b] = order[b - 1];
            order[b - 1] = t;
        }
    float lh_small = (float)s_line_h(d, F_SMALL), lh_bold = (float)s_line_h(d, F_BOLD);
    s_box_t panel = {(float)r->x, (float)r->y + lh_bold, (float)r->w, (float)r->h - lh_bold};
    for (size_t o = 0; o < no; o++) {
        size_t i = order[o];
        const fw_vnode_t *nd = fw_vmodel_node(vm, i);
        const fw_vnode_state_t *ns = &f->nodes[i];
        char money[48];
        fw_vfmt_money(fw_vnode_size_value(ns), money, sizeof money);
        int font = crowded ? F_SMALL : F_BOLD;
        float tw = (float)s_text_w(d, font, nd->label), th = crowded ? lh_small : lh_bold;
        if (!crowded) {
            tw = fmaxf(tw, (float)s_text_w(d, F_SMALL, money));
            th += lh_small * 0.95f;
        }
        /* Outward direction, in 45 degree steps. */
        double ang = atan2(-(double)ns->y, (double)ns->x);
        int out = ((int)lround(ang / (PI / 4)) % 8 + 8) % 8;
        int tries[10], nt = 0;
        if (d->label_dir[i] >= 0)
            tries[nt++] = d->label_dir[i];
        static const int steps[] = {0, 1, -1, 2, -2, 3, -3, 4};
        for (int k = 0; k < 8; k++)
            tries[nt++] = ((out + steps[k]) % 8 + 8) % 8;
        float best_cost = 1e30f;
        int best = out, best_align = AL_CENTER;
        s_box_t best_box = {0, 0, 0, 0};
        for (int t = 0; t < nt; t++) {
            int align;
            s_box_t b = s_label_box(d, i, tries[t], tw, th, &align);
            float cost = 0;
            for (size_t p = 0; p < np; p++)
                cost += s_box_overlap(&b, &placed[p]);
            for (size_t j = 0; j < n; j++) {
                if (d->node_r[j] <= 0)
                    continue;
                s_box_t nb = {d->node_x[j] - d->node_r[j], d->node_y[j] - d->node_r[j],
                              2 * d->node_r[j], 2 * d->node_r[j]};
                cost += s_box_overlap(&b, &nb) * (j == i ? 4.0f : 1.0f);
            }
            for (int l = 0; l < 3; l++)
                cost += s_box_overlap(&b, &d->legend_box[l]);
            cost += b.w * b.h - s_box_overlap(&b, &panel); /* outside the panel */
            if (cost < best_cost - 0.5f) {
                best_cost = cost;
                best = tries[t];
                best_align = align;
                best_box = b;
            }
            if (cost <= 0.5f)
                break;
        }
        d->label_dir[i] = best;
        placed[np++] = best_box;
        float ax = best_align == AL_LEFT ? best_box.x
                   : best_align == AL_RIGHT ? best_box.x + best_box.w
                                           : best_box.x + best_box.w / 2;
        s_text(d, font, nd->label, ax, best_box.y, C_TEXT, best_align);
        if (!crowded)
            s_text(d, F_SMALL, money, ax, best_box.y + lh_bold * 0.95f, C_MUTED, best_align);
    }
out:
    free(placed);
    free(order);
}

static void s_graph(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                    const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.graph;
    float pad = (float)d->p.pad, s = (float)d->p.scale;
    char buf[160];
    s_panel(d, r);
    snprintf(buf, sizeof buf, "%zu companies, %zu links", f ? f->n_nodes : (size_t)0,
             f ? f->n_edges : (size_t)0);
    float top = s_panel_title(d, r, "Alliances", buf);
    s_graph_legend(d, vm, r);
    if (!f || f->n_nodes == 0 || s_ensure_nodes(d, f->n_nodes) != 0)
        return;

    /* Events that fired this tick, under the title. */
    for (size_t i = 0; i < f->n_events && i < 3; i++) {
        snprintf(buf, sizeof buf, "event: %s", f->events[i]);
        s_text(d, F_SMALL, buf, (float)r->x + 1.5f * pad, top + (float)i * (float)s_line_h(d, F_SMALL),
               C_RED, AL_LEFT);
    }

    /* Unit disc -> the panel, leaving room for the outer labels. */
    size_t n = f->n_nodes;
    float area_top = top, area_bottom = (float)(r->y + r->h) - pad;
    float label_room = (float)s_line_h(d, F_SMALL) * 2.2f;
    s_gmap_t g;
    g.cx = (float)r->x + (float)r->w / 2;
    g.cy = (area_top + area_bottom) / 2;
    g.ry = (area_bottom - area_top) / 2 - label_room;
    g.rx = (float)r->w / 2 - label_room * 3.2f;
    if (g.rx > g.ry * 1.4f)
        g.rx = g.ry * 1.4f;
    if (g.ry < 10 || g.rx < 10)
        return;
    /* Fewer, larger nodes for a small market; more, smaller ones for a big one. */
    float crowd = n > 12 ? sqrtf(12.0f / (float)n) : 1.0f;
    g.rmin = 5 * s;
    g.rmax = fmaxf(g.rmin + 4 * s, 34 * s * crowd);

    /* Ring guides. */
    static const double rings[] = {FW_VLAYOUT_R_VENDOR, FW_VLAYOUT_R_CLOUD, FW_VLAYOUT_R_LAB};
    for (int i = 0; i < 3; i++)
        s_ellipse(d, g.cx, g.cy, g.rx * (float)rings[i], g.ry * (float)rings[i], 1.2f * s, C_GRID);

    for (size_t i = 0; i < n; i++) {
        const fw_vnode_state_t *ns = &f->nodes[i];
        d->node_x[i] = g.cx + (float)ns->x * g.rx;
        d->node_y[i] = g.cy + (float)ns->y * g.ry;
        d->node_r[i] = ns->present ? s_node_radius(&g, vm, ns) : 0;
    }

    /* Edges: thickness by dollars, style by kind; compute and chips in family colours. */
    d->n_edge_hits = 0;
    if (f->n_edges > d->cap_edge_hits) {
        s_edge_hit_t *eh = realloc(d->edge_hits, f->n_edges * sizeof *eh);
        if (!eh)
            return;
        d->edge_hits = eh;
        d->cap_edge_hits = f->n_edges;
    }
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        size_t a = (size_t)ed->from, b = (size_t)ed->to;
        if (a >= n || b >= n || d->node_r[a] <= 0 || d->node_r[b] <= 0)
            continue;
        /* The k-th family between the same pair bends a little further out. */
        int k = 0;
        for (size_t e2 = e; e2 > 0; e2--) {
            const fw_vedge_t *p2 = &f->edges[e2 - 1];
            if (p2->kind != ed->kind || p2->from != ed->from || p2->to != ed->to)
                break;
            k++;
        }
        /* A crowded graph gets thinner links, so that the big ones still stand out. */
        float width = s_edge_width(d, vm, ed) * (crowd < 1 ? 0.4f + 0.6f * crowd : 1.0f);
        float arrow = fmaxf(6 * s * fminf(1, crowd * 1.5f), width * 1.6f);
        float bend = ed->kind == FW_EDGE_STAKE ? 0.10f : ed->kind == FW_EDGE_CREDIT ? 0.16f : 0.05f;
        s_edge_hit_t *h = &d->edge_hits[d->n_edge_hits++];
        h->edge = (int)e;
        h->width = width;
        s_edge_curve(h, d->node_x[a], d->node_y[a], d->node_r[a], d->node_x[b], d->node_y[b],
                     d->node_r[b], bend + 0.07f * (float)k, arrow);
        SDL_Color c = s_flat(s_edge_color(ed)); /* opaque: much cheaper in software */
        float dash = ed->kind == FW_EDGE_CREDIT ? 6 * s : ed->kind == FW_EDGE_CHIPS ? 3 * s : 0;
        s_polyline(d, h->x, h->y, BEZ_N + 1, width, c, dash);
        s_arrow(d, h, arrow, c);
    }

    /* Hover: a node first (they are on top), else the nearest edge. */
    long hover_node = -1, hover_edge = -1;
    if (fw_rect_contains(r, o->mouse_x, o->mouse_y)) {
        float mx = (float)o->mouse_x, my = (float)o->mouse_y, best = 1e9f;
        for (size_t i = 0; i < n; i++) {
            float dist = hypotf(mx - d->node_x[i], my - d->node_y[i]);
            if (d->node_r[i] > 0 && dist <= d->node_r[i] + 3 * s && dist < best) {
                best = dist;
                hover_node = (long)i;
            }
        }
        best = 1e9f;
        for (size_t k = 0; hover_node < 0 && k < d->n_edge_hits; k++) {
            const s_edge_hit_t *h = &d->edge_hits[k];
            for (int i = 0; i < BEZ_N; i++) {
                float dist = s_seg_dist(mx, my, h->x[i], h->y[i], h->x[i + 1], h->y[i + 1]);
                if (dist <= h->width / 2 + 4 * s && dist < best) {
                    best = dist;
                    hover_edge = (long)k;
                }
            }
        }
    }
    if (hover_edge >= 0) {
        const s_edge_hit_t *h = &d->edge_hits[hover_edge];
        s_polyline(d, h->x, h->y, BEZ_N + 1, h->width + 4 * s, (SDL_Color){0xff, 0xd4, 0x3b, 160}, 0);
        s_edge_tip(d, vm, &f->edges[h->edge]);
    }

    /* Nodes: a white rim, a red one when faltering; grey when the agent is silent. */
    int crowded = n > 24;
    for (size_t i = 0; i < n; i++) {
        if (d->node_r[i] <= 0)
            continue;
        const fw_vnode_state_t *ns = &f->nodes[i];
        float rr = d->node_r[i], x = d->node_x[i], y = d->node_y[i];
        if ((long)i == hover_node)
            s_disc(d, x, y, rr + 5 * s, (SDL_Color){0xff, 0xd4, 0x3b, 255});
        if (ns->faltering)
            s_disc(d, x, y, rr + 3.5f * s, C_RED);
        s_disc(d, x, y, rr + 1.5f * s, (SDL_Color){255, 255, 255, 255});
        SDL_Color c = s_rgb(fw_vmodel_node_color(vm, i), 255);
        if (!ns->answered)
            c = (SDL_Color){(uint8_t)((c.r + 3 * 0xc0) / 4), (uint8_t)((c.g + 3 * 0xc0) / 4),
                            (uint8_t)((c.b + 3 * 0xc0) / 4), 255};
        s_disc(d, x, y, rr, c);
    }
    s_graph_labels(d, vm, f, r, crowded);
    if (hover_node >= 0)
        s_node_tip(d, vm, f, (size_t)hover_node);
}

/* --- compute purchases ---------------------------------------------------------------- */

typedef struct {
    const fw_vedge_t *e;
    float y0l, y1l, y0r, y1r; /* ribbon ends on the cloud side (left) and the lab side */
} s_ribbon_t;

/* Fills a ribbon from x0 to x1 whose top runs from ya (at x0) to yb (at x1) along a
 * smoothstep and which is hgt pixels tall all along (a flow is as thick at both
 * ends), as one horizontal span per pixel row in a single SDL_RenderFillRects call.
 * The software renderer rasterises a triangle by scanning its bounding box, which for
 * a thin diagonal ribbon is mostly empty; rows cost only what they cover. */
static void s_ribbon_spans(fw_vdraw_t *d, float x0, float x1, float ya, float yb, float hgt,
                           SDL_Color c)
{
    if (hgt < 1.5f) { /* a hairline flow: a line is cheaper than a span per row */
        enum { N = 24 };
        float px[N + 1], py[N + 1];
        for (int j = 0; j <= N; j++) {
            float t = (float)j / N, sm = t * t * (3 - 2 * t);
            px[j] = x0 + (x1 - x0) * t;
            py[j] = ya + (yb - ya) * sm + hgt / 2;
        }
        s_polyline(d, px, py, N + 1, 1, c, 0);
        return;
    }
    float top = fminf(ya, yb), bottom = fmaxf(ya, yb) + hgt;
    int r0 = (int)floorf(top), r1 = (int)ceilf(bottom);
    int rows = r1 - r0;
    if (rows <= 0 || x1 <= x0)
        return;
    SDL_FRect *span = malloc((size_t)rows * sizeof *span);
    if (!span) {
        d->err = 1;
        return;
    }
    int n = 0;
    for (int y = r0; y < r1; y++) {
        float cy = (float)y + 0.5f, xa, xb;
        if (fabsf(yb - ya) < 0.01f) {
            if (cy < ya || cy > ya + hgt)
                continue;
            xa = x0;
            xb = x1;
        } else {
            /* The row is covered where the top edge is within [cy - hgt, cy]; the top
             * edge is monotone, so that is one interval of t (inverse smoothstep:
             * t = 1/2 - sin(asin(1 - 2s) / 3)). */
            float s1 = (cy - hgt - ya) / (yb - ya), s2 = (cy - ya) / (yb - ya);
            float lo = fmaxf(0, fminf(s1, s2)), hi = fminf(1, fmaxf(s1, s2));
            if (lo > hi)
                continue;
            float ta = 0.5f - sinf(asinf(1 - 2 * lo) / 3), tb = 0.5f - sinf(asinf(1 - 2 * hi) / 3);
            xa = x0 + (x1 - x0) * ta;
            xb = x0 + (x1 - x0) * tb;
        }
        if (xb - xa < 1)
            xb = xa + 1;
        span[n++] = (SDL_FRect){xa, (float)y, xb - xa, 1};
    }
    s_flush(d);
    SDL_SetRenderDrawBlendMode(d->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, c.a);
    if (n > 0 && SDL_RenderFillRectsF(d->r, span, n) != 0)
        d->err = 1;
    free(span);
}

static void s_purchases(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                        const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.purchases;
    float pad = (float)d->p.pad, s = (float)d->p.scale;
    char buf[160], q[48], m[48];
    s_panel(d, r);
    double total_q = 0, total_d = 0;
    size_t n_flows = 0;
    for (size_t e = 0; f && e < f->n_edges; e++)
        if (f->edges[e].kind == FW_EDGE_COMPUTE) {
            total_q += f->edges[e].quantity;
            total_d += f->edges[e].dollars;
            n_flows++;
        }
    snprintf(buf, sizeof buf, "%s H100-mo, %s this tick", fw_vfmt_count(total_q, q, sizeof q),
             fw_vfmt_money(total_d, m, sizeof m));
    float top = s_panel_title(d, r, "Compute purchases", f ? buf : NULL) + pad;
    float lh = (float)s_line_h(d, F_SMALL);

    /* Family legend at the bottom. */
    float ly = (float)(r->y + r->h) - pad - lh, lx = (float)r->x + 1.5f * pad;
    for (size_t k = 0; k < fw_vmodel_n_keys(vm, FW_SHARE_CHIP); k++) {
        const char *label = fw_vmodel_key_label(vm, FW_SHARE_CHIP, k);
        float need = lh + (float)s_text_w(d, F_SMALL, label) + 1.6f * pad;
        if (lx + need > (float)(r->x + r->w)) {
            lx = (float)r->x + 1.5f * pad;
            ly -= lh;
        }
        s_rect(d, lx, ly + lh * 0.2f, lh * 0.8f, lh * 0.6f, s_rgb(fw_vpalette_family(k), 255));
        lx += lh * 0.8f + pad * 0.4f;
        lx += (float)s_text(d, F_SMALL, label, lx, ly, C_TEXT, AL_LEFT) + 1.2f * pad;
    }
    float bottom = ly - pad;
    if (!f || n_flows == 0 || total_q <= 0) {
        s_text(d, F_NORMAL, "no compute bought this tick", (float)r->x + (float)r->w / 2,
               (top + bottom) / 2, C_MUTED, AL_CENTER | AL_MIDDLE);
        return;
    }

    /* Bars: clouds on the left, labs on the right, each as tall as its compute. */
    size_t n = f->n_nodes;
    double *qn = calloc(n, sizeof *qn), *dn = calloc(n, sizeof *dn);
    float *off_l = calloc(n, sizeof *off_l), *off_r = calloc(n, sizeof *off_r);
    float *bar_y = calloc(n, sizeof *bar_y);
    s_ribbon_t *rib = calloc(n_flows, sizeof *rib);
    if (!qn || !dn || !off_l || !off_r || !bar_y || !rib)
        goto out;
    size_t n_left = 0, n_right = 0;
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        if (ed->kind != FW_EDGE_COMPUTE)
            continue;
        if (qn[ed->to] == 0)
            n_left++;
        if (qn[ed->from] == 0)
            n_right++;
        qn[ed->to] += ed->quantity;
        qn[ed->from] += ed->quantity;
        dn[ed->to] += ed->dollars;
        dn[ed->from] += ed->dollars;
    }
    float h_avail = bottom - top;
    size_t most = n_left > n_right ? n_left : n_right;
    /* Gaps between bars take at most a fifth of the height, so that 40 labs still
     * leave room for the flows. */
    float gap = fminf(6 * s, most > 1 ? 0.2f * h_avail / (float)(most - 1) : 6 * s);
    float k = (h_avail - gap * (float)(most ? most - 1 : 0)) / (float)total_q;
    if (k <= 0)
        goto out;
    /* Room for the labels: the widest on each side, at most a third of the panel. */
    float lw_l = 0, lw_r = 0, bar_w = 12 * s;
    for (size_t i = 0; i < n; i++) {
        if (qn[i] <= 0)
            continue;
        snprintf(buf, sizeof buf, "%s H100-mo, %s", fw_vfmt_count(qn[i], q, sizeof q),
                 fw_vfmt_money(dn[i], m, sizeof m));
        float tw = fmaxf((float)s_text_w(d, F_SMALL, buf),
                         (float)s_text_w(d, F_BOLD, fw_vmodel_node(vm, i)->label));
        if (fw_vmodel_node(vm, i)->role == FW_VROLE_CLOUD)
            lw_l = fmaxf(lw_l, tw);
        else
            lw_r = fmaxf(lw_r, tw);
    }
    lw_l = fminf(lw_l + pad, (float)r->w / 3);
    lw_r = fminf(lw_r + pad, (float)r->w / 3);
    float xl = (float)r->x + pad + lw_l, xr = (float)(r->x + r->w) - pad - lw_r - bar_w;
    /* Stack each side top-down in node order, centred vertically. */
    for (int side = 0; side < 2; side++) {
        int role = side == 0 ? FW_VROLE_CLOUD : FW_VROLE_LAB;
        size_t cnt = side == 0 ? n_left : n_right;
        float used = (float)total_q * k + gap * (float)(cnt ? cnt - 1 : 0);
        float y = top + (h_avail - used) / 2;
        for (size_t i = 0; i < n; i++) {
            if (fw_vmodel_node(vm, i)->role != role || qn[i] <= 0)
                continue;
            bar_y[i] = y;
            y += (float)qn[i] * k + gap;
        }
    }
    /* Ribbons: on the cloud side in (lab, family) order, on the lab side in (cloud,
     * family) order, which keeps crossings few. Edges are sorted by (lab, cloud, family). */
    size_t nr = 0;
    for (size_t e = 0; e < f->n_edges; e++)
        if (f->edges[e].kind == FW_EDGE_COMPUTE)
            rib[nr++].e = &f->edges[e];
    for (size_t i = 0; i < nr; i++) { /* lab side: edges are already lab-major */
        const fw_vedge_t *ed = rib[i].e;
        float hgt = (float)ed->quantity * k;
        rib[i].y0r = bar_y[ed->from] + off_r[ed->from];
        rib[i].y1r = rib[i].y0r + hgt;
        off_r[ed->from] += hgt;
    }
    for (size_t c = 0; c < n; c++) { /* cloud side: walk labs in order for each cloud */
        if (fw_vmodel_node(vm, c)->role != FW_VROLE_CLOUD || qn[c] <= 0)
            continue;
        for (size_t i = 0; i < nr; i++) {
            if ((size_t)rib[i].e->to != c)
                continue;
            float hgt = (float)rib[i].e->quantity * k;
            rib[i].y0l = bar_y[c] + off_l[c];
            rib[i].y1l = rib[i].y0l + hgt;
            off_l[c] += hgt;
        }
    }
    long hover = -1;
    float mx = (float)o->mouse_x, my = (float)o->mouse_y;
    float x0 = xl + bar_w, x1 = xr;
    for (size_t i = 0; i < nr; i++) {
        SDL_Color c = s_flat(s_rgb(fw_vpalette_family((size_t)rib[i].e->family), 150));
        s_ribbon_spans(d, x0, x1, rib[i].y0l, rib[i].y0r, rib[i].y1l - rib[i].y0l, c);
        if (mx >= x0 && mx <= x1) {
            float t = (mx - x0) / (x1 - x0), sm = t * t * (3 - 2 * t);
            float yt = rib[i].y0l + (rib[i].y0r - rib[i].y0l) * sm;
            float yb = rib[i].y1l + (rib[i].y1r - rib[i].y1l) * sm;
            if (my >= yt - 1 && my <= yb + 1)
                hover = (long)i;
        }
    }
    if (hover >= 0) {
        const fw_vedge_t *ed = rib[hover].e;
        s_tip_add(d, "%s buys from %s", fw_vmodel_node(vm, (size_t)ed->from)->name,
                  fw_vmodel_node(vm, (size_t)ed->to)->name);
        s_tip_add(d, "on %s: %s H100-mo for %s",
                  fw_vmodel_key_label(vm, FW_SHARE_CHIP, (size_t)ed->family),
                  fw_vfmt_count(ed->quantity, q, sizeof q), fw_vfmt_money(ed->dollars, m, sizeof m));
        if (ed->quantity > 0)
            s_tip_add(d, "%s per H100-month", fw_vfmt_money(ed->dollars / ed->quantity, m, sizeof m));
        d->tip_swatch = s_rgb(fw_vpalette_family((size_t)ed->family), 255);
        d->tip_has_swatch = 1;
    }
    /* Bars and their labels. */
    for (size_t i = 0; i < n; i++) {
        if (qn[i] <= 0)
            continue;
        const fw_vnode_t *nd = fw_vmodel_node(vm, i);
        int left = nd->role == FW_VROLE_CLOUD;
        float bx = left ? xl : xr, hgt = (float)qn[i] * k;
        s_rect(d, bx, bar_y[i], bar_w, hgt < 1 ? 1 : hgt, s_rgb(fw_vmodel_node_color(vm, i), 255));
        float tx = left ? bx - pad * 0.7f : bx + bar_w + pad * 0.7f;
        int al = left ? AL_RIGHT : AL_LEFT;
        float cy = bar_y[i] + hgt / 2;
        snprintf(buf, sizeof buf, "%s H100-mo, %s", fw_vfmt_count(qn[i], q, sizeof q),
                 fw_vfmt_money(dn[i], m, sizeof m));
        if (hgt >= 2 * lh) {
            s_text(d, F_BOLD, nd->label, tx, cy, C_TEXT, al | AL_BOTTOM);
            s_text(d, F_SMALL, buf, tx, cy, C_MUTED, al | AL_TOP);
        } else if (hgt >= lh * 0.6f || most <= 12) {
            s_text(d, F_SMALL, nd->label, tx, cy, C_TEXT, al | AL_MIDDLE);
        }
    }
out:
    free(qn);
    free(dn);
    free(off_l);
    free(off_r);
    free(bar_y);
    free(rib);
}

/* --- market shares ------------------------------------------------------------------- */

static const char *s_share_title(int i)
{
    static const char *t[] = {"Cloud share of AI compute", "Chip families, installed base",
                              "Lab revenue share"};
    return t[i];
}

/* x of a tick in a share chart: the whole run from tick 1 to its last tick. */
static float s_tick_x(const fw_rect_t *pl, uint32_t tick, uint32_t t_end)
{
    if (t_end <= 1)
        return (float)pl->x;
    return (float)pl->x + (float)pl->w * (float)(tick - 1) / (float)(t_end - 1);
}

static uint32_t s_run_end(const fw_vmodel_t *vm)
{
    size_t n = fw_vmodel_n_frames(vm);
    if (n == 0)
        return 1;
    const fw_vframe_t *last = fw_vmodel_frame(vm, n - 1);
    return last->ticks > last->tick ? last->ticks : last->tick;
}

/* Year labels under an axis from x0 to x0+w for ticks 1..t_end. */
static void s_time_axis(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_rect_t *pl, float y,
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
        float x = s_tick_x(pl, t, t_end);
        snprintf(lbl, sizeof lbl, "%d", m / 12);
        float w = (float)s_text_w(d, F_SMALL, lbl);
        if (x - last_x < w * 1.5f || x + w / 2 > (float)(pl->x + pl->w) + w * 0.3f)
            continue;
        s_line(d, x, y, x, y + 3 * (float)d->p.scale, 1.2f, c);
        s_text(d, F_SMALL, lbl, x, y + 3 * (float)d->p.scale, c, AL_CENTER);
        last_x = x;
    }
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
        SDL_Color c = s_rgb(fw_vmodel_key_color(vm, (fw_share_set_t)set, k), 255);
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
            float x = s_tick_x(&pl, f->tick, t_end);
            float yb = (float)(pl.y + pl.h) - base * (float)pl.h;
            float yt = (float)(pl.y + pl.h) - top * (float)pl.h;
            if (have && (top > base || phi > plo)) /* opaque: overlap 1 px, no seams */
                s_quad(d, px - 1, phi, x, yt, x, yb, px - 1, plo, c);
            px = x;
            plo = yb;
            phi = yt;
            have = 1;
            if (i + stride >= nf && i != nf - 1)
                i = nf - 1 - stride; /* always draw the newest frame */
        }
    }
    free(lo);
    return any;
}

static void s_share_chart(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, int set,
                          const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.shares[set];
    fw_rect_t pl = fw_vpanels_share_plot(&d->p, set);
    float s = (float)d->p.scale, pad = (float)d->p.pad;
    size_t nf = fw_vmodel_n_frames(vm), nk = fw_vmodel_n_keys(vm, (fw_share_set_t)set);
    s_panel(d, r);
    s_panel_title(d, r, s_share_title(set), NULL);
    if (pl.w < 20 || pl.h < 20)
        return;
    uint32_t t_end = s_run_end(vm);
    s_rect(d, (float)pl.x, (float)pl.y, (float)pl.w, (float)pl.h, (SDL_Color){0xf6, 0xf8, 0xfb, 255});

    /* The areas change only when the history does: they are drawn once into a
     * texture and copied every frame after that. */
    s_area_cache_t *ac = &d->areas[set];
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
            s_flush(d);
            SDL_SetRenderTarget(d->r, ac->tex);
            SDL_SetRenderDrawBlendMode(d->r, SDL_BLENDMODE_NONE);
            SDL_SetRenderDrawColor(d->r, 0xf6, 0xf8, 0xfb, 255);
            SDL_RenderClear(d->r);
            ac->any = s_share_areas(d, vm, set, &local, t_end);
            s_flush(d);
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
        s_flush(d);
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
            s_line(d, (float)pl.x, y, (float)(pl.x + pl.w), y, 1, (SDL_Color){255, 255, 255, 110});
        if (g % 2 == 0) {
            char lbl[8];
            snprintf(lbl, sizeof lbl, "%d%%", g * 25);
            s_text(d, F_SMALL, lbl, (float)(pl.x + pl.w) + pad * 0.5f, y, C_MUTED, AL_LEFT | AL_MIDDLE);
        }
    }
    s_time_axis(d, vm, &pl, (float)(pl.y + pl.h), t_end, C_MUTED);
    if (!any && nf > 0)
        s_text(d, F_SMALL, "no shares yet", (float)pl.x + (float)pl.w / 2, (float)pl.y + (float)pl.h / 2,
               C_MUTED, AL_CENTER | AL_MIDDLE);

    /* Cursor, and the shares at the cursor written inside their bands. */
    if (cur >= 0) {
        const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)cur);
        float x = s_tick_x(&pl, f->tick, t_end);
        s_line(d, x, (float)pl.y - 2 * s, x, (float)(pl.y + pl.h), 2 * s, C_TEXT);
        float lh = (float)s_line_h(d, F_SMALL);
        int right = x < (float)pl.x + (float)pl.w * 0.6f;
        float acc = 0;
        for (size_t k = 0; k < nk; k++) {
            double v = fw_vframe_share(f, (fw_share_set_t)set, k);
            float base = acc;
            acc = fminf(1.0f, acc + (float)v);
            float band = (acc - base) * (float)pl.h;
            if (band < lh * 0.95f)
                continue;
            char lbl[64], pc[16];
            snprintf(lbl, sizeof lbl, "%s %s", fw_vmodel_key_label(vm, (fw_share_set_t)set, k),
                     fw_vfmt_percent(v, pc, sizeof pc));
            float y = (float)(pl.y + pl.h) - (base + acc) / 2 * (float)pl.h;
            SDL_Color bg = s_rgb(fw_vmodel_key_color(vm, (fw_share_set_t)set, k), 255);
            s_text(d, F_SMALL, lbl, right ? x + 4 * s : x - 4 * s, y, s_on(bg),
                   (right ? AL_LEFT : AL_RIGHT) | AL_MIDDLE);
        }
    }
    /* Hover: every key's share at the tick under the mouse. */
    if (fw_rect_contains(&pl, o->mouse_x, o->mouse_y) && nf > 0) {
        long t = lroundf((float)(o->mouse_x - pl.x) / (float)pl.w * (float)(t_end - 1)) + 1;
        long i = fw_vmodel_find_tick(vm, (uint32_t)(t < 1 ? 1 : t));
        if (i >= 0) {
            const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)i);
            char month[32], pc[16];
            s_tip_add(d, "%s, %s", s_share_title(set), fw_vfmt_month(f->month, month, sizeof month));
            for (size_t k = nk; k-- > 0;) { /* top band first, as on screen */
                double v = fw_vframe_share(f, (fw_share_set_t)set, k);
                if (v > 0)
                    s_tip_add(d, "%-14s %s", fw_vmodel_key_label(vm, (fw_share_set_t)set, k),
                              fw_vfmt_percent(v, pc, sizeof pc));
            }
            d->tip_has_swatch = 0;
            s_line(d, (float)o->mouse_x, (float)pl.y, (float)o->mouse_x, (float)(pl.y + pl.h), 1,
                   (SDL_Color){0x1c, 0x25, 0x33, 90});
        }
    }
}

/* --- scrub bar ---------------------------------------------------------------------- */

static void s_scrub(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, const fw_vdraw_opts_t *o)
{
    const fw_rect_t *r = &d->p.scrub;
    float s = (float)d->p.scale, pad = (float)d->p.pad;
    size_t nf = fw_vmodel_n_frames(vm);
    uint32_t t_end = s_run_end(vm);
    fw_rect_t track = {r->x + (int)(pad * 2), r->y + (int)(4 * s), r->w - (int)(pad * 4), (int)(8 * s)};
    s_rect(d, (float)track.x, (float)track.y, (float)track.w, (float)track.h, C_BORDER);
    if (nf > 0) {
        float a = s_tick_x(&track, fw_vmodel_frame(vm, 0)->tick, t_end);
        float b = s_tick_x(&track, fw_vmodel_frame(vm, nf - 1)->tick, t_end);
        s_rect(d, a, (float)track.y, fmaxf(b - a, 2 * s), (float)track.h, (SDL_Color){0x8f, 0xa8, 0xc8, 255});
    }
    s_time_axis(d, vm, &track, (float)(track.y + track.h) + 1, t_end, C_MUTED);
    if (cur >= 0) {
        const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)cur);
        float x = s_tick_x(&track, f->tick, t_end);
        s_rect(d, (float)track.x, (float)track.y, x - (float)track.x, (float)track.h,
               (SDL_Color){0x25, 0x6f, 0xd8, 255});
        s_disc(d, x, (float)track.y + (float)track.h / 2, 9 * s, (SDL_Color){255, 255, 255, 255});
        s_disc(d, x, (float)track.y + (float)track.h / 2, 7 * s, (SDL_Color){0x25, 0x6f, 0xd8, 255});
    }
    fw_rect_t hit = {r->x, r->y, r->w, r->h};
    long i = fw_rect_contains(&hit, o->mouse_x, o->mouse_y) ? fw_vdraw_frame_at(d, vm, o->mouse_x, o->mouse_y) : -1;
    if (i >= 0) {
        char month[32];
        const fw_vframe_t *f = fw_vmodel_frame(vm, (size_t)i);
        s_tip_add(d, "%s (tick %u): click or drag to go there",
                  fw_vfmt_month(f->month, month, sizeof month), f->tick);
        d->tip_has_swatch = 0;
    }
}

long fw_vdraw_frame_at(const fw_vdraw_t *d, const fw_vmodel_t *vm, int x, int y)
{
    size_t nf = fw_vmodel_n_frames(vm);
    if (nf == 0)
        return -1;
    uint32_t t_end = s_run_end(vm);
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

/* --- overlays ----------------------------------------------------------------------- */

static void s_tooltip(fw_vdraw_t *d, int mx, int my, int w, int h)
{
    if (d->n_tip == 0)
        return;
    float pad = (float)d->p.pad, lh = (float)s_line_h(d, F_NORMAL), tw = 0;
    for (int i = 0; i < d->n_tip; i++) {
        float lw = (float)s_text_w(d, i == 0 ? F_BOLD : F_NORMAL, d->tip[i]);
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
    s_rect(d, x + 3, y + 3, bw, bh, (SDL_Color){0, 0, 0, 40});
    s_rect(d, x, y, bw, bh, C_HEADER);
    float ty = y + 0.75f * pad;
    for (int i = 0; i < d->n_tip; i++) {
        float tx = x + pad;
        if (i == 0 && d->tip_has_swatch) {
            s_rect(d, tx, ty + lh * 0.2f, lh * 0.6f, lh * 0.6f, d->tip_swatch);
            tx += lh;
        }
        s_text(d, i == 0 ? F_BOLD : F_NORMAL, d->tip[i], tx, ty,
               i == 0 ? (SDL_Color){255, 255, 255, 255} : (SDL_Color){0xd5, 0xdd, 0xe8, 255}, AL_LEFT);
        ty += lh;
    }
}

static void s_help(fw_vdraw_t *d, int w, int h)
{
    static const char *keys[][2] = {
        {"Space", "pause / resume playback (a live viewer keeps receiving)"},
        {"Left / Right", "step one tick back / forward (Shift: a year)"},
        {"Home / End", "first tick / newest tick"},
        {"scrub bar, charts", "click or drag to move through time"},
        {"+ / -", "faster / slower playback"},
        {"1  2  3", "enlarge alliances / purchases / shares (again: all)"},
        {"f", "full screen on / off"},
        {"s", "save a screenshot (PNG, current directory)"},
        {"mouse over", "a node, a link, a flow or a chart: its figures"},
        {"h", "this help"},
        {"q / Esc", "quit"},
    };
    size_t n = sizeof keys / sizeof keys[0];
    float pad = (float)d->p.pad, lh = (float)s_line_h(d, F_NORMAL) * 1.25f;
    float kw = 0, dw = 0;
    for (size_t i = 0; i < n; i++) {
        kw = fmaxf(kw, (float)s_text_w(d, F_BOLD, keys[i][0]));
        dw = fmaxf(dw, (float)s_text_w(d, F_NORMAL, keys[i][1]));
    }
    float bw = kw + dw + 6 * pad, bh = lh * (float)(n + 2) + 3 * pad;
    float x = ((float)w - bw) / 2, y = ((float)h - bh) / 2;
    s_rect(d, 0, 0, (float)w, (float)h, (SDL_Color){0x10, 0x18, 0x24, 120});
    s_rect(d, x, y, bw, bh, C_HEADER);
    s_text(d, F_LARGE, "Keys", x + 2 * pad, y + 1.5f * pad, (SDL_Color){255, 255, 255, 255}, AL_LEFT);
    for (size_t i = 0; i < n; i++) {
        float ty = y + 1.5f * pad + lh * (float)(i + 1.5);
        s_text(d, F_BOLD, keys[i][0], x + 2 * pad, ty, (SDL_Color){0x9f, 0xc3, 0xff, 255}, AL_LEFT);
        s_text(d, F_NORMAL, keys[i][1], x + 4 * pad + kw, ty, (SDL_Color){0xe8, 0xee, 0xf5, 255}, AL_LEFT);
    }
}

static void s_toast(fw_vdraw_t *d, const char *msg, int w, int h)
{
    float pad = (float)d->p.pad, lh = (float)s_line_h(d, F_NORMAL);
    float tw = (float)s_text_w(d, F_NORMAL, msg);
    float x = (float)w - tw - 4 * pad, y = (float)h - d->p.scrub.h - lh - 4 * pad;
    s_rect(d, x - pad, y - pad / 2, tw + 2 * pad, lh + pad, (SDL_Color){0x1f, 0x9d, 0x55, 235});
    s_text(d, F_NORMAL, msg, x, y, (SDL_Color){255, 255, 255, 255}, AL_LEFT);
}

/* --- the frame ----------------------------------------------------------------------- */

int fw_vdraw_frame(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vdraw_opts_t *o, int w, int h,
                   char *err, size_t err_len)
{
    fw_vpanels_compute(w, h, o->enlarged, &d->p);
    if (s_fonts_open(d, &d->p, err, err_len) != 0)
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
    const char *notice = s_header(d, vm, f, o);
    if (d->p.graph.w > 0)
        s_graph(d, vm, f, o);
    if (d->p.purchases.w > 0)
        s_purchases(d, vm, f, o);
    for (int i = 0; i < 3; i++)
        if (d->p.shares[i].w > 0)
            s_share_chart(d, vm, cur, i, o);
    s_scrub(d, vm, cur, o);
    if (!f) {
        const char *msg = o->source && *o->source ? o->source : "no data";
        s_text(d, F_LARGE, "waiting for the first snapshot", (float)w / 2, (float)h / 2 - 20 * (float)d->p.scale,
               C_TEXT, AL_CENTER | AL_MIDDLE);
        s_text(d, F_NORMAL, msg, (float)w / 2, (float)h / 2 + 14 * (float)d->p.scale, C_MUTED,
               AL_CENTER | AL_MIDDLE);
    }
    if (notice)
        s_notice(d, notice, o->header->tone);
    if (o->help)
        s_help(d, w, h);
    else
        s_tooltip(d, o->mouse_x, o->mouse_y, w, h);
    if (o->toast && *o->toast)
        s_toast(d, o->toast, w, h);
    s_flush(d);
    s_cache_trim(d);
    if (d->err) {
        snprintf(err, err_len, "drawing failed: %s", SDL_GetError());
        return -1;
    }
    return 0;
}
