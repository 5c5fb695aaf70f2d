/* fw_human_text: the words on a player's screen that do not depend on the screen:
 * numbers and money as a person reads them, amounts as a person types them, and what
 * the coordinator's rejections and refusals mean, in plain language.
 *
 * The coordinator writes its reasons for programs and logs ("compute_bids[0]", "aws
 * 'gpu' oversubscribed: got 12000 of 40000"); a student reads "Your bid to rent gpu
 * compute from aws: you got 12,000 of the 40,000 H100-months you asked for; ...".
 * The translation is a table of the coordinator's reason formats (coordinator/
 * fw_stage_*.c and fw_ground.c, fm_reject; coordinator/fw_coord.c, s_refuse), each
 * with the sentence the player reads and what to do next. A reason not in the table
 * is shown as it is, without the list[index] prefix, never with field names added.
 *
 * Every function writes at most len bytes, NUL-terminated (len > 0), and keeps no
 * state: it is safe to call from anywhere.
 */
#ifndef FW_HUMAN_TEXT_H
#define FW_HUMAN_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "fw_proto.h"

/* "$12.3B", "$450.0M", "$1,750", "$950" (dollars), or the same without "$" for
 * quantities: exact below 100,000 (a player compares prices digit by digit), then
 * one decimal with k, M, B or T (fw_money_format's FW_MONEY_SCREEN style). */
void fw_human_text_number(char *buf, size_t len, int64_t v, int dollars);

/* A whole number as a player would type it into a field, exact: digits below 100,000
 * ("2100"), else with a suffix when it is round ("20B", "2.5M", "150k"). */
void fw_human_text_amount(char *buf, size_t len, int64_t v);

/* Parses what a person types for an amount: "40000", "40k", "2.5M", "$1,000", "3B".
 * Returns 0 with *out >= 1, or -1 (not a number, below 1, or too large). */
int fw_human_text_parse_amount(const char *text, int64_t *out);

/* Splits a Rejection's action, "compute_bids[3]", into its list ("compute_bids") and
 * index (3). Returns 0, or -1 if action is not of that form. */
int fw_human_text_action(const char *action, char *list, size_t list_len, size_t *index);

/* A move of `list` named in general, when the client does not know which move it was:
 * whose = "Your" gives "Your bid to rent compute". */
void fw_human_text_move_kind(char *buf, size_t len, const char *list, const char *whose);

/* A Rejection (action, reason) as the player reads it. `move` names the move as the
 * player saw it ("Your bid to rent gpu compute from aws"), or is NULL: then it is
 * named in general from the action's list. */
void fw_human_text_rejection(char *buf, size_t len, const char *action, const char *reason,
                             const char *move);

/* A Refusal of the player's own message, as the player reads it, with what to do. */
void fw_human_text_refusal(char *buf, size_t len, Flywheel__V1__RefusalCode code,
                           const char *reason);

#endif
