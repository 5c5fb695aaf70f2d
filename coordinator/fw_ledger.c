/* fw_ledger: see fw_ledger.h for the invariants. */
#include "fw_ledger.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

struct fw_ledger {
    uint32_t owners;     /* companies */
    size_t n_accounts;   /* owners * FW_ACC_KINDS */
    int64_t *balance;    /* current balance per account */
    int64_t *opening;    /* balance at fw_ledger_begin_tick */
    int64_t *journal;    /* sum of legs posted per account this tick */
    size_t postings;     /* transactions posted this tick */
};

fw_ledger_t *fw_ledger_new(uint32_t owners)
{
    fw_ledger_t *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->owners = owners;
    l->n_accounts = (size_t)owners * FW_ACC_KINDS;
    l->balance = calloc(l->n_accounts ? l->n_accounts : 1, sizeof(int64_t));
    l->opening = calloc(l->n_accounts ? l->n_accounts : 1, sizeof(int64_t));
    l->journal = calloc(l->n_accounts ? l->n_accounts : 1, sizeof(int64_t));
    if (!l->balance || !l->opening || !l->journal)
        fw_ledger_destroy(&l);
    return l;
}

void fw_ledger_destroy(fw_ledger_t **p)
{
    if (!p || !*p)
        return;
    free((*p)->balance);
    free((*p)->opening);
    free((*p)->journal);
    free(*p);
    *p = NULL;
}

static int s_index(const fw_ledger_t *l, fw_account_t a, size_t *out)
{
    if (a.owner >= l->owners || (unsigned)a.kind >= FW_ACC_KINDS)
        return FW_LEDGER_EACCOUNT;
    *out = (size_t)a.owner * FW_ACC_KINDS + (size_t)a.kind;
    return FW_LEDGER_OK;
}

int fw_ledger_post(fw_ledger_t *l, const fw_leg_t *legs, size_t n, const char *memo)
{
    int64_t sum = 0;
    (void)memo;
    /* First pass: validate everything, so a refused posting changes nothing. */
    for (size_t i = 0; i < n; i++) {
        size_t idx;
        int64_t next;
        if (s_index(l, legs[i].account, &idx) != FW_LEDGER_OK)
            return FW_LEDGER_EACCOUNT;
        if (__builtin_add_overflow(sum, legs[i].amount, &sum))
            return FW_LEDGER_EOVERFLOW;
        if (__builtin_add_overflow(l->balance[idx], legs[i].amount, &next))
            return FW_LEDGER_EOVERFLOW;
    }
    if (sum != 0)
        return FW_LEDGER_EUNBALANCED;
    /* Legs may name one account twice; re-check overflow on the running balance. */
    for (size_t i = 0; i < n; i++) {
        size_t idx = 0;
        (void)s_index(l, legs[i].account, &idx); /* validated above */
        if (__builtin_add_overflow(l->balance[idx], legs[i].amount, &l->balance[idx]))
            abort(); /* unreachable for sane amounts; the books would be unrecoverable */
        l->journal[idx] += legs[i].amount;
    }
    l->postings++;
    return FW_LEDGER_OK;
}

int fw_ledger_transfer(fw_ledger_t *l, fw_account_t from, fw_account_t to, int64_t amount,
                       const char *memo)
{
    if (amount < 0)
        return FW_LEDGER_EUNBALANCED;
    fw_leg_t legs[2] = {{to, amount}, {from, -amount}};
    return fw_ledger_post(l, legs, 2, memo);
}

int64_t fw_ledger_balance(const fw_ledger_t *l, fw_account_t a)
{
    size_t idx;
    return s_index(l, a, &idx) == FW_LEDGER_OK ? l->balance[idx] : 0;
}

int64_t fw_ledger_tick_delta(const fw_ledger_t *l, fw_account_t a)
{
    size_t idx;
    return s_index(l, a, &idx) == FW_LEDGER_OK ? l->balance[idx] - l->opening[idx] : 0;
}

void fw_ledger_begin_tick(fw_ledger_t *l)
{
    memcpy(l->opening, l->balance, l->n_accounts * sizeof(int64_t));
    memset(l->journal, 0, l->n_accounts * sizeof(int64_t));
    l->postings = 0;
}

int fw_ledger_check(const fw_ledger_t *l, char *err, size_t len)
{
    int64_t total = 0;
    for (size_t i = 0; i < l->n_accounts; i++) {
        if (l->opening[i] + l->journal[i] != l->balance[i]) {
            snprintf(err, len, "account %zu of owner %zu: opening %" PRId64 " + journal %" PRId64
                     " != balance %" PRId64, i % FW_ACC_KINDS, i / FW_ACC_KINDS, l->opening[i],
                     l->journal[i], l->balance[i]);
            return FW_LEDGER_ECORRUPT;
        }
        total += l->balance[i];
    }
    if (total != 0) {
        snprintf(err, len, "balances sum to %" PRId64 ", not 0", total);
        return FW_LEDGER_ECORRUPT;
    }
    return FW_LEDGER_OK;
}

size_t fw_ledger_tick_postings(const fw_ledger_t *l)
{
    return l->postings;
}

uint64_t fw_ledger_hash(const fw_ledger_t *l)
{
    return XXH3_64bits(l->balance, l->n_accounts * sizeof *l->balance);
}

const char *fw_ledger_strerror(int rc)
{
    switch (rc) {
    case FW_LEDGER_OK: return "ok";
    case FW_LEDGER_EUNBALANCED: return "posting does not balance";
    case FW_LEDGER_EACCOUNT: return "unknown account";
    case FW_LEDGER_EOVERFLOW: return "balance would overflow";
    case FW_LEDGER_ECORRUPT: return "books out of balance";
    default: return "unknown ledger error";
    }
}
