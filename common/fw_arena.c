/* fw_arena: see fw_arena.h. */
#include "fw_arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FW_ARENA_BLOCK (64u * 1024u)

typedef struct fw_block {
    struct fw_block *next; /* older block, or NULL */
    size_t size;           /* bytes in data[] */
    size_t used;           /* bytes handed out */
    alignas(max_align_t) unsigned char data[];
} fw_block_t;

struct fw_arena {
    fw_block_t *head; /* newest block; allocations come from here */
};

static fw_block_t *s_block_new(size_t size, fw_block_t *next)
{
    fw_block_t *b = malloc(sizeof *b + size);
    if (!b)
        abort();
    b->next = next;
    b->size = size;
    b->used = 0;
    return b;
}

fw_arena_t *fw_arena_new(void)
{
    fw_arena_t *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->head = s_block_new(FW_ARENA_BLOCK, NULL);
    return a;
}

void fw_arena_destroy(fw_arena_t **p)
{
    if (!p || !*p)
        return;
    fw_block_t *b = (*p)->head;
    while (b) {
        fw_block_t *next = b->next;
        free(b);
        b = next;
    }
    free(*p);
    *p = NULL;
}

void *fw_arena_calloc(fw_arena_t *a, size_t n, size_t size)
{
    const size_t align = alignof(max_align_t);
    if (n == 0 || size == 0)
        n = size = 1;
    if (size > SIZE_MAX / n)
        abort();
    size_t bytes = (n * size + align - 1) & ~(align - 1);
    if (a->head->used + bytes > a->head->size)
        a->head = s_block_new(bytes > FW_ARENA_BLOCK ? bytes : FW_ARENA_BLOCK, a->head);
    void *ptr = a->head->data + a->head->used;
    a->head->used += bytes;
    memset(ptr, 0, bytes);
    return ptr;
}

char *fw_arena_strdup(fw_arena_t *a, const char *s)
{
    size_t len = strlen(s);
    char *copy = fw_arena_calloc(a, len + 1, 1);
    memcpy(copy, s, len);
    return copy;
}

void fw_arena_reset(fw_arena_t *a)
{
    /* One block again, as large as all of them were: an arena reset every tick then
     * settles on one block that holds a whole tick, instead of asking malloc for the
     * same overflow blocks (and fresh pages) every tick. */
    fw_block_t *b = a->head;
    size_t total = 0;
    for (fw_block_t *x = b; x; x = x->next)
        total += x->size;
    if (b->next) {
        fw_block_t *one = malloc(sizeof *one + total);
        if (one) {
            while (b) {
                fw_block_t *next = b->next;
                free(b);
                b = next;
            }
            one->next = NULL;
            one->size = total;
            b = one;
        } else {
            /* No memory for the merged block: keep the oldest, as sized for the common
             * case, and carry on with the blocks malloc can give. */
            while (b->next) {
                fw_block_t *next = b->next;
                free(b);
                b = next;
            }
        }
    }
    b->used = 0;
    a->head = b;
}
