/* fw_keys: see fw_keys.h. */
#include "fw_keys.h"

#include <string.h>

#include "fw_curve.h"

#define EXIT_FAILED 1
#define EXIT_USAGE 2

void fw_keys_usage(FILE *f)
{
    fprintf(f,
            "usage: flywheel keys new DIR NAME...\n"
            "\n"
            "Makes a CURVE key pair for each NAME, in ZeroMQ's certificate format:\n"
            "  DIR/NAME.key          the public key: give it to the other side\n"
            "  DIR/NAME.key_secret   the public and secret key (mode 0600): keep it\n"
            "DIR is created if missing (mode 0700); an existing file is never replaced.\n"
            "\n"
            "The coordinator's pair goes to `serve --curve-secret`, its NAME.key to every\n"
            "player and viewer (`play --server-key`). A player's NAME.key goes into the\n"
            "directory given to `serve --allow`; NAME is then who the player is, and a\n"
            "NAME that is a seat's id plays that seat only. See docs/security.md.\n"
            "\n"
            "Example, a class of two teams with their own keys:\n"
            "  flywheel keys new keys coordinator\n"
            "  flywheel keys new allowed openai anthropic    (one pair per team)\n"
            "\n"
            "Exit status: 0 written, 1 a file could not be written, 2 usage error.\n");
}

int fw_keys_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fw_keys_usage(stdout);
        return 0;
    }
    if (argc < 4 || strcmp(argv[1], "new") != 0) {
        fprintf(stderr, "flywheel keys: expected `flywheel keys new DIR NAME...`\n");
        fw_keys_usage(stderr);
        return EXIT_USAGE;
    }
    const char *dir = argv[2];
    for (int i = 3; i < argc; i++) {
        fw_curve_pair_t pair;
        char err[512];
        if (fw_curve_new(dir, argv[i], &pair, err, sizeof err) != 0) {
            fprintf(stderr, "flywheel keys: %s\n", err);
            return strstr(err, "cannot name") ? EXIT_USAGE : EXIT_FAILED;
        }
        printf("%s/%s.key_secret  (keep it)\n%s/%s.key         public key %s\n", dir, argv[i],
               dir, argv[i], pair.public_key);
    }
    return 0;
}
