/* fw_vheader: what the window's header says. See the header. */
#include "fw_vheader.h"

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
