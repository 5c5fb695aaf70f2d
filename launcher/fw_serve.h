/* fw_serve: the network-play commands of the `flywheel` launcher.
 *
 *   flywheel serve SCENARIO [options]  runs a coordinator for players on the network,
 *                                      with house bots, a lobby, a turn timer, and
 *                                      the operator's keys (pause, resume, start, quit)
 *   flywheel play URL SEAT [options]   a person plays SEAT at this terminal
 *
 * These are commands, not library code: they print to the operator's terminal.
 * docs/network.md and docs/classroom.md are their user pages.
 */
#ifndef FW_SERVE_H
#define FW_SERVE_H

#include <stdio.h>

/* Runs `flywheel serve`; argv[0] is "serve". Returns the process exit code: 0 the
 * game ran to its end, 1 it failed, 2 usage or scenario error, 130 stopped (q or
 * Ctrl-C; the outputs cover the ticks played). */
int fw_serve_main(int argc, char **argv);

/* Runs `flywheel play`; argv[0] is "play". Replaces the process with flywheel-agent
 * --strategy human; returns only on a usage error (2) or if that fails (1). */
int fw_play_main(int argc, char **argv);

/* The help texts of both commands. */
void fw_serve_usage(FILE *f);
void fw_play_usage(FILE *f);

#endif
