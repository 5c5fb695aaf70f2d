/* fw_vplay: the viewer's own playback over the model's history, no SDL.
 *
 * The cursor names a tick, not a frame index, so that frames inserted before it
 * (ticks read from a log after the viewer joined) do not move what is on screen.
 * Playing moves the cursor forward at `speed` ticks per second, one tick at a time:
 * a live viewer that falls behind a fast run plays every tick and catches up when
 * the run is slower than the playback; one that is at the newest tick shows each
 * new snapshot as soon as it arrives. Pausing stops the cursor, never the receiving.
 * When the model starts over for a new run (its generation changes), the playback
 * starts over too: the cursor goes to the new run's first or newest tick and a pause
 * ends, as for a viewer opened on that run.
 */
#ifndef FW_VPLAY_H
#define FW_VPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "fw_vmodel.h"

typedef struct {
    int live;           /* 1: frames come from a running coordinator */
    int start_first;    /* when the first frames arrive, start at the oldest (else newest) */
    int paused;
    uint32_t tick;      /* tick of the frame on screen; 0 = none yet */
    double acc;         /* ticks owed to the playback, in [0, 1] at rest */
    int speed_idx;      /* index into the speed table */
    unsigned generation;/* the model generation the cursor belongs to */
} fw_vplay_t;

/* A fresh playback: playing, default speed, nothing on screen. */
void fw_vplay_init(fw_vplay_t *p, int live, int start_first);

/* Playback speed in ticks per second. */
double fw_vplay_speed(const fw_vplay_t *p);
/* One step faster (+1) or slower (-1); stays within the table (0.5 to 60 ticks/s). */
void fw_vplay_change_speed(fw_vplay_t *p, int dir);
/* Sets the speed to the table entry nearest `ticks_per_s`. */
void fw_vplay_set_speed(fw_vplay_t *p, double ticks_per_s);

/* Index of the frame on screen, or -1 when the model has none. Puts the cursor on
 * the first or newest frame if it has none yet. */
long fw_vplay_index(fw_vplay_t *p, const fw_vmodel_t *vm);

/* Lets dt_s seconds of playback pass. A replay that reaches its last frame pauses. */
void fw_vplay_advance(fw_vplay_t *p, const fw_vmodel_t *vm, double dt_s);

/* Space: pause or resume. Resuming a replay paused on its last frame starts over. */
void fw_vplay_toggle(fw_vplay_t *p, const fw_vmodel_t *vm);

/* Arrow keys: pauses and moves `delta` frames (clamped to the history). */
void fw_vplay_step(fw_vplay_t *p, const fw_vmodel_t *vm, long delta);

/* Scrub bar, Home, End: shows frame `index` (clamped); playing or paused stays. */
void fw_vplay_seek(fw_vplay_t *p, const fw_vmodel_t *vm, long index);

/* Frames between the one on screen and the newest. */
size_t fw_vplay_behind(fw_vplay_t *p, const fw_vmodel_t *vm);

/* What the header says: "live", "live, catching up", "paused", "replay", "end of run".
 * Returns a static string. */
const char *fw_vplay_state(fw_vplay_t *p, const fw_vmodel_t *vm);

#endif
