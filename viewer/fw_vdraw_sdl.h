/* fw_vdraw_sdl: draws the viewer's window (header, alliance graph, compute purchases,
 * market shares, scrub bar, tooltips, help) from the view model onto an SDL renderer.
 *
 * The same code draws into a window and into an offscreen surface (PNG files and the
 * benchmark), so what a report shows is what a projector shows. Everything it draws
 * is laid out by fw_vpanels from the output size, so text grows with the window.
 * Text goes through SDL2_ttf; rendered strings are cached as textures and dropped
 * when unused, so a frame costs a few hundred texture copies, not font rendering.
 */
#ifndef FW_VDRAW_SDL_H
#define FW_VDRAW_SDL_H

#include <stddef.h>

#include "fw_vheader.h"
#include "fw_vmodel.h"
#include "fw_vpanels.h"

typedef struct fw_vdraw fw_vdraw_t;

/* SDL's renderer, named without SDL's headers: callers that only find a font or pass a
 * renderer along need not see SDL. */
struct SDL_Renderer;

/* What to draw besides the model: the view state owned by the caller. */
typedef struct {
    long frame;          /* index of the frame on screen, -1 for none */
    int enlarged;        /* FW_VIEW_* */
    int help;            /* 1: the help overlay */
    int mouse_x, mouse_y;/* hover position, -1 when the mouse is away */
    const fw_vheader_t *header; /* what the header says (fw_vheader_make), or NULL */
    double speed;        /* ticks per second */
    const char *toast;   /* a short message in a corner (screenshot saved), or NULL */
    const char *source;  /* where the data comes from, e.g. the endpoint or the log */
    long focus;          /* the company in focus (node index): its links lit, the rest
                          * dimmed, its figures beside the graph; -1 for none */
    int density;         /* output pixels per pixel seen: the supersampling of a picture,
                          * a HiDPI window's scale; 0 or 1 for one */
} fw_vdraw_opts_t;

/* Looks for a TrueType font: $FW_FONT if set (it must then be readable), else the
 * standard places of Debian's fonts-dejavu-core, fonts-liberation and fonts-freefont
 * (and the same names on other distributions). Writes the path into buf and returns 0,
 * or returns -1 with a message naming the package to install in err. */
int fw_vdraw_find_font(char *buf, size_t len, char *err, size_t err_len);

/* A drawer for renderer r (not owned; it must outlive the drawer) using the font file
 * at font_path. Returns NULL with err set if the font cannot be opened. */
fw_vdraw_t *fw_vdraw_new(struct SDL_Renderer *r, const char *font_path, char *err, size_t err_len);

/* Frees the drawer, its fonts and cached textures; NULL-safe; sets *p to NULL. */
void fw_vdraw_destroy(fw_vdraw_t **p);

/* Draws the whole window for an output of w x h pixels (the renderer's output size).
 * Does not present. Returns 0, or -1 with err set on an SDL or font error. */
int fw_vdraw_frame(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vdraw_opts_t *o, int w, int h,
                   char *err, size_t err_len);

/* The tick under the point (x, y) if it is on the scrub bar or a share chart of the
 * last drawn frame, as a frame index; -1 otherwise. */
long fw_vdraw_frame_at(const fw_vdraw_t *d, const fw_vmodel_t *vm, int x, int y);

/* The company (node index) under (x, y) in the alliance graph of the last drawn frame,
 * -1 for none: a click focuses it. */
long fw_vdraw_node_at(const fw_vdraw_t *d, int x, int y);

/* The panels of the last drawn frame. */
const fw_vpanels_t *fw_vdraw_panels(const fw_vdraw_t *d);

#endif
