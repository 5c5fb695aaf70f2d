/* fw_intake: the seats' actions as the market's stages take them.
 *
 * Every id an action names (a chip family, a cloud, a lab) is resolved to an index
 * once, through sorted name tables built when the market opens, so the stages compare
 * integers and never strings. An id that names nothing resolves to -1 and keeps its
 * text for the refusal. With fw_observe.c, the only market module that sees generated
 * protobuf types.
 */
#ifndef FW_INTAKE_H
#define FW_INTAKE_H

#include "flywheel.pb-c.h"
#include "fw_arena.h"
#include "fw_ground.h"

/* Builds the market's name tables. Returns 0, or -1 if out of memory. */
int fw_intake_open(fw_market_t *m);

/* The index of a seat or a family by id, or -1. */
int fw_intake_seat(const fw_market_t *m, const char *id);
int fw_intake_family(const fw_market_t *m, const char *id);

/* The n_seats seats' orders of a tick, in `a`: actions[s] is seat s's Actions or NULL
 * for a seat that did not answer. Strings point into the actions. */
fw_orders_t *fw_intake_orders(const fw_market_t *m, Flywheel__V1__Actions *const *actions,
                              fw_arena_t *a);

#endif
