/* fw_inbox: see fw_inbox.h. */
#include "fw_inbox.h"

#include <assert.h>
#include <stdlib.h>

struct fw_inbox {
    uint32_t n_seats;      /* slots */
    uint32_t tick;         /* the open tick (0 = none yet) */
    size_t count;          /* filled slots */
    fw_envelope_t **slot;  /* per seat: owned envelope or NULL */
};

fw_inbox_t *fw_inbox_new(uint32_t n_seats)
{
    fw_inbox_t *in = calloc(1, sizeof *in);
    if (!in)
        return NULL;
    in->n_seats = n_seats;
    in->slot = calloc(n_seats ? n_seats : 1, sizeof *in->slot);
    if (!in->slot)
        fw_inbox_destroy(&in);
    return in;
}

static void s_clear(fw_inbox_t *in)
{
    for (uint32_t s = 0; s < in->n_seats; s++)
        fw_proto_free(&in->slot[s]);
    in->count = 0;
}

void fw_inbox_destroy(fw_inbox_t **p)
{
    if (!p || !*p)
        return;
    if ((*p)->slot)
        s_clear(*p);
    free((*p)->slot);
    free(*p);
    *p = NULL;
}

void fw_inbox_open(fw_inbox_t *in, uint32_t tick)
{
    s_clear(in);
    in->tick = tick;
}

fw_inbox_status_t fw_inbox_put(fw_inbox_t *in, uint32_t seat, fw_envelope_t **env)
{
    assert(seat < in->n_seats);
    if ((*env)->body_case != FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS)
        return FW_INBOX_NOT_ACTIONS;
    if ((*env)->tick < in->tick)
        return FW_INBOX_LATE;
    if ((*env)->tick > in->tick)
        return FW_INBOX_EARLY;
    if (in->slot[seat])
        return FW_INBOX_DUPLICATE;
    in->slot[seat] = *env;
    *env = NULL;
    in->count++;
    return FW_INBOX_ACCEPTED;
}

size_t fw_inbox_count(const fw_inbox_t *in)
{
    return in->count;
}

int fw_inbox_has(const fw_inbox_t *in, uint32_t seat)
{
    return seat < in->n_seats && in->slot[seat] != NULL;
}

const fw_envelope_t *fw_inbox_envelope(const fw_inbox_t *in, uint32_t seat)
{
    return seat < in->n_seats ? in->slot[seat] : NULL;
}

void fw_inbox_actions(const fw_inbox_t *in, Flywheel__V1__Actions **out)
{
    for (uint32_t s = 0; s < in->n_seats; s++)
        out[s] = in->slot[s] ? in->slot[s]->actions : NULL;
}

const char *fw_inbox_strstatus(fw_inbox_status_t st)
{
    switch (st) {
    case FW_INBOX_ACCEPTED: return "accepted";
    case FW_INBOX_LATE: return "late: that tick is already cleared";
    case FW_INBOX_EARLY: return "early: that tick has not started";
    case FW_INBOX_DUPLICATE: return "duplicate: this seat already acted in this tick";
    case FW_INBOX_NOT_ACTIONS: return "not an Actions message";
    }
    return "unknown";
}
