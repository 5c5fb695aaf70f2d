/* fw_vdraw_prim: the drawer's state and the primitives every view draws with (batched
 * triangles, rectangles, lines, discs, cached text, panels, tooltip lines), shared by
 * the fw_vdraw_*.c files and no one else. The public interface stays fw_vdraw_sdl.h.
 *
 * One drawer draws one frame at a time: fw_vdraw_frame (fw_vdraw_sdl.c) clears it, each
 * view draws its panel through these calls, and the frame ends with vd_flush. Shapes
 * are batched: lines, ribbons, areas and arrowheads become triangles in one vertex array
 * that goes to SDL_RenderGeometry in a single call before any texture (text, discs) is
 * drawn over them, which keeps the software renderer fast. A failed SDL call sets
 * d->err and drawing goes on; the frame reports it at the end.
 */
#ifndef FW_VDRAW_PRIM_H
#define FW_VDRAW_PRIM_H

#include <stddef.h>
#include <stdint.h>

#include <SDL.h>
#include <SDL_ttf.h>

#include "fw_vdraw_sdl.h"
#include "fw_vlayout.h"
#include "fw_vmodel.h"
#include "fw_vpanels.h"

#define VD_PI 3.14159265358979323846

enum { F_SMALL = 0, F_NORMAL = 1, F_BOLD = 2, F_LARGE = 3, N_FONTS = 4 };

/* Where vd_text anchors its text: one horizontal and one vertical value, or-ed. */
enum { AL_LEFT = 0, AL_CENTER = 1, AL_RIGHT = 2, AL_TOP = 0, AL_MIDDLE = 4, AL_BOTTOM = 8 };

#define CACHE_SLOTS 4096   /* power of two; open addressing */
#define BEZ_N 18           /* segments of a curved edge */
#define MAX_TIP_LINES 24

typedef struct {
    char *text;            /* owned; NULL = empty slot */
    int font;
    uint32_t rgba;
    SDL_Texture *tex;      /* owned */
    int w, h;
    unsigned long used;    /* frame number of the last use */
} vd_text_t;

typedef struct {
    float x, y, w, h;
} vd_box_t;

typedef struct {
    SDL_Texture *tex;      /* owned; NULL until first drawn */
    int w, h;              /* plot size it was drawn for */
    const void *vm;        /* model, its generation, history extent and keys it shows */
    unsigned generation;
    size_t n_frames, n_keys;
    uint32_t first, last, t_end;
    int any;               /* some share above 0 */
} vd_area_cache_t;

typedef struct {
    float x[BEZ_N + 1], y[BEZ_N + 1];
    float width;
    int link;              /* index into d->links */
} vd_edge_hit_t;

struct fw_vdraw {
    SDL_Renderer *r;                 /* not owned */
    char font_path[1024];
    char bold_path[1024];            /* "" when the family has no bold file */
    TTF_Font *font[N_FONTS];         /* owned; sizes from the panels */
    int font_px[N_FONTS];
    vd_text_t cache[CACHE_SLOTS];    /* rendered strings */
    size_t cache_n;
    SDL_Texture *disc;               /* white anti-aliased disc, owned */
    unsigned long frame_no;
    SDL_Vertex *v;                   /* pending triangles */
    int nv, cap_v;
    int batch_opaque;                /* the pending triangles are all opaque */
    vd_area_cache_t areas[3];        /* the share charts' areas */
    fw_vpanels_t p;                  /* panels of the last frame */
    /* hit-testing of the last frame */
    float *node_x, *node_y, *node_r; /* per node, r = 0 when not drawn */
    int *label_dir;                  /* per node: where its label went last frame, -1 */
    long focus;                      /* the focused company of the last frame, -1 */
    size_t n_nodes, cap_nodes;       /* nodes drawn in the last frame, room */
    fw_vglink_t *links;              /* the last frame's links (fw_vlinks_aggregate) */
    size_t n_links, cap_links;
    vd_edge_hit_t *edge_hits;
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
static const SDL_Color C_HEADER = {0x1f, 0x2a, 0x3a, 255};
static const SDL_Color C_RED = {0xd0, 0x2b, 0x2b, 255};

/* A palette colour with alpha a. */
SDL_Color vd_rgb(fw_rgb_t c, uint8_t a);

/* The opaque colour that c (translucent) would give over a white panel: opaque shapes
 * cost the software renderer far less than blended ones. */
SDL_Color vd_flat(SDL_Color c);

/* Black or white text, whichever reads better on `bg`. */
SDL_Color vd_on(SDL_Color bg);

/* --- fonts and the text cache ------------------------------------------------------ */

/* Opens the fonts at the sizes the panels ask for; a no-op when they already match.
 * Returns 0, or -1 with err set. */
int vd_fonts_open(fw_vdraw_t *d, const fw_vpanels_t *p, char *err, size_t err_len);
void vd_fonts_close(fw_vdraw_t *d);

/* Frees every cached string; vd_cache_trim drops those not used in this frame when
 * the cache fills up (called once a frame, after drawing). */
void vd_cache_clear(fw_vdraw_t *d);
void vd_cache_trim(fw_vdraw_t *d);

/* --- shapes ------------------------------------------------------------------------ */

/* Sends the pending triangles to the renderer; every texture or rectangle call does
 * this first, so what is drawn later covers what was drawn before. */
void vd_flush(fw_vdraw_t *d);
void vd_tri(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float x2, float y2,
            SDL_Color c);
void vd_quad(fw_vdraw_t *d, float ax, float ay, float bx, float by, float cx, float cy,
             float dx, float dy, SDL_Color c);
/* Axis-aligned rectangles go to SDL_RenderFillRect: a row fill, not a triangle raster. */
void vd_rect(fw_vdraw_t *d, float x, float y, float w, float h, SDL_Color c);
void vd_line(fw_vdraw_t *d, float x0, float y0, float x1, float y1, float width, SDL_Color c);
/* A polyline; dash > 0 draws dashes of that length with equal gaps. */
void vd_polyline(fw_vdraw_t *d, const float *x, const float *y, int n, float width,
                 SDL_Color c, float dash);
void vd_ellipse(fw_vdraw_t *d, float cx, float cy, float rx, float ry, float width,
                SDL_Color c);
/* An anti-aliased disc of radius r (the drawer's disc texture, tinted). */
void vd_disc(fw_vdraw_t *d, float cx, float cy, float r, SDL_Color c);

/* --- text ------------------------------------------------------------------------- */

/* Draws text anchored at (x, y) by `align` (AL_*); returns its width (0 for empty text). */
int vd_text(fw_vdraw_t *d, int f, const char *text, float x, float y, SDL_Color c, int align);
/* Width of text in font f, from the cache. */
int vd_text_w(fw_vdraw_t *d, int f, const char *text);
/* Breaks text into at most max lines no wider than maxw in font f (words kept whole
 * where they fit; the last line ends in "..." when the text does not fit). Writes the
 * lines into lines (max x cap bytes); returns how many. */
int vd_wrap(fw_vdraw_t *d, int f, const char *text, float maxw, char *lines, int max, size_t cap);
/* Line height of font f. */
int vd_line_h(const fw_vdraw_t *d, int f);

/* --- panels and tooltips ------------------------------------------------------------ */

/* A white panel with a border. */
void vd_panel(fw_vdraw_t *d, const fw_rect_t *r);
/* Title and subtitle at the top-left of a panel; returns the y below them. */
float vd_panel_title(fw_vdraw_t *d, const fw_rect_t *r, const char *title, const char *sub);
/* Adds a line to this frame's tooltip (at most MAX_TIP_LINES; more are dropped). */
void vd_tip_add(fw_vdraw_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
