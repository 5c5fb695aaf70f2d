/* fw_human_tui: the terminal and socket around fw_human, for `flywheel-agent
 * --strategy human` (and `flywheel play`).
 *
 * Connects a DEALER socket to the coordinator, says Hello (with the resume token and
 * the player's name when given), then runs one loop: messages from the coordinator go
 * to the model, keys from the terminal go to the model, the clock lets the model send
 * before the deadline, and the screen is redrawn with curses. It needs a terminal on
 * stdin and stdout; logging is expected to be off (it would scribble on the screen).
 */
#ifndef FW_HUMAN_TUI_H
#define FW_HUMAN_TUI_H

#include <stddef.h>

#include "fw_agent.h"
#include "fw_agent_run.h"

/* Plays cfg->seat with a person at the terminal until the game ends, the player
 * quits, a fatal refusal, or *cfg->stop. Uses cfg's zmq_ctx, url, seat, role,
 * resume_token, name, idle_timeout_ms (for the Welcome only: a game may pause for
 * long) and stop. Returns an fw_agent_outcome_t like fw_agent_run, with a one-line
 * reason in `reason` (always NUL-terminated when reason_len > 0); the player quitting
 * is FW_AGENT_STOPPED. */
int fw_human_play(const fw_agent_config_t *cfg, char *reason, size_t reason_len);

#endif
