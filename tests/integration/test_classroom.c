/* The classroom guide, run as written: the first `build/flywheel keys new`, `serve` and
 * `play` command of docs/classroom.md (encrypted, as a class is), with a shorter game
 * appended, and a student at a pseudo-terminal playing three ticks with scripted keystrokes:
 * a move typed by hand, then random keys, then Enter alone. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_curve.h"
#include "fw_proto.h"
#include "fw_socket.h"
#include "fw_testproc.h"

static fw_procs_t s_procs;
static char s_dir[64];
static void *s_ctx, *s_sub;
static pid_t s_student = -1;
static int s_pty = -1;
static char *s_screen;    /* everything the student's terminal received */
static size_t s_screen_len, s_screen_cap;

static void s_setup(void)
{
    cr_assert_not_null(fw_test_tmpdir(s_dir, sizeof s_dir));
    s_ctx = zmq_ctx_new();
}

static void s_teardown(void)
{
    if (s_student > 0) {
        kill(s_student, SIGKILL);
        waitpid(s_student, NULL, 0);
    }
    if (s_pty >= 0)
        close(s_pty);
    if (s_sub)
        zmq_close(s_sub);
    zmq_ctx_term(s_ctx);
    fw_procs_cleanup(&s_procs);
    free(s_screen);
    fw_test_rmtree(s_dir);
}

TestSuite(classroom, .init = s_setup, .fini = s_teardown, .timeout = 120);

/* The first line of the guide that starts with `prefix`, split at spaces into argv
 * (the words are copied into `store`). Returns the number of words. */
static int s_guide_command(const char *prefix, char *store, size_t cap, char **argv, int max)
{
    char path[1024];
    fw_test_source_path(path, sizeof path, "docs/classroom.md");
    char *text = fw_test_read_file(path, NULL);
    cr_assert_not_null(text, "cannot read %s", path);
    char *line = NULL;
    for (char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        char *q = p;
        while (*q == ' ')
            q++;
        if (strncmp(q, prefix, strlen(prefix)) == 0) {
            line = q;
            break;
        }
    }
    cr_assert_not_null(line, "docs/classroom.md has no '%s' command", prefix);
    size_t len = strcspn(line, "\n");
    cr_assert_lt(len, cap);
    memcpy(store, line, len);
    store[len] = '\0';
    free(text);
    int n = 0;
    for (char *w = strtok(store, " "); w && n < max - 1; w = strtok(NULL, " "))
        argv[n++] = w;
    argv[n] = NULL;
    return n;
}

/* Reads what the student's terminal shows (non-blocking) into s_screen. */
static void s_drain(int wait_ms)
{
    struct pollfd p = {s_pty, POLLIN, 0};
    while (poll(&p, 1, wait_ms) > 0) {
        char buf[4096];
        ssize_t n = read(s_pty, buf, sizeof buf);
        if (n <= 0)
            return;
        if (s_screen_len + (size_t)n + 1 > s_screen_cap) {
            s_screen_cap = (s_screen_len + (size_t)n + 1) * 2;
            s_screen = realloc(s_screen, s_screen_cap);
        }
        memcpy(s_screen + s_screen_len, buf, (size_t)n);
        s_screen_len += (size_t)n;
        s_screen[s_screen_len] = '\0';
        wait_ms = 0;
    }
}

static int s_seen(const char *needle)
{
    return s_screen && strstr(s_screen, needle) != NULL;
}

/* Reads the screen until `needle` shows, at most timeout_ms. */
static int s_wait_seen(const char *needle, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms && !s_seen(needle); waited += 50)
        s_drain(50);
    return s_seen(needle);
}

static void s_keys(const char *keys)
{
    for (const char *k = keys; *k; k++) {
        cr_assert_eq(write(s_pty, k, 1), 1);
        s_drain(15);
    }
}

/* Sends the moves on screen for `tick`: Enter, again every 300 ms until the tick is
 * cleared (an Enter within a second of a new screen is held back on purpose, so that
 * a key typed as the screen changes never sends). */
static void s_send_tick(uint32_t tick)
{
    for (int waited = 0; waited < 30000; waited += 300) {
        s_keys("\r");
        for (int w = 0; w < 300; w += 50) {
            fw_envelope_t *env = NULL;
            int got = fw_proto_recv(s_sub, 50, &env) == FW_PROTO_OK && env->snapshot &&
                      env->snapshot->tick >= tick &&
                      env->snapshot->phase != FLYWHEEL__V1__PHASE__PHASE_LOBBY;
            fw_proto_free(&env);
            s_drain(0);
            if (got) {
                s_drain(300); /* the next TickStart reaches the student */
                return;
            }
        }
    }
    cr_assert_fail("tick %u was never cleared", tick);
}

Test(classroom, the_guides_commands_run_a_round_with_a_student_at_a_terminal)
{
    char serve_words[1024], play_words[1024], flywheel[1024], listen[256], publish[256],
        out[256], serve_log[256];
    char *serve[48], *play[24];
    int ns = s_guide_command("build/flywheel serve ", serve_words, sizeof serve_words, serve, 32);
    int np = s_guide_command("build/flywheel play ", play_words, sizeof play_words, play, 16);
    fw_test_build_path(flywheel, sizeof flywheel, "flywheel");
    snprintf(listen, sizeof listen, "ipc://%s/agents", s_dir);
    snprintf(publish, sizeof publish, "ipc://%s/observers", s_dir);
    snprintf(out, sizeof out, "%s/round", s_dir);
    snprintf(serve_log, sizeof serve_log, "%s/serve.log", s_dir);

    /* The game's keys, as the guide makes them, in this test's directory instead of
     * the tree's `keys`. */
    char keys_words[512], keys_dir[256], *keys_argv[8];
    int nk = s_guide_command("build/flywheel keys new ", keys_words, sizeof keys_words,
                             keys_argv, 8);
    snprintf(keys_dir, sizeof keys_dir, "%s/keys", s_dir);
    keys_argv[0] = flywheel;
    cr_assert_geq(nk, 5, "keys new DIR NAME");
    cr_assert_str_eq(keys_argv[3], "keys");
    keys_argv[3] = keys_dir; /* after "keys new" */
    cr_assert_eq(fw_procs_wait(&s_procs, fw_procs_start(&s_procs, keys_argv, NULL), 30000), 0,
                 "the guide's keys command");

    /* The teacher's command, as written, then a shorter game (the last value of an
     * option wins). Paths are relative to the source tree, as in the guide, but for
     * the keys. */
    char src[1024], key_paths[4][300];
    int n_keys = 0;
    fw_test_source_path(src, sizeof src, "");
    cr_assert_eq(chdir(src), 0);
    serve[0] = flywheel;
    for (int i = 1; i < ns; i++)
        if (strncmp(serve[i], "keys/", 5) == 0 && n_keys < 4) {
            snprintf(key_paths[n_keys], sizeof key_paths[n_keys], "%s/%s", s_dir, serve[i]);
            serve[i] = key_paths[n_keys++];
        }
    const char *extra[] = {"--ticks", "3", "--players", "1", "--pace", "deadline:20",
                           "--listen", listen, "--publish", publish, "--out", out};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        serve[ns++] = (char *)extra[i];
    serve[ns] = NULL;
    /* A pipe for the operator's keys: not a terminal, so it reads them as lines. */
    int keys[2];
    cr_assert_eq(pipe(keys), 0);
    int saved = dup(STDIN_FILENO);
    dup2(keys[0], STDIN_FILENO);
    int srv = fw_procs_start(&s_procs, serve, serve_log);
    dup2(saved, STDIN_FILENO);
    close(saved);
    close(keys[0]);
    char endpoints[300];
    snprintf(endpoints, sizeof endpoints, "%s/endpoints", out);
    cr_assert_eq(fw_test_wait_file(endpoints, 10000), 0, "serve did not start");
    /* Watching the game takes its public key, as the projector's viewer does. */
    char server_key_file[300], err[512], server_key[FW_CURVE_KEY_LEN + 1];
    snprintf(server_key_file, sizeof server_key_file, "%s/coordinator.key", keys_dir);
    fw_curve_pair_t self;
    int on = 0;
    cr_assert_eq(fw_socket_curve_client(server_key_file, NULL, &self, server_key, &on, err,
                                        sizeof err), 0, "%s", err);
    cr_assert_eq(fw_socket_subscriber(s_ctx, publish, NULL, 0, 0, &self, server_key, &s_sub, err,
                                      sizeof err), FW_SOCKET_OK, "%s", err);

    /* The student's command, as written, with this game's address and a seat. */
    play[0] = flywheel;
    for (int i = 1; i < np; i++) {
        if (strncmp(play[i], "tcp://TEACHER-IP:", 17) == 0)
            play[i] = listen;
        else if (strcmp(play[i], "SEAT") == 0)
            play[i] = "openai";
        else if (strcmp(play[i], "YOUR-NAME") == 0)
            play[i] = "student1";
        else if (strcmp(play[i], "../coordinator.key") == 0)
            play[i] = server_key_file;
    }
    struct winsize ws = {.ws_row = 40, .ws_col = 110};
    s_student = forkpty(&s_pty, NULL, NULL, &ws);
    cr_assert_geq(s_student, 0);
    if (s_student == 0) {
        setenv("TERM", "xterm", 1);
        execv(play[0], play);
        _exit(127);
    }
    fcntl(s_pty, F_SETFL, O_NONBLOCK);
    cr_assert(s_wait_seen("SEND", 10000), "the student's screen shows its keys; got:\n%s",
              s_screen ? s_screen : "(nothing)");
    cr_assert(s_seen("OpenAI"), "the screen names the company");
    cr_assert(s_wait_seen("Resume token", 5000), "screen:\n%s", s_screen);
    cr_assert(s_wait_seen("house bot's suggestion", 10000),
              "tick 1 starts, with the house bot's suggestion as the moves");

    /* Tick 1: clear the suggestion, add a bid by hand, send. */
    s_keys("c");
    s_keys("a");
    s_keys("aws\r");
    s_keys("gpu\r");
    s_keys("12345\r");
    s_keys("2500\r");
    s_send_tick(1);

    /* Tick 2: random keys (no quit, no Enter, no signals), then Esc, back to the
     * house bot's suggestion, and send. */
    srand(7);
    for (int i = 0; i < 400; i++) {
        char k = (char)(rand() % 256);
        if (k == 'q' || k == 'Q' || k == '\r' || k == '\n' || k == 3 || k == 26 || k == 28 ||
            k == 17 || k == 19 || k == 4 || k == 27)
            continue;
        char s2[2] = {k, 0};
        if (k == 0)
            continue;
        s_keys(s2);
    }
    s_keys("\033[A\033[15~\xc3\xa9"); /* an arrow, F5, a UTF-8 letter */
    struct timespec nap = {0, 150 * 1000000L};
    nanosleep(&nap, NULL);
    s_keys("\033");
    nanosleep(&nap, NULL);
    s_keys("\033");
    nanosleep(&nap, NULL);
    s_keys("h");
    s_send_tick(2);

    /* Tick 3: the help page and back, then Enter. */
    s_keys("?");
    cr_assert(s_wait_seen("HELP", 5000));
    s_keys("x");
    s_send_tick(3);

    cr_assert(s_wait_seen("game is over", 10000), "the student sees the end of the game");
    s_keys("q");
    int status = 0;
    for (int i = 0; i < 100 && waitpid(s_student, &status, WNOHANG) == 0; i++)
        s_drain(50);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the student's client exits 0");
    s_student = -1;
    cr_assert_eq(fw_procs_wait(&s_procs, srv, 20000), 0, "serve exits 0 after the game");
    close(keys[1]);

    /* The record: the student's moves were applied in each of the three ticks. */
    char path[300];
    snprintf(path, sizeof path, "%s/events.log", out);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    fw_envelope_t *env = NULL;
    int acted[4] = {0}, player[4] = {0}, bid1 = 0;
    while (fw_proto_read_delimited(f, &env) == FW_PROTO_OK) {
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_ACTIONS &&
            strcmp(env->seat, "openai") == 0 && env->tick <= 3) {
            acted[env->tick] = 1;
            if (env->tick == 1 && env->actions->n_compute_bids == 1 &&
                env->actions->compute_bids[0]->quantity == 12345 &&
                env->actions->compute_bids[0]->max_price == 2500 &&
                strcmp(env->actions->compute_bids[0]->provider, "aws") == 0)
                bid1 = 1;
        }
        if (env->body_case == FLYWHEEL__V1__ENVELOPE__BODY_SNAPSHOT && env->tick <= 3 &&
            env->snapshot->n_seats == 6)
            player[env->tick] = env->snapshot->seats[4]->holder ==
                                    FLYWHEEL__V1__HOLDER__HOLDER_PLAYER &&
                                strcmp(env->snapshot->seats[4]->player, "student1") == 0;
        fw_proto_free(&env);
    }
    fclose(f);
    cr_assert(bid1, "tick 1 carries the bid typed by hand");
    for (int t = 1; t <= 3; t++) {
        cr_assert(acted[t], "the student acted in tick %d", t);
        cr_assert(player[t], "student1 held openai in tick %d", t);
    }
    char *log = fw_test_read_file(serve_log, NULL);
    cr_assert(log && strstr(log, "Lobby"), "the teacher saw the lobby");
    cr_assert(strstr(log, "[tick 3/3]"), "and the ticks");
    cr_assert(strstr(log, "books balanced: yes"), "and the final table");
    free(log);
}
