/* fw_known_params: the strategy parameters each built-in strategy reads, so that the
 * scenario loader can refuse a misspelt one (`price_stp`) instead of the strategy
 * silently using its default.
 *
 * The strategies live in agents/ (fw_strategy_param calls); the loader is in common/
 * and cannot see them, so the names are listed here, and test_strategy checks that
 * every key the strategies' sources read is listed for them. A strategy that is not
 * built in (an outside agent's own name) has no list: its parameters are its own.
 */
#ifndef FW_KNOWN_PARAMS_H
#define FW_KNOWN_PARAMS_H

#include <stddef.h>

/* The keys `strategy` reads (*n of them), or NULL if it is not a built-in strategy. */
const char *const *fw_known_params(const char *strategy, size_t *n);

/* The key of `keys` closest to `key` if it is a likely misspelling (at most 2 edits,
 * fewer than half its length), else NULL. */
const char *fw_known_params_nearest(const char *const *keys, size_t n, const char *key);

#endif
