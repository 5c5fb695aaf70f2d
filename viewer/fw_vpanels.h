/* fw_vpanels: where each view goes in a window of a given size, no SDL.
 *
 * One window, three views on one timeline:
 *
 *   +---------------------------------------------------------+
 *   | header: scenario, date, tick k/n, playback state         |
 *   +---------------------------------+-----------------------+
 *   | alliance graph (1)              | compute purchases (2) |
 *   |                      [legend]   |                       |
 *   +-------------------+-------------+-------+---------------+
 *   | cloud share       | chip-family share   | lab share (3) |
 *   +-------------------+---------------------+---------------+
 *   | scrub bar                                                |
 *   +---------------------------------------------------------+
 *
 * Keys 1, 2, 3 give one view the whole middle of the window. Text sizes follow the
 * window so that a projector at 1920x1080 gets larger letters than a laptop.
 */
#ifndef FW_VPANELS_H
#define FW_VPANELS_H

typedef struct {
    int x, y, w, h;
} fw_rect_t;

/* The smallest text drawn, in pixels, whatever the window size. */
#define FW_VTEXT_MIN_PX 12

enum {
    FW_VIEW_ALL = 0,
    FW_VIEW_GRAPH = 1,
    FW_VIEW_PURCHASES = 2,
    FW_VIEW_SHARES = 3,
};

typedef struct {
    double scale;       /* 1.0 at 1280x720 */
    int font_small;     /* pixel heights of the three text sizes */
    int font_normal;
    int font_large;
    int pad;            /* spacing between panels */
    fw_rect_t header;
    fw_rect_t graph;    /* w == 0 when hidden */
    fw_rect_t purchases;
    fw_rect_t shares[3];/* cloud, chip, lab */
    fw_rect_t scrub;
} fw_vpanels_t;

/* Fills *out for a w x h window with view `enlarged` (FW_VIEW_*) given the middle. */
void fw_vpanels_compute(int w, int h, int enlarged, fw_vpanels_t *out);

/* The same for an output drawn at `density` pixels per pixel seen (a picture drawn at
 * twice its size and scaled down, a HiDPI window): the smallest text is then
 * FW_VTEXT_MIN_PX seen pixels, FW_VTEXT_MIN_PX x density drawn ones. */
void fw_vpanels_compute_at(int w, int h, int density, int enlarged, fw_vpanels_t *out);

/* Makes room for a strip of strip_h pixels under the header (a notice, or the game
 * line that did not fit beside the state): the panels right under the header start
 * that much lower, so the strip covers none of them. */
void fw_vpanels_strip(fw_vpanels_t *o, int strip_h);

/* 1 if the point is inside r. */
int fw_rect_contains(const fw_rect_t *r, int x, int y);

/* The plot area of a share chart inside its panel (below the title, left of nothing,
 * above the date axis). */
fw_rect_t fw_vpanels_share_plot(const fw_vpanels_t *p, int i);

#endif
