/* fw_vdraw_prim: colours, fonts and cached text, batched shapes, panels and tooltip
 * lines for the views of fw_vdraw_*.c. See fw_vdraw_prim.h. */
#include "fw_vdraw_prim.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_KEEP 1200    /* entries kept when trimming */

/* --- colours ---------------------------------------------------------------------- */

SDL_Color vd_rgb(fw_rgb_t c, uint8_t a) { return (SDL_Color){c.r, c.g, c.b, a}; }

SDL_Color vd_flat(SDL_Color c)
{
    double a = c.a / 255.0;
    return (SDL_Color){(uint8_t)lround(c.r * a + 255 * (1 - a)), (uint8_t)lround(c.g * a + 255 * (1 - a)),
                       (uint8_t)lround(c.b * a + 255 * (1 - a)), 255};
}

SDL_Color vd_on(SDL_Color bg)
{
    return vd_rgb(fw_vtext_on((fw_rgb_t){bg.r, bg.g, bg.b}), 255);
}

/* --- fonts ------------------------------------------------------------------------- */

void vd_cache_clear(fw_vdraw_t *d)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        free(d->cache[i].text);
        if (d->cache[i].tex)
            SDL_DestroyTexture(d->cache[i].tex);
        memset(&d->cache[i], 0, sizeof d->cache[i]);
    }
    d->cache_n = 0;
}

void vd_fonts_close(fw_vdraw_t *d)
{
    for (int i = 0; i < N_FONTS; i++) {
        if (d->font[i])
            TTF_CloseFont(d->font[i]);
        d->font[i] = NULL;
        d->font_px[i] = 0;
    }
}

/* Opens the fonts at the sizes the panels ask for; a no-op when they already match. */
int vd_fonts_open(fw_vdraw_t *d, const fw_vpanels_t *p, char *err, size_t err_len)
{
    int want[N_FONTS] = {p->font_small, p->font_normal, p->font_normal, p->font_large};
    int same = 1;
    for (int i = 0; i < N_FONTS; i++)
        same &= d->font[i] && d->font_px[i] == want[i];
    if (same)
        return 0;
    vd_fonts_close(d);
    vd_cache_clear(d);
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

/* --- triangles ----------------------------------------------------------------------- */

void vd_flush(fw_vdraw_t *d)
{
    if (d->nv > 0) {
        /* Opaque batches skip blending: SDL's software renderer is much faster then. */
        SDL_SetRenderDrawBlendMode(d->r, d->batch_opaque ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
        if (SDL_RenderGeometry(d->r, NULL, d->v, d->nv, NULL, 0) != 0)
            d->err = 1;
    }
    d->nv = 0;
}

void vd_tri(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float x2, float y2,
            SDL_Color c)
{
    int opaque = c.a == 255;
    if (d->nv > 0 && opaque != d->batch_opaque)
        vd_flush(d);
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

void vd_quad(fw_vdraw_t *d, float ax, float ay, float bx, float by, float cx, float cy,
             float dx, float dy, SDL_Color c)
{
    vd_tri(d, ax, ay, bx, by, cx, cy, c);
    vd_tri(d, ax, ay, cx, cy, dx, dy, c);
}

/* Axis-aligned rectangles go to SDL_RenderFillRect: a row fill, not a triangle raster. */
void vd_rect(fw_vdraw_t *d, float x, float y, float w, float h, SDL_Color c)
{
    if (w <= 0 || h <= 0)
        return;
    vd_flush(d);
    SDL_FRect rc = {x, y, w, h};
    SDL_SetRenderDrawBlendMode(d->r, c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND);
    SDL_SetRenderDrawColor(d->r, c.r, c.g, c.b, c.a);
    if (SDL_RenderFillRectF(d->r, &rc) != 0)
        d->err = 1;
}

void vd_line(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float width,
             SDL_Color c)
{
    float dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len <= 0.01f)
        return;
    float nx = -dy / len * width / 2, ny = dx / len * width / 2;
    vd_quad(d, x0 + nx, y0 + ny, x1 + nx, y1 + ny, x1 - nx, y1 - ny, x0 - nx, y0 - ny, c);
}

/* A polyline; dash > 0 draws dashes of that length with equal gaps. A solid line is
 * one strip with mitred joins, so that a translucent line has no darker overlaps. */
void vd_polyline(fw_vdraw_t *d, const float *x, const float *y, int n, float width,
                 SDL_Color c, float dash)
{
    if (dash <= 0 && width <= 2.0f && n <= 128) {
        /* A hairline: SDL's line drawing is far cheaper than thin triangles, whose
         * bounding boxes the software renderer scans pixel by pixel. */
        SDL_FPoint pts[128];
        for (int i = 0; i < n; i++)
            pts[i] = (SDL_FPoint){x[i], y[i]};
        vd_flush(d);
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
                vd_quad(d, pxl, pyl, lx, ly, rx, ry, pxr, pyr, c);
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
            vd_line(d, x[i] + dx * ta, y[i] + dy * ta, x[i] + dx * tb, y[i] + dy * tb, width, c);
        }
        s0 = s1;
    }
}

void vd_ellipse(fw_vdraw_t *d, float cx, float cy, float rx, float ry, float width,
                SDL_Color c)
{
    enum { N = 96 };
    float x[N + 1], y[N + 1];
    for (int i = 0; i <= N; i++) {
        double a = 2 * VD_PI * i / N;
        x[i] = cx + rx * (float)cos(a);
        y[i] = cy + ry * (float)sin(a);
    }
    vd_polyline(d, x, y, N + 1, width, c, 0);
}

/* --- textures: discs and text ------------------------------------------------------- */

void vd_disc(fw_vdraw_t *d, float cx, float cy, float r, SDL_Color c)
{
    SDL_FRect dst = {cx - r, cy - r, 2 * r, 2 * r};
    vd_flush(d);
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
void vd_cache_trim(fw_vdraw_t *d)
{
    if (d->cache_n < CACHE_SLOTS / 2)
        return;
    /* Keep what this frame used; rebuild the table without the rest (open addressing
     * cannot just blank slots). */
    vd_text_t *keep = malloc(sizeof *keep * CACHE_KEEP);
    size_t nk = 0;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        vd_text_t *e = &d->cache[i];
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
static vd_text_t *s_text_get(fw_vdraw_t *d, int f, const char *text, SDL_Color c)
{
    uint32_t rgba = ((uint32_t)c.r << 24) | ((uint32_t)c.g << 16) | ((uint32_t)c.b << 8) | c.a;
    uint32_t h = s_hash(text, f, rgba) & (CACHE_SLOTS - 1);
    while (d->cache[h].text) {
        vd_text_t *e = &d->cache[h];
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
    vd_text_t *e = &d->cache[h];
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

/* Draws text anchored at (x, y) by `align`; returns its width (0 for empty text). */
int vd_text(fw_vdraw_t *d, int f, const char *text, float x, float y, SDL_Color c,
            int align)
{
    if (!text || !*text)
        return 0;
    vd_text_t *e = s_text_get(d, f, text, c);
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
    vd_flush(d);
    if (SDL_RenderCopyF(d->r, e->tex, NULL, &dst) != 0)
        d->err = 1;
    return e->w;
}

/* Width of text in font f: from the cache (measuring with SDL_ttf shapes the text
 * every time, which costs more than the texture it would draw). */
int vd_text_w(fw_vdraw_t *d, int f, const char *text)
{
    if (!text || !*text)
        return 0;
    vd_text_t *e = s_text_get(d, f, text, C_TEXT);
    return e ? e->w : 0;
}

static float s_size_w(fw_vdraw_t *d, int f, const char *text)
{
    int w = 0, h = 0;
    if (TTF_SizeUTF8(d->font[f], text, &w, &h) != 0)
        return 0;
    return (float)w;
}

int vd_wrap(fw_vdraw_t *d, int f, const char *text, float maxw, char *lines, int max, size_t cap)
{
    /* Words are measured one at a time and added up (kerning across a space is
     * nothing), so a long list costs one measure per word, not one per prefix. */
    float space = s_size_w(d, f, " ");
    int n = 0;
    const char *p = text;
    char word[160];
    while (*p && n < max) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        char *line = lines + (size_t)n * cap;
        size_t len = 0;
        float w = 0;
        line[0] = '\0';
        while (*p) {
            const char *q = p;
            while (*q == ' ')
                q++;
            const char *e = q;
            while (*e && *e != ' ')
                e++;
            size_t wl = (size_t)(e - q);
            if (wl >= sizeof word)
                wl = sizeof word - 1;
            memcpy(word, q, wl);
            word[wl] = '\0';
            float ww = s_size_w(d, f, word), add = (len ? space : 0) + ww;
            if (len && (w + add > maxw || len + 1 + wl >= cap))
                break;
            if (!len && wl >= cap)
                wl = cap - 1;
            if (len)
                line[len++] = ' ';
            memcpy(line + len, word, wl);
            len += wl;
            line[len] = '\0';
            w += add;
            p = e;
        }
        n++;
        while (*p == ' ')
            p++;
        if (n == max && *p) { /* the text goes on: end the last line in "..." */
            size_t l = strlen(line);
            while (l > 0) {
                if (l + 4 <= cap) {
                    memcpy(line + l, "...", 4);
                    if (s_size_w(d, f, line) <= maxw)
                        break;
                }
                line[--l] = '\0';
            }
        }
    }
    return n;
}

int vd_line_h(const fw_vdraw_t *d, int f) { return TTF_FontLineSkip(d->font[f]); }

/* --- panels ------------------------------------------------------------------------- */

void vd_panel(fw_vdraw_t *d, const fw_rect_t *r)
{
    float b = (float)(d->p.scale < 1 ? 1 : d->p.scale);
    vd_rect(d, (float)r->x, (float)r->y, (float)r->w, (float)r->h, C_BORDER);
    vd_rect(d, (float)r->x + b, (float)r->y + b, (float)r->w - 2 * b, (float)r->h - 2 * b, C_PANEL);
}

/* Title and subtitle at the top-left of a panel; returns the y below them. */
float vd_panel_title(fw_vdraw_t *d, const fw_rect_t *r, const char *title,
                     const char *sub)
{
    float x = (float)(r->x + d->p.pad + d->p.pad / 2), y = (float)(r->y + d->p.pad / 2);
    int tw = vd_text(d, F_BOLD, title, x, y, C_TEXT, AL_LEFT);
    if (sub && *sub)
        vd_text(d, F_SMALL, sub, x + (float)tw + (float)d->p.pad,
                y + (float)(vd_line_h(d, F_BOLD) - vd_line_h(d, F_SMALL)) * 0.7f, C_MUTED, AL_LEFT);
    return y + (float)vd_line_h(d, F_BOLD);
}

void vd_tip_add(fw_vdraw_t *d, const char *fmt, ...)
{
    va_list ap;
    if (d->n_tip >= MAX_TIP_LINES)
        return;
    va_start(ap, fmt);
    vsnprintf(d->tip[d->n_tip++], sizeof d->tip[0], fmt, ap);
    va_end(ap);
}

