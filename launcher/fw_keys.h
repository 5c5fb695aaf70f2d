/* fw_keys: `flywheel keys new DIR NAME`, the CURVE key pairs of a game
 * (docs/security.md). */
#ifndef FW_KEYS_H
#define FW_KEYS_H

#include <stdio.h>

/* The command's help. */
void fw_keys_usage(FILE *f);

/* Runs `flywheel keys ...` (argv[0] is "keys"). Returns the exit code: 0, 1 when the
 * files cannot be written, 2 on bad usage. */
int fw_keys_main(int argc, char **argv);

#endif
