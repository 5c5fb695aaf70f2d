/* fw_vheader: what the window's header says about the run and the connection, no SDL.
 *
 * The right of the header has a coloured pill (the state) and a line beside it (the
 * detail); a notice, when there is one, is a sentence in a strip of its own under the
 * header, for what nobody in the room should miss. A replay, and every picture drawn
 * to a file, describes the frame on screen: the playback state and the game as it was
 * at that tick. A live viewer describes now: the playback state and the newest status
 * (lobby, turn timer, players, pause) while the coordinator is connected; otherwise
 *
 *   never reached  pill "connecting", detail "waiting for the coordinator at URL"
 *   gone           pill "coordinator gone", no detail (no players, no turn timer),
 *                  notice "coordinator gone 4 s ago - showing the last tick received;
 *                  waiting for it to come back"
 *
 * A run that ended (its final snapshot, or PHASE_OVER) is over, not gone: the
 * coordinator leaving after it changes nothing on screen. The drawing code only draws
 * these strings, in the colours the tone names.
 */
#ifndef FW_VHEADER_H
#define FW_VHEADER_H

#include <stddef.h>
#include <stdint.h>

#include "fw_vmodel.h"
#include "fw_vsource.h"

typedef enum {
    FW_VTONE_IDLE = 0,   /* grey: nothing to show yet, connecting, a run at its end */
    FW_VTONE_LIVE = 1,   /* green: following a running coordinator */
    FW_VTONE_REPLAY = 2, /* blue: playing a recorded run */
    FW_VTONE_PAUSED = 3, /* amber: the viewer's playback is paused */
    FW_VTONE_GONE = 4,   /* red: the coordinator went away before the run ended */
} fw_vtone_t;

typedef struct {
    char state[48];      /* the pill: "live", "replay", "coordinator gone", ... */
    fw_vtone_t tone;
    char detail[192];    /* the line beside it, "" for none */
    char notice[256];    /* a sentence for a strip under the header, "" for none */
} fw_vheader_t;

/* Fills *h for the frame `index` of vm (-1 when none is on screen). `playback` is the
 * playback state (fw_vplay_state). `link` is the connection of a live viewer, NULL
 * for a replay or a picture. now_ms is the monotonic clock: link times, and the
 * countdown of a deadline (fw_vmodel_apply_at). */
void fw_vheader_make(fw_vheader_t *h, const fw_vmodel_t *vm, long index, const char *playback,
                     const fw_vlink_t *link, int64_t now_ms);

/* "4 s ago", "3 min ago", "2 h ago": how long ago `since_ms` was at now_ms. */
void fw_vheader_ago(int64_t since_ms, int64_t now_ms, char *buf, size_t len);

/* Where the parts of the header go in a header w pixels wide, from their widths: the
 * title on the left (ending at title_end), the month and tick in the middle, and
 * from the right: the help key, the speed, the detail line, the state pill. Nothing
 * overlaps: when the right side would reach the tick, the detail goes to the strip
 * under the header, then the help key and the speed are left out, then the month and
 * tick move left toward the title. */
typedef struct {
    float w, pad, title_end;
    float month_w, tick_w;   /* 0 when no tick is on screen */
    float help_w, speed_w, detail_w, pill_w;
} fw_vheader_fit_in_t;

typedef struct {
    float month_x, tick_x;   /* left edges */
    float pill_x, detail_x, speed_x, help_x; /* left edges; < 0 when left out */
    int detail_in_strip;     /* the detail goes under the header instead */
    float centre_end, right_start; /* the tick's right edge, the pill's left edge */
} fw_vheader_fit_t;

void fw_vheader_fit(const fw_vheader_fit_in_t *in, fw_vheader_fit_t *out);

#endif
