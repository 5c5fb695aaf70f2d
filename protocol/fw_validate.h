/* fw_validate: what the coordinator checks in an agent's envelope before anything
 * else reads it, so a hostile or broken agent is refused with a reason code and the
 * run goes on.
 *
 * These are checks of form, not of the market's rules (those are the stages'
 * refusals in TickResult): enum values the schema defines, no negative quantity,
 * price or amount, no price x quantity beyond 64-bit dollars, finite numbers, lists
 * of a bounded length. Strings are not refused: they are cleaned where they are
 * shown (fw_text_clean). */
#ifndef FW_VALIDATE_H
#define FW_VALIDATE_H

#include <stddef.h>

#include "fw_proto.h"

/* Most entries in any one list of an Actions. */
#define FW_VALIDATE_MAX_ITEMS 4096

/* Checks an envelope from an agent. Returns REFUSAL_UNSPECIFIED (0) if it may go on,
 * or the refusal code with a one-line reason in why (always NUL-terminated). */
Flywheel__V1__RefusalCode fw_validate_from_agent(const fw_envelope_t *env, char *why,
                                                 size_t why_len);

#endif
