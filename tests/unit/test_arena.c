/* fw_arena: zeroed, aligned memory; a reset forgets it all and keeps room for as much
 * again in one block, so an arena reset every tick stops asking malloc for more. */
#include <criterion/criterion.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fw_arena.h"

Test(fw_arena, memory_is_zeroed_and_aligned)
{
    fw_arena_t *a = fw_arena_new();
    cr_assert_not_null(a);
    for (size_t n = 1; n < 300; n += 7) {
        unsigned char *p = fw_arena_calloc(a, n, 3);
        cr_assert_eq((uintptr_t)p % alignof(max_align_t), 0);
        for (size_t i = 0; i < 3 * n; i++)
            cr_assert_eq(p[i], 0);
        memset(p, 0xab, 3 * n);
    }
    cr_assert_str_eq(fw_arena_strdup(a, "hopper"), "hopper");
    fw_arena_destroy(&a);
    cr_assert_null(a);
}

Test(fw_arena, after_a_reset_as_much_again_fits_in_one_block)
{
    enum { PIECES = 100, PIECE = 4096 }; /* 400 KB: several blocks the first time */
    fw_arena_t *a = fw_arena_new();
    for (int i = 0; i < PIECES; i++)
        memset(fw_arena_calloc(a, 1, PIECE), 0xcd, PIECE);
    fw_arena_reset(a);
    unsigned char *first = fw_arena_calloc(a, 1, PIECE), *prev = first;
    for (int i = 1; i < PIECES; i++) {
        unsigned char *p = fw_arena_calloc(a, 1, PIECE);
        cr_assert_eq(p, prev + PIECE, "piece %d not next to the one before: a new block", i);
        for (size_t k = 0; k < PIECE; k += 512)
            cr_assert_eq(p[k], 0, "reset memory comes back zeroed");
        prev = p;
    }
    fw_arena_reset(a);
    cr_assert_eq(fw_arena_calloc(a, 1, PIECE), first, "the same block again");
    fw_arena_destroy(&a);
}
