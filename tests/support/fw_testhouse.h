/* fw_testhouse: a market played in this process by the coordinator's house bots, one
 * tick at a time, for tests that need whole runs without processes or sockets (long
 * runs, the economics over years). Each seat is the bot the coordinator would make
 * (fw_market_welcome, the scenario's strategy or the role's default), fed its view
 * each tick as `flywheel-coordinator --house-bots` feeds it. */
#ifndef FW_TESTHOUSE_H
#define FW_TESTHOUSE_H

#include <stddef.h>
#include <stdint.h>

#include "fw_market.h"
#include "fw_scenario.h"

typedef struct fw_testhouse fw_testhouse_t;

/* A market of `sc` (borrowed: it must outlive the house) for up to `ticks` ticks
 * (0: the scenario's own). NULL with the reason in err. */
fw_testhouse_t *fw_testhouse_new(const fw_scenario_t *sc, uint32_t ticks, char *err,
                                 size_t err_len);

/* Plays and clears the next tick. 0, or -1 with the reason in err. */
int fw_testhouse_tick(fw_testhouse_t *h, char *err, size_t err_len);

/* The Snapshot of the last tick cleared (valid until the next tick). */
const Flywheel__V1__Snapshot *fw_testhouse_snapshot(const fw_testhouse_t *h);

/* The market, to read its state between ticks. */
fw_market_t *fw_testhouse_market(fw_testhouse_t *h);

void fw_testhouse_destroy(fw_testhouse_t **h);

#endif
