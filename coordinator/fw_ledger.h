/* fw_ledger: the double-entry books of a run, in integer dollars.
 *
 * Invariants (checked by fw_ledger_check after every tick):
 *   - every posting's legs sum to zero, or it is refused and nothing changes;
 *   - so the balances of all accounts sum to zero;
 *   - each account's balance equals its balance at the start of the tick plus the
 *     legs posted to it during the tick (the journal agrees with the balances).
 *
 * Sign convention: debits are positive, credits negative. Assets (cash, equipment)
 * and expenses carry debit (positive) balances; revenue and capital carry credit
 * (negative) balances. fw_ledger_balance returns the raw signed balance.
 *
 * Accounts are (owner, kind); owners are seat indexes. Money leaving for or coming
 * from outside the simulated companies (end customers, fabs, staff) is booked as
 * revenue or expense of the company concerned, so the outside needs no account.
 */
#ifndef FW_LEDGER_H
#define FW_LEDGER_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    FW_ACC_CASH = 0,      /* money in the bank */
    FW_ACC_EQUIPMENT = 1, /* chips owned (in transit or in service), at cost less depreciation */
    FW_ACC_REVENUE = 2,   /* income (credit balance) */
    FW_ACC_EXPENSE = 3,   /* costs, including depreciation (debit balance) */
    FW_ACC_CAPITAL = 4,   /* owners' capital: opening, and equity sold to investors (credit) */
    FW_ACC_CREDITS = 5,   /* labs: compute credits held, prepaid compute at list price (debit) */
    FW_ACC_DEFERRED = 6,  /* clouds: credits granted and not yet used, owed as compute (credit) */
    FW_ACC_STAKES = 7,    /* equity held in other companies, marked to market (debit) */
    FW_ACC_REVALUATION = 8, /* gains (credit) and losses (debit) from marking stakes to market */
    FW_ACC_KINDS = 9
} fw_account_kind_t;

typedef struct {
    uint32_t owner;         /* seat index */
    fw_account_kind_t kind;
} fw_account_t;

typedef struct {
    fw_account_t account;
    int64_t amount;         /* debit > 0, credit < 0 */
} fw_leg_t;

typedef struct fw_ledger fw_ledger_t;

enum {
    FW_LEDGER_OK = 0,
    FW_LEDGER_EUNBALANCED = -1, /* legs do not sum to zero */
    FW_LEDGER_EACCOUNT = -2,    /* unknown owner or kind */
    FW_LEDGER_EOVERFLOW = -3,   /* a balance would overflow int64 */
    FW_LEDGER_ECORRUPT = -4,    /* fw_ledger_check found the books out of balance */
};

/* Books for `owners` companies, all balances zero. NULL if out of memory. */
fw_ledger_t *fw_ledger_new(uint32_t owners);

/* Frees the books; NULL-safe; sets *p to NULL. */
void fw_ledger_destroy(fw_ledger_t **p);

/* Posts one balanced transaction of n legs. Returns 0, or a negative code and
 * changes nothing. `memo` is kept for error messages only (borrowed). */
int fw_ledger_post(fw_ledger_t *l, const fw_leg_t *legs, size_t n, const char *memo);

/* Posts a two-leg transaction: debit `to`, credit `from`, `amount` >= 0. */
int fw_ledger_transfer(fw_ledger_t *l, fw_account_t from, fw_account_t to, int64_t amount,
                       const char *memo);

/* The raw signed balance of an account (0 for an unknown one). */
int64_t fw_ledger_balance(const fw_ledger_t *l, fw_account_t a);

/* How much the balance moved since fw_ledger_begin_tick. */
int64_t fw_ledger_tick_delta(const fw_ledger_t *l, fw_account_t a);

/* Starts a new tick: remembers every balance and clears the tick's journal. */
void fw_ledger_begin_tick(fw_ledger_t *l);

/* Checks the invariants above. Returns 0, or FW_LEDGER_ECORRUPT with a description
 * in err (at most len bytes). */
int fw_ledger_check(const fw_ledger_t *l, char *err, size_t len);

/* Postings made since the last fw_ledger_begin_tick. */
size_t fw_ledger_tick_postings(const fw_ledger_t *l);

/* XXH3 of every balance, in account order: part of the market's state hash. */
uint64_t fw_ledger_hash(const fw_ledger_t *l);

/* A description of a result code. */
const char *fw_ledger_strerror(int rc);

/* Shorthand for an account. */
static inline fw_account_t fw_acc(uint32_t owner, fw_account_kind_t kind)
{
    fw_account_t a = {owner, kind};
    return a;
}

#endif
