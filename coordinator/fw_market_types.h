/* fw_market_types: the market's handle and return codes, without the wire types.
 *
 * fw_market.h speaks protobuf (views, actions, results) because the coordinator does;
 * the stage modules inside the market work on plain C state and include only this.
 */
#ifndef FW_MARKET_TYPES_H
#define FW_MARKET_TYPES_H

#include <stddef.h>
#include <stdint.h>

typedef struct fw_market fw_market_t;

enum {
    FW_MARKET_OK = 0,
    FW_MARKET_ENOMEM = -1,
    FW_MARKET_EBOOKS = -2, /* the ledger refused a posting or the books do not balance */
    FW_MARKET_EDONE = -3,  /* every tick of the run has been cleared */
};

/* Splits `supply` among n requests in proportion to want[] (largest remainder
 * method; leftover units go to the largest fractional parts; equal fractional parts
 * that the units left cannot all serve get none, so the grants never depend on the
 * requests' order: up to n - 1 units may stay unsold). If the wants fit, each gets
 * what it wants. grant[] has n entries. */
void fw_market_ration(int64_t supply, const int64_t *want, size_t n, int64_t *grant);

#endif
