/* fw_human_tui: see fw_human_tui.h. Curses lives in this file only. */
#include "fw_clock.h"
#include "fw_human_tui.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_human.h"
#include "fw_proto.h"

#define S_SLICE_MS 200            /* the loop wakes at least this often (countdown) */
#define S_OVER_LINGER_MS 600000   /* after the game, the last screen stays this long */

enum { PAIR_TITLE = 1, PAIR_HEADING, PAIR_PROMPT, PAIR_ALERT };

/* Curses key codes to the model's. */
static int s_key(int ch)
{
    switch (ch) {
    case '\n': case '\r': case KEY_ENTER: return FW_HUMAN_KEY_ENTER;
    case 27: return FW_HUMAN_KEY_ESCAPE;
    case KEY_BACKSPACE: case 127: case 8: return FW_HUMAN_KEY_BACKSPACE;
    case KEY_UP: return FW_HUMAN_KEY_UP;
    case KEY_DOWN: return FW_HUMAN_KEY_DOWN;
    case KEY_F(1): return FW_HUMAN_KEY_HELP;
    default: break;
    }
    if (ch >= 0 && ch < 128)
        return ch;
    return FW_HUMAN_KEY_OTHER; /* function keys, mouse, bytes of UTF-8: hinted, ignored */
}

static void s_draw_lines(const fw_human_line_t *lines, size_t n)
{
    erase();
    for (size_t i = 0; i < n && (int)i < LINES; i++) {
        attr_t attr = A_NORMAL;
        short pair = 0;
        switch (lines[i].style) {
        case FW_HUMAN_TITLE: attr = A_REVERSE | A_BOLD; pair = PAIR_TITLE; break;
        case FW_HUMAN_HEADING: attr = A_BOLD; pair = PAIR_HEADING; break;
        case FW_HUMAN_PROMPT: attr = A_BOLD; pair = PAIR_PROMPT; break;
        case FW_HUMAN_ALERT: attr = A_BOLD; pair = PAIR_ALERT; break;
        default: break;
        }
        if (pair && has_colors())
            attr |= COLOR_PAIR(pair);
        attron(attr);
        mvaddnstr((int)i, 0, lines[i].text, COLS);
        attroff(attr);
    }
    refresh();
}

static void s_draw(const fw_human_t *h)
{
    static fw_human_line_t lines[200];
    size_t n = fw_human_render(h, fw_clock_unix_ms(), (size_t)(LINES > 0 ? LINES : 24),
                               (size_t)(COLS > 0 ? COLS : 80), lines, 200);
    s_draw_lines(lines, n);
}

static void s_draw_waiting(const fw_agent_config_t *cfg, const char *what)
{
    fw_human_line_t lines[4];
    memset(lines, 0, sizeof lines);
    snprintf(lines[0].text, sizeof lines[0].text, " FLYWHEEL ");
    lines[0].style = FW_HUMAN_TITLE;
    snprintf(lines[1].text, sizeof lines[1].text, "%s %s for seat %s ...", what, cfg->url,
             cfg->seat && cfg->seat[0] ? cfg->seat : "(any free seat)");
    snprintf(lines[3].text, sizeof lines[3].text, "Ctrl-C gives up.");
    s_draw_lines(lines, 4);
}

static int s_send(void *sock, const fw_envelope_t *env, char *msg, size_t len)
{
    int rc = fw_proto_send(sock, env);
    if (rc != FW_PROTO_OK)
        snprintf(msg, len, "cannot send to the coordinator: %s", fw_proto_strerror(rc));
    return rc;
}

int fw_human_play(const fw_agent_config_t *cfg, char *reason, size_t reason_len)
{
    char msg[256] = "";
    int outcome = FW_AGENT_EIO;
    void *sock = NULL;
    SCREEN *screen = NULL;
    fw_human_t *h = NULL;
    fw_envelope_t *in = NULL;
    int64_t over_since = -1;

    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(msg, sizeof msg, "the human strategy needs a terminal (stdin and stdout)");
        outcome = FW_AGENT_EUSAGE;
        goto out;
    }
    sock = fw_agent_connect(cfg, 5000, &outcome, msg, sizeof msg);
    if (!sock)
        goto out;
    fw_envelope_t hello_env;
    Flywheel__V1__Hello hello;
    fw_agent_hello_for(cfg, &hello_env, &hello);
    if (s_send(sock, &hello_env, msg, sizeof msg) != FW_PROTO_OK)
        goto out;

    screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        snprintf(msg, sizeof msg, "cannot drive this terminal (is TERM set?)");
        outcome = FW_AGENT_EUSAGE;
        goto out;
    }
    set_escdelay(25);
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(0);
    if (has_colors()) {
        start_color();
        use_default_colors();
        init_pair(PAIR_TITLE, COLOR_WHITE, COLOR_BLUE);
        init_pair(PAIR_HEADING, COLOR_CYAN, -1);
        init_pair(PAIR_PROMPT, COLOR_YELLOW, -1);
        init_pair(PAIR_ALERT, COLOR_RED, -1);
    }

    int64_t welcome_by = fw_clock_ms() + cfg->idle_timeout_ms;
    s_draw_waiting(cfg, "Connecting to");
    for (;;) {
        zmq_pollitem_t items[2] = {{sock, 0, ZMQ_POLLIN, 0}, {NULL, STDIN_FILENO, ZMQ_POLLIN, 0}};
        int polled = zmq_poll(items, 2, S_SLICE_MS);
        if (cfg->stop && *cfg->stop) {
            if (h && over_since < 0)
                (void)s_send(sock, fw_human_bye(h), msg, sizeof msg);
            snprintf(msg, sizeof msg, "interrupted");
            outcome = FW_AGENT_STOPPED;
            goto out;
        }
        if (polled < 0 && zmq_errno() != EINTR) {
            snprintf(msg, sizeof msg, "poll failed: %s", zmq_strerror(zmq_errno()));
            goto out;
        }
        /* Messages from the coordinator. */
        int rc;
        while ((rc = fw_proto_recv(sock, 0, &in)) != FW_PROTO_ETIMEDOUT) {
            if (rc == FW_PROTO_EINTR)
                break;
            if (rc != FW_PROTO_OK) {
                fw_proto_free(&in);
                continue; /* unreadable: the coordinator is alive; carry on */
            }
            if (!h) {
                if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_WELCOME) {
                    h = fw_human_new(in, msg, sizeof msg);
                    if (!h) {
                        outcome = FW_AGENT_EUSAGE;
                        goto out;
                    }
                } else if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL) {
                    snprintf(msg, sizeof msg, "%s", in->refusal ? in->refusal->reason : "refused");
                    outcome = FW_AGENT_REFUSED;
                    goto out;
                } else if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_BYE) {
                    snprintf(msg, sizeof msg, "the game ended before it started");
                    outcome = FW_AGENT_BYE;
                    goto out;
                }
            } else {
                int r = fw_human_on_message(h, in, fw_clock_unix_ms());
                if (r == FW_AGENT_REFUSED) {
                    snprintf(msg, sizeof msg, "%s", in->refusal ? in->refusal->reason : "refused");
                    outcome = FW_AGENT_REFUSED;
                    goto out;
                }
                if (r == FW_AGENT_BYE && over_since < 0) {
                    over_since = fw_clock_ms();
                    snprintf(msg, sizeof msg, "%s",
                             in->bye && in->bye->reason ? in->bye->reason : "bye");
                }
            }
            fw_proto_free(&in);
        }
        if (!h) {
            if (fw_clock_ms() > welcome_by) {
                snprintf(msg, sizeof msg, "no answer from the coordinator at %s", cfg->url);
                outcome = FW_AGENT_LOST;
                goto out;
            }
            int ch;
            while ((ch = getch()) != ERR)
                ; /* nothing to do with keys yet */
            s_draw_waiting(cfg, "Connecting to");
            continue;
        }
        /* Keys. */
        int ch;
        while ((ch = getch()) != ERR) {
            if (ch == KEY_RESIZE)
                continue;
            fw_human_do_t act = fw_human_key(h, s_key(ch), fw_clock_unix_ms());
            if (act == FW_HUMAN_QUIT) {
                if (over_since < 0) {
                    (void)s_send(sock, fw_human_bye(h), msg, sizeof msg);
                    snprintf(msg, sizeof msg, "you left the game");
                    outcome = FW_AGENT_STOPPED;
                } else {
                    outcome = FW_AGENT_BYE;
                }
                goto out;
            }
            if (act == FW_HUMAN_SEND) {
                const fw_envelope_t *a = fw_human_actions(h);
                if (a && s_send(sock, a, msg, sizeof msg) != FW_PROTO_OK)
                    goto out;
            }
        }
        if (fw_human_clock(h, fw_clock_unix_ms()) == FW_HUMAN_SEND) {
            const fw_envelope_t *a = fw_human_actions(h);
            if (a && s_send(sock, a, msg, sizeof msg) != FW_PROTO_OK)
                goto out;
        }
        if (over_since >= 0 && fw_clock_ms() - over_since > S_OVER_LINGER_MS) {
            outcome = FW_AGENT_BYE;
            goto out;
        }
        s_draw(h);
    }

out:
    if (screen) {
        endwin();
        delscreen(screen);
    }
    if (h && fw_human_token(h)[0] && outcome != FW_AGENT_BYE)
        printf("To take your seat back: flywheel play %s %s --resume %s\n", cfg->url,
               cfg->seat && cfg->seat[0] ? cfg->seat : "SEAT", fw_human_token(h));
    fw_human_destroy(&h);
    fw_proto_free(&in);
    if (sock)
        zmq_close(sock);
    if (reason && reason_len > 0)
        snprintf(reason, reason_len, "%s", msg);
    return outcome;
}
