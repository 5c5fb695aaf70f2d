/* fw_vdraw_views: the parts of the viewer's window, one source file each, which
 * fw_vdraw_frame (fw_vdraw_sdl.c) draws in this order: header, alliance graph, compute
 * purchases, share charts, scrub bar, then the overlays. Shared by the fw_vdraw_*.c
 * files and no one else; each view draws into its panel of d->p (fw_vpanels) with the
 * primitives of fw_vdraw_prim.h and adds its hover figures to the frame's tooltip.
 */
#ifndef FW_VDRAW_VIEWS_H
#define FW_VDRAW_VIEWS_H

#include <stdint.h>

#include "fw_vdraw_prim.h"
#include "fw_vheader.h"
#include "fw_vmodel.h"

/* fw_vdraw_header.c: the header (scenario, date, tick, state, speed). Returns what goes
 * in a strip under it (vd_notice): the header's notice, or its detail line when that
 * did not fit beside the state pill (a narrow window, a long lobby line); else NULL. */
const char *vd_header(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                      const fw_vdraw_opts_t *o);
/* A strip along the header's bottom edge, above the panels (fw_vpanels_strip makes
 * room for it): red when the coordinator is gone, else the header's colour. */
float vd_notice_h(const fw_vdraw_t *d);
void vd_notice(fw_vdraw_t *d, const char *text, fw_vtone_t tone);

/* fw_vdraw_graph.c: the alliance graph of frame f (NULL: an empty panel), its legend,
 * node labels and hover figures. Keeps node places and edge curves in d for hit-testing. */
void vd_graph(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
              const fw_vdraw_opts_t *o);

/* fw_vdraw_flows.c: the compute purchases of frame f: cloud and lab bars joined by one
 * ribbon per flow, in the colour of its chip family. */
void vd_purchases(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_vframe_t *f,
                  const fw_vdraw_opts_t *o);

/* fw_vdraw_shares.c: share chart `set` (fw_share_set_t) over the whole run, with the
 * cursor at frame cur (-1: none). */
void vd_share_chart(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, int set,
                    const fw_vdraw_opts_t *o);

/* fw_vdraw_timeline.c: where ticks sit along a time axis, shared by the share charts
 * and the scrub bar. */
/* x of a tick in a plot: the whole run from tick 1 to its last tick. */
float vd_tick_x(const fw_rect_t *pl, uint32_t tick, uint32_t t_end);
/* The run's last tick: the scenario's length once known, else the newest tick held. */
uint32_t vd_run_end(const fw_vmodel_t *vm);
/* Year labels under an axis from x0 to x0+w for ticks 1..t_end. */
void vd_time_axis(fw_vdraw_t *d, const fw_vmodel_t *vm, const fw_rect_t *pl, float y,
                  uint32_t t_end, SDL_Color c);
/* The scrub bar along the bottom: the ticks held, the one on screen. */
void vd_scrub(fw_vdraw_t *d, const fw_vmodel_t *vm, long cur, const fw_vdraw_opts_t *o);

/* fw_vdraw_overlay.c: what is drawn over the panels of a w x h output. */
/* The frame's tooltip lines in a box next to the mouse; nothing when there are none. */
void vd_tooltip(fw_vdraw_t *d, int mx, int my, int w, int h);
/* The keys, over a dimmed window. */
void vd_help(fw_vdraw_t *d, int w, int h);
/* A short message in the bottom-right corner. */
void vd_toast(fw_vdraw_t *d, const char *msg, int w, int h);

#endif
