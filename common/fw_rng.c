/* fw_rng: see fw_rng.h. Algorithms from Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators" (public domain reference code). */
#include "fw_rng.h"

static uint64_t s_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t s_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void fw_rng_seed(fw_rng_t *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = s_splitmix64(&x);
}

uint64_t fw_rng_next(fw_rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = s_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = s_rotl(s[3], 45);
    return result;
}

double fw_rng_uniform(fw_rng_t *r)
{
    return (double)(fw_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t fw_rng_seat_seed(uint64_t run_seed, uint32_t seat_index)
{
    uint64_t x = run_seed ^ ((uint64_t)seat_index * 0xd1b54a32d192ed03ULL);
    s_splitmix64(&x);
    return s_splitmix64(&x);
}
