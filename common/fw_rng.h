/* fw_rng: a seat's seeded random stream (xoshiro256** seeded through splitmix64).
 *
 * Plain value type: copy it, keep it on the stack. The same seed gives the same
 * stream on every host, so a strategy that draws only from it is deterministic.
 */
#ifndef FW_RNG_H
#define FW_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4]; /* xoshiro256** state; never all zero */
} fw_rng_t;

/* Seeds the stream. Any seed, including 0, is valid. */
void fw_rng_seed(fw_rng_t *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t fw_rng_next(fw_rng_t *r);

/* A double uniform in [0, 1), from the top 53 bits. */
double fw_rng_uniform(fw_rng_t *r);

/* The seed of seat `seat_index` in a run seeded with `run_seed`: independent streams
 * for every seat, fixed by the run seed alone. */
uint64_t fw_rng_seat_seed(uint64_t run_seed, uint32_t seat_index);

#endif
