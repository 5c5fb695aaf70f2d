/* fw_synth: a synthetic market of N companies, written as a scenario file, for
 * benchmarks and scale tests (`flywheel scenario synth`).
 *
 * The market is made the way scenarios/large-60.yaml was: about 1/8 chip vendors,
 * 1/4 clouds and the rest AI labs (at least one of each), round made-up figures, and
 * a few big companies among many small ones. It is sized so that it works at every N:
 *   - end customers' spending (`market.ai_spending`) is the labs' demand x
 *     revenue_per_compute, added up, so every lab has customers at the start;
 *   - the clouds' installed compute is twice the labs' opening demand;
 *   - each lab has a compute contract with a home cloud (an initial deal with
 *     min_cloud_share 0.6 for the whole run), and the contracts load each cloud in
 *     proportion to its compute, so every cloud has buyers: without them the
 *     built-in lab strategy sends every lab to the same few cheapest offers, and at
 *     640 companies 140 of 160 clouds sold nothing in the first tick;
 *   - the chip families can make a tenth of the installed compute a tick, and buyers
 *     outside the scenario take up to a quarter of what the open families make.
 * The figures are not calibrated against anything.
 *
 * Invariants:
 *   - the same config gives the same bytes on every host: every figure comes from the
 *     seeded stream of fw_rng.h and integer arithmetic (no libm), and the text has
 *     no date, path or other trace of where it was made;
 *   - the text passes fw_scenario_load for every N in [FW_SYNTH_MIN_COMPANIES,
 *     FW_SYNTH_MAX_COMPANIES] (the unit tests load every size up to 40 and a few
 *     larger ones).
 *
 * Scenario limits shape the larger markets: there are at most FW_MAX_FAMILIES chip
 * families, so from 508 companies on, the vendors past the 63rd have no product yet.
 */
#ifndef FW_SYNTH_H
#define FW_SYNTH_H

#include <stdint.h>
#include <stdio.h>

#include "fw_scenario.h"

#define FW_SYNTH_MIN_COMPANIES 3            /* one of each role */
#define FW_SYNTH_MAX_COMPANIES FW_MAX_SEATS
#define FW_SYNTH_MAX_TICKS 100000           /* run.ticks' own limit */
#define FW_SYNTH_DEFAULT_TICKS 60           /* five years, monthly, as large-60 */

typedef struct {
    uint32_t companies; /* seats, FW_SYNTH_MIN_COMPANIES..FW_SYNTH_MAX_COMPANIES */
    uint64_t seed;      /* the generator's seed, also written as run.seed */
    uint32_t ticks;     /* run.ticks, 1..FW_SYNTH_MAX_TICKS; 0 = FW_SYNTH_DEFAULT_TICKS */
} fw_synth_config_t;

enum {
    FW_SYNTH_OK = 0,
    FW_SYNTH_EINVAL = -1, /* companies or ticks out of range */
    FW_SYNTH_ENOMEM = -2, /* out of memory */
    FW_SYNTH_EIO = -3,    /* writing to the stream failed (errno tells why) */
};

/* How many vendors, clouds (hyperscalers) and labs a market of `companies` has:
 * round(N/8) vendors and round(N/4) clouds, at least one each, the rest labs.
 * Returns FW_SYNTH_EINVAL for a size out of range, else FW_SYNTH_OK. */
int fw_synth_roles(uint32_t companies, uint32_t *vendors, uint32_t *clouds, uint32_t *labs);

/* Writes the scenario of `cfg` to `out` (which the caller owns, and flushes or closes):
 * a comment with the command line that makes it, then run, families, seats and
 * market. Returns FW_SYNTH_OK, FW_SYNTH_EINVAL (nothing written), FW_SYNTH_ENOMEM
 * (nothing written) or FW_SYNTH_EIO (part of the text may have been written). */
int fw_synth_write(FILE *out, const fw_synth_config_t *cfg);

/* A short English description of a return code of this module. */
const char *fw_synth_strerror(int rc);

#endif
