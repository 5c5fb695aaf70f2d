/* fw_ledger: postings balance or change nothing; the books always sum to zero. */
#include <criterion/criterion.h>

#include "fw_ledger.h"

Test(fw_ledger, transfer_moves_money_and_balances)
{
    fw_ledger_t *l = fw_ledger_new(2);
    char err[128];
    cr_assert_eq(fw_ledger_transfer(l, fw_acc(0, FW_ACC_CAPITAL), fw_acc(0, FW_ACC_CASH), 100, "open"), 0);
    cr_assert_eq(fw_ledger_transfer(l, fw_acc(0, FW_ACC_CASH), fw_acc(1, FW_ACC_CASH), 30, "pay"), 0);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(0, FW_ACC_CASH)), 70);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(1, FW_ACC_CASH)), 30);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(0, FW_ACC_CAPITAL)), -100);
    cr_assert_eq(fw_ledger_check(l, err, sizeof err), 0, "%s", err);
    fw_ledger_destroy(&l);
    cr_assert_null(l);
}

Test(fw_ledger, rejects_unbalanced_posting)
{
    fw_ledger_t *l = fw_ledger_new(1);
    fw_leg_t legs[2] = {{fw_acc(0, FW_ACC_CASH), 10}, {fw_acc(0, FW_ACC_REVENUE), -9}};
    cr_assert_eq(fw_ledger_post(l, legs, 2, "bad"), FW_LEDGER_EUNBALANCED);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(0, FW_ACC_CASH)), 0, "nothing changes");
    cr_assert_eq(fw_ledger_tick_postings(l), 0);
    fw_ledger_destroy(&l);
}

Test(fw_ledger, rejects_unknown_account_without_change)
{
    fw_ledger_t *l = fw_ledger_new(1);
    fw_leg_t legs[2] = {{fw_acc(0, FW_ACC_CASH), 10}, {fw_acc(5, FW_ACC_CASH), -10}};
    cr_assert_eq(fw_ledger_post(l, legs, 2, "bad owner"), FW_LEDGER_EACCOUNT);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(0, FW_ACC_CASH)), 0);
    cr_assert_eq(fw_ledger_transfer(l, fw_acc(0, FW_ACC_CASH), fw_acc(0, FW_ACC_EXPENSE), -5, "neg"),
                 FW_LEDGER_EUNBALANCED, "negative transfers are refused");
    fw_ledger_destroy(&l);
}

Test(fw_ledger, rejects_overflow_without_change)
{
    fw_ledger_t *l = fw_ledger_new(1);
    cr_assert_eq(fw_ledger_transfer(l, fw_acc(0, FW_ACC_CAPITAL), fw_acc(0, FW_ACC_CASH), INT64_MAX, "max"), 0);
    cr_assert_eq(fw_ledger_transfer(l, fw_acc(0, FW_ACC_REVENUE), fw_acc(0, FW_ACC_CASH), 1, "one more"),
                 FW_LEDGER_EOVERFLOW);
    cr_assert_eq(fw_ledger_balance(l, fw_acc(0, FW_ACC_CASH)), INT64_MAX);
    fw_ledger_destroy(&l);
}

Test(fw_ledger, multi_leg_posting_and_tick_delta)
{
    fw_ledger_t *l = fw_ledger_new(2);
    char err[128];
    fw_ledger_transfer(l, fw_acc(0, FW_ACC_CAPITAL), fw_acc(0, FW_ACC_CASH), 1000, "open");
    fw_ledger_begin_tick(l);
    fw_leg_t sale[4] = {
        {fw_acc(0, FW_ACC_EQUIPMENT), 400}, {fw_acc(0, FW_ACC_CASH), -400},
        {fw_acc(1, FW_ACC_CASH), 400}, {fw_acc(1, FW_ACC_REVENUE), -400},
    };
    cr_assert_eq(fw_ledger_post(l, sale, 4, "chip sale"), 0);
    cr_assert_eq(fw_ledger_tick_delta(l, fw_acc(1, FW_ACC_REVENUE)), -400);
    cr_assert_eq(fw_ledger_tick_delta(l, fw_acc(0, FW_ACC_CASH)), -400);
    cr_assert_eq(fw_ledger_tick_postings(l), 1);
    cr_assert_eq(fw_ledger_check(l, err, sizeof err), 0, "%s", err);
    fw_ledger_begin_tick(l);
    cr_assert_eq(fw_ledger_tick_delta(l, fw_acc(0, FW_ACC_CASH)), 0);
    fw_ledger_destroy(&l);
}

Test(fw_ledger, hash_changes_with_balances)
{
    fw_ledger_t *a = fw_ledger_new(2), *b = fw_ledger_new(2);
    cr_assert_eq(fw_ledger_hash(a), fw_ledger_hash(b));
    fw_ledger_transfer(b, fw_acc(0, FW_ACC_CASH), fw_acc(1, FW_ACC_CASH), 1, "x");
    cr_assert_neq(fw_ledger_hash(a), fw_ledger_hash(b));
    fw_ledger_destroy(&a);
    fw_ledger_destroy(&b);
}
