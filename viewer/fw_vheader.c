/* fw_vheader: what the window's header says. See the header. */
#include "fw_vheader.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Pill colours of the playback states (fw_vplay_state); the rest are grey. */
static const struct {
    const char *state;
    fw_vtone_t tone;
} s_tones[] = {
    {"live", FW_VTONE_LIVE},
    {"live, catching up", FW_VTONE_LIVE},
    {"replay", FW_VTONE_REPLAY},
    {"paused", FW_VTONE_PAUSED},
};

static fw_vtone_t s_tone(const char *state)
{
    for (size_t i = 0; i < sizeof s_tones / sizeof s_tones[0]; i++)
        if (strcmp(s_tones[i].state, state) == 0)
            return s_tones[i].tone;
    return FW_VTONE_IDLE;
}

void fw_vheader_ago(int64_t since_ms, int64_t now_ms, char *buf, size_t len)
{
    long long s = now_ms > since_ms ? (long long)((now_ms - since_ms) / 1000) : 0;
    if (s < 120)
        snprintf(buf, len, "%lld s ago", s);
    else if (s < 2 * 3600)
        snprintf(buf, len, "%lld min ago", s / 60);
    else
        snprintf(buf, len, "%lld h ago", s / 3600);
}

void fw_vheader_make(fw_vheader_t *h, const fw_vmodel_t *vm, long index, const char *playback,
                     const fw_vlink_t *link, int64_t now_ms)
{
    fw_vgame_t game;
    memset(h, 0, sizeof *h);
    memset(&game, 0, sizeof game);

    if (link && link->state == FW_WATCH_NEVER) {
        snprintf(h->state, sizeof h->state, "connecting");
        h->tone = FW_VTONE_IDLE;
        snprintf(h->detail, sizeof h->detail, "waiting for the coordinator at %s",
                 link->endpoint ? link->endpoint : "its address");
        return;
    }
    if (link && link->state == FW_WATCH_DOWN && !fw_vmodel_over(vm)) {
        char ago[32];
        fw_vheader_ago(link->since_ms, now_ms, ago, sizeof ago);
        snprintf(h->state, sizeof h->state, "coordinator gone");
        h->tone = FW_VTONE_GONE;
        snprintf(h->notice, sizeof h->notice, "coordinator gone %s - %swaiting for it to come back",
                 ago, fw_vmodel_n_frames(vm) ? "showing the last tick received; " : "");
        return;
    }
    snprintf(h->state, sizeof h->state, "%s", playback ? playback : "");
    h->tone = s_tone(h->state);
    /* Live: the game now. A replay or a picture: the game at the tick on screen, without
     * its deadline (a turn timer of the past has no time left to count down). */
    if (link) {
        game = *fw_vmodel_game(vm);
    } else if (index >= 0 && (size_t)index < fw_vmodel_n_frames(vm)) {
        game = fw_vmodel_frame(vm, (size_t)index)->game;
        game.deadline_at_ms = 0;
    }
    fw_vgame_describe(&game, now_ms, h->detail, sizeof h->detail);
}

/* Lays out the right side from the right edge with the parts kept; returns the left
 * edge of the pill. */
static float s_right(const fw_vheader_fit_in_t *in, int help, int speed, int detail,
                     fw_vheader_fit_t *o)
{
    float x = in->w - 2 * in->pad;
    o->help_x = o->speed_x = o->detail_x = -1;
    if (help) {
        x -= in->help_w;
        o->help_x = x;
        x -= 2 * in->pad;
    }
    if (speed) {
        x -= in->speed_w;
        o->speed_x = x;
        x -= 1.5f * in->pad;
    }
    if (detail && in->detail_w > 0) {
        x -= in->detail_w;
        o->detail_x = x;
        x -= 1.5f * in->pad;
    }
    o->pill_x = x - in->pill_w;
    return o->pill_x;
}

void fw_vheader_fit(const fw_vheader_fit_in_t *in, fw_vheader_fit_t *o)
{
    float gap = 2 * in->pad;
    /* The month ends at the middle, unless the title reaches past that. */
    o->month_x = fmaxf(in->w / 2 - in->month_w, in->title_end + gap);
    o->tick_x = o->month_x + in->month_w + 1.5f * in->pad;
    o->centre_end = in->tick_w > 0 ? o->tick_x + in->tick_w : in->title_end;
    o->detail_in_strip = 0;
    /* Keep what fits, dropping the least needed first. */
    static const int keep[][3] = {{1, 1, 1}, {1, 1, 0}, {0, 1, 0}, {0, 0, 0}};
    for (size_t k = 0; k < 4; k++) {
        o->right_start = s_right(in, keep[k][0], keep[k][1], keep[k][2], o);
        o->detail_in_strip = in->detail_w > 0 && !keep[k][2];
        if (o->right_start >= o->centre_end + gap)
            return;
    }
    /* Still too narrow: the month and tick right after the title. */
    o->month_x = in->title_end + gap;
    o->tick_x = o->month_x + in->month_w + 1.5f * in->pad;
    o->centre_end = in->tick_w > 0 ? o->tick_x + in->tick_w : in->title_end;
}
