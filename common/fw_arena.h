/* fw_arena: a bump allocator for building protobuf-c messages.
 *
 * A TickStart or Snapshot has many small nested arrays; building them in an arena
 * lets the whole message be freed at once after it is packed and sent, with no
 * per-field bookkeeping. Allocation failure is fatal (abort): the arena only ever
 * holds messages bounded by the protocol's frame cap.
 */
#ifndef FW_ARENA_H
#define FW_ARENA_H

#include <stddef.h>

typedef struct fw_arena fw_arena_t;

/* A new, empty arena; NULL only if memory is exhausted. */
fw_arena_t *fw_arena_new(void);

/* Frees the arena and everything allocated from it; NULL-safe; sets *p to NULL. */
void fw_arena_destroy(fw_arena_t **p);

/* Zeroed memory for n objects of `size` bytes, aligned for any type, owned by the arena. */
void *fw_arena_calloc(fw_arena_t *a, size_t n, size_t size);

/* A copy of s owned by the arena. */
char *fw_arena_strdup(fw_arena_t *a, const char *s);

/* Forgets every allocation; keeps one block as large as all the arena had, so the
 * next round of the same size needs no malloc. */
void fw_arena_reset(fw_arena_t *a);

#endif
