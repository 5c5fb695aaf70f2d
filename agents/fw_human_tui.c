/* fw_human_tui: see fw_human_tui.h. Curses lives in this file only.
 *
 * The connection. The DEALER socket has ZMTP heartbeats and a watch (fw_watch), so a
 * game server that died or stopped answering is seen within seconds, whatever the
 * game is doing. Contact is lost when the watch says the connection went down after
 * the Welcome; the screen then says so with a countdown to ZeroMQ's next attempt, and
 * a fresh socket says Hello again with the seat's resume token, so the seat comes
 * back by itself when the game does. A socket that never reaches anything says so
 * after a few seconds. Every change is logged (stderr, when it is not the screen), so
 * a test or a teacher can follow what the player saw.
 */
#include "fw_clock.h"
#include "fw_human_tui.h"

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "fw_human.h"
#include "fw_log.h"
#include "fw_proto.h"
#include "fw_socket.h"
#include "fw_watch.h"

#define S_SLICE_MS 50             /* the loop wakes at least this often: a short turn's
                                   * send-before-the-deadline window is 1/4 of it */
#define S_REDRAW_MS 200           /* the screen is redrawn at least this often (countdown) */
#define S_OVER_LINGER_MS 600000   /* after the game, the last screen stays this long */
#define S_UNREACHED_MS 3000       /* nothing answered this long: say so */
#define S_RETRY_MS 1000           /* ZeroMQ's reconnection interval (fw_agent_connect) */
#define S_BYE_LINGER_MS 1000      /* time a leaving player's Bye has to get out */

enum { PAIR_TITLE = 1, PAIR_HEADING, PAIR_PROMPT, PAIR_ALERT };

/* The connection and what the player has been told about it. */
typedef struct {
    const fw_agent_config_t *cfg;
    void *sock;                 /* the DEALER, or NULL between a loss and the next try */
    fw_watch_t *watch;          /* of sock */
    char token[64];             /* the seat's resume token: cfg's, then the Welcome's */
    int welcomed;               /* this socket got its Welcome */
    int64_t opened_ms;          /* monotonic: when this socket was made */
    int64_t lost_unix_ms;       /* contact lost at (Unix ms); 0 = in contact */
    int64_t retry_unix_ms;      /* next attempt expected at (Unix ms) */
    unsigned failures;          /* the watch's failed attempts, to time the countdown */
    int told_unreached;         /* the player was told nothing answers */
    uint32_t logged_tick;       /* last tick logged as on screen */
    char logged_message[256];   /* last message line logged */
} s_link_t;

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

/* The screen before the first Welcome: where we are trying, and, once nothing has
 * answered for a few seconds, what the player can do about it. */
static void s_draw_connecting(const s_link_t *l)
{
    const fw_agent_config_t *cfg = l->cfg;
    fw_human_line_t lines[8];
    size_t n = 0;
    int64_t waited = fw_clock_ms() - l->opened_ms;
    memset(lines, 0, sizeof lines);
    snprintf(lines[n].text, sizeof lines[n].text, " FLYWHEEL ");
    lines[n++].style = FW_HUMAN_TITLE;
    snprintf(lines[n++].text, sizeof lines[0].text, "Connecting to %.100s for seat %.40s ...",
             cfg->url, cfg->seat && cfg->seat[0] ? cfg->seat : "(any free seat)");
    n++;
    if (fw_watch_state(l->watch) == FW_WATCH_NEVER && waited >= S_UNREACHED_MS) {
        snprintf(lines[n].text, sizeof lines[0].text,
                 "Nothing answers at %.100s (for %lld s).", cfg->url,
                 (long long)(waited / 1000));
        lines[n++].style = FW_HUMAN_ALERT;
        snprintf(lines[n++].text, sizeof lines[0].text,
                 "Check the address on the teacher's screen (like tcp://192.168.1.10:5555)");
        snprintf(lines[n++].text, sizeof lines[0].text,
                 "and that the game is served. Still trying every second.");
    } else if (fw_watch_state(l->watch) == FW_WATCH_UP) {
        snprintf(lines[n++].text, sizeof lines[0].text,
                 "Connected; waiting for the game server to give you the seat.");
    }
    n++;
    snprintf(lines[n++].text, sizeof lines[0].text, "Ctrl-C gives up.");
    s_draw_lines(lines, n);
}

static int s_send(void *sock, const fw_envelope_t *env, char *msg, size_t len)
{
    int rc = fw_proto_send(sock, env);
    if (rc != FW_PROTO_OK)
        snprintf(msg, len, "cannot send to the game server: %s", fw_proto_strerror(rc));
    return rc;
}

static void s_close(s_link_t *l)
{
    fw_watch_destroy(&l->watch);
    if (l->sock)
        zmq_close(l->sock);
    l->sock = NULL;
}

/* A fresh socket that says Hello (with the resume token once we have one). Returns
 * an fw_agent_outcome_t: 0, or an error with the reason in msg. */
static int s_open(s_link_t *l, char *msg, size_t len)
{
    fw_agent_config_t cfg = *l->cfg;
    int outcome = FW_AGENT_EIO;
    fw_envelope_t env;
    Flywheel__V1__Hello hello;
    cfg.resume_token = l->token;
    l->sock = fw_agent_connect(&cfg, 5000, &l->watch, &outcome, msg, len);
    if (!l->sock)
        return outcome;
    l->welcomed = 0;
    l->opened_ms = fw_clock_ms();
    l->failures = 0;
    fw_agent_hello_for(&cfg, &env, &hello);
    if (s_send(l->sock, &env, msg, len) != FW_PROTO_OK) {
        s_close(l);
        return FW_AGENT_EIO;
    }
    fw_log_info("player", "hello sent to %s for seat %s%s", cfg.url,
                cfg.seat && cfg.seat[0] ? cfg.seat : "(any)",
                l->token[0] ? " with the resume token" : "");
    return 0;
}

/* Contact is lost: the screen says so; a fresh socket says Hello with the token. */
static int s_lost(s_link_t *l, fw_human_t *h, char *msg, size_t len)
{
    l->lost_unix_ms = fw_clock_unix_ms();
    l->retry_unix_ms = l->lost_unix_ms + S_RETRY_MS;
    fw_log_warn("player", "lost contact with the game server at %s; trying again",
                l->cfg->url);
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, l->lost_unix_ms, l->retry_unix_ms);
    s_close(l);
    return s_open(l, msg, len);
}

/* Follows the watch while contact is lost: the countdown restarts at each failed
 * attempt, as ZeroMQ tries again a second later. */
static void s_follow_attempts(s_link_t *l, fw_human_t *h)
{
    unsigned failures = fw_watch_failures(l->watch);
    int64_t now = fw_clock_unix_ms();
    if (failures != l->failures || now > l->retry_unix_ms) {
        l->failures = failures;
        l->retry_unix_ms = now + S_RETRY_MS;
    }
    fw_human_set_link(h, FW_HUMAN_LINK_LOST, l->lost_unix_ms, l->retry_unix_ms);
}

/* Logs what changed on the player's screen: the tick shown and the message line. */
static void s_log_screen(s_link_t *l, const fw_human_t *h)
{
    const char *m = fw_human_message(h);
    if (fw_human_tick(h) != l->logged_tick) {
        l->logged_tick = fw_human_tick(h);
        fw_log_info("player", "tick %u on screen", l->logged_tick);
    }
    if (strcmp(m, l->logged_message) != 0) {
        snprintf(l->logged_message, sizeof l->logged_message, "%s", m);
        if (m[0])
            fw_log_info("player", "screen: %s", m);
    }
}

/* Sends the model's Actions for the tick on screen, if it has any to send. */
static int s_send_actions(s_link_t *l, fw_human_t *h, char *msg, size_t len)
{
    if (!l->sock || !l->welcomed)
        return FW_PROTO_OK; /* no contact: the model tells the player why nothing goes */
    const fw_envelope_t *a = fw_human_actions(h);
    if (!a)
        return FW_PROTO_OK;
    int rc = s_send(l->sock, a, msg, len);
    if (rc == FW_PROTO_OK)
        fw_log_info("player", "sent %zu moves for tick %u", fw_human_moves(h), a->tick);
    return rc;
}

/* Says Bye and gives it a moment to get out before the socket closes. */
static void s_say_bye(s_link_t *l, fw_human_t *h)
{
    char ignored[128];
    if (!l->sock || !l->welcomed)
        return;
    (void)s_send(l->sock, fw_human_bye(h), ignored, sizeof ignored);
    (void)fw_socket_set_linger(l->sock, S_BYE_LINGER_MS); /* failing, it costs only the Bye */
}

/* The reason of a Refusal that ends the seat, with what the player can do about it. */
static void s_refused(const s_link_t *l, const fw_human_t *h, const fw_envelope_t *in,
                      char *msg, size_t len)
{
    const char *why = in->refusal && in->refusal->reason ? in->refusal->reason : "refused";
    const char *seat = l->cfg->seat && l->cfg->seat[0] ? l->cfg->seat : "SEAT";
    if (h)
        snprintf(msg, len, "the game server no longer knows your seat (%.120s): the game was "
                 "probably restarted. Join the new one with: flywheel play %.100s %.40s",
                 why, l->cfg->url, seat);
    else if (in->refusal && in->refusal->code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_UNKNOWN_SEAT)
        snprintf(msg, len, "%.300s. Try again with one of them: flywheel play %.100s SEAT",
                 why, l->cfg->url);
    else if (in->refusal && in->refusal->code == FLYWHEEL__V1__REFUSAL_CODE__REFUSAL_SEAT_TAKEN)
        snprintf(msg, len, "%.300s. Pick another seat, or ask the teacher which are free.",
                 why);
    else
        snprintf(msg, len, "%.300s", why);
}

int fw_human_play(const fw_agent_config_t *cfg, char *reason, size_t reason_len)
{
    char msg[512] = "";
    int outcome = FW_AGENT_EIO;
    SCREEN *screen = NULL;
    fw_human_t *h = NULL;
    fw_envelope_t *in = NULL;
    int64_t over_since = -1;
    s_link_t link;

    memset(&link, 0, sizeof link);
    link.cfg = cfg;
    snprintf(link.token, sizeof link.token, "%s", cfg->resume_token ? cfg->resume_token : "");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        snprintf(msg, sizeof msg, "the human strategy needs a terminal (stdin and stdout)");
        outcome = FW_AGENT_EUSAGE;
        goto out;
    }
    outcome = s_open(&link, msg, sizeof msg);
    if (outcome != 0)
        goto out;

    /* The terminal's character set, so curses writes a UTF-8 name (or a company's) as
     * the characters it is, not as M-x escapes. LC_CTYPE only: numbers and money
     * keep the C locale's format everywhere else (logs, the wire, strtod). */
    setlocale(LC_CTYPE, "");
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

    /* Contact with the game server: the Welcome, or, once lost, the way back. Both
     * give up after the idle timeout without it. */
    int64_t contact_ms = fw_clock_ms(), drawn_ms = 0;
    s_draw_connecting(&link);
    for (;;) {
        zmq_pollitem_t items[2] = {{link.sock, 0, ZMQ_POLLIN, 0},
                                   {NULL, STDIN_FILENO, ZMQ_POLLIN, 0}};
        int polled = zmq_poll(items, 2, S_SLICE_MS);
        if (cfg->stop && *cfg->stop) {
            if (h && over_since < 0)
                s_say_bye(&link, h);
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
        while (link.sock && (rc = fw_proto_recv(link.sock, 0, &in)) != FW_PROTO_ETIMEDOUT) {
            if (rc == FW_PROTO_EINTR)
                break;
            if (rc != FW_PROTO_OK) {
                fw_proto_free(&in);
                continue; /* unreadable: the coordinator is alive; carry on */
            }
            if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_WELCOME && in->welcome) {
                if (!h) {
                    h = fw_human_new(in, msg, sizeof msg);
                    if (!h) {
                        outcome = FW_AGENT_EUSAGE;
                        goto out;
                    }
                    fw_human_set_address(h, cfg->url, cfg->name);
                    fw_human_set_key_options(h, cfg->key_options);
                    fw_log_info("player", "welcome: seat %s, resume token: %s",
                                in->welcome->seat, in->welcome->resume_token);
                } else {
                    (void)fw_human_on_message(h, in, fw_clock_unix_ms());
                    fw_human_set_link(h, FW_HUMAN_LINK_UP, 0, 0);
                    fw_log_info("player", "back in the game: seat %s", in->welcome->seat);
                }
                snprintf(link.token, sizeof link.token, "%s", in->welcome->resume_token);
                link.welcomed = 1;
                link.lost_unix_ms = 0;
            } else if (!h) {
                if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_REFUSAL && in->refusal &&
                    fw_agent_refusal_is_fatal(in->refusal->code)) {
                    s_refused(&link, h, in, msg, sizeof msg);
                    outcome = FW_AGENT_REFUSED;
                    goto out;
                }
                if (in->body_case == FLYWHEEL__V1__ENVELOPE__BODY_BYE) {
                    snprintf(msg, sizeof msg, "the game ended before it started");
                    outcome = FW_AGENT_BYE;
                    goto out;
                }
            } else {
                int r = fw_human_on_message(h, in, fw_clock_unix_ms());
                if (r == FW_AGENT_REFUSED) {
                    s_refused(&link, h, in, msg, sizeof msg);
                    outcome = FW_AGENT_REFUSED;
                    goto out;
                }
                if (r == FW_AGENT_BYE && over_since < 0) {
                    over_since = fw_clock_ms();
                    snprintf(msg, sizeof msg, "%s",
                             in->bye && in->bye->reason ? in->bye->reason : "bye");
                    fw_log_info("player", "the game is over: %s", msg);
                }
            }
            fw_proto_free(&in);
        }
        /* The connection. */
        if (link.sock)
            fw_watch_poll(link.watch, fw_clock_ms());
        if (link.welcomed || over_since >= 0)
            contact_ms = fw_clock_ms();
        if (h && over_since < 0) {
            if (link.welcomed && fw_watch_state(link.watch) == FW_WATCH_DOWN) {
                outcome = s_lost(&link, h, msg, sizeof msg);
                if (outcome != 0)
                    goto out;
            } else if (!link.welcomed) {
                s_follow_attempts(&link, h);
            }
        }
        if (!link.welcomed && over_since < 0 && fw_clock_ms() - contact_ms > cfg->idle_timeout_ms) {
            snprintf(msg, sizeof msg, "no answer from the game server at %s for %d s%s", cfg->url,
                     cfg->idle_timeout_ms / 1000,
                     fw_watch_state(link.watch) == FW_WATCH_NEVER && !h
                         ? ": check the address on the teacher's screen" : "");
            outcome = FW_AGENT_LOST;
            goto out;
        }
        if (!h) {
            int ch;
            while ((ch = getch()) != ERR)
                ; /* nothing to do with keys yet */
            if (!link.told_unreached && fw_watch_state(link.watch) == FW_WATCH_NEVER &&
                fw_clock_ms() - link.opened_ms >= S_UNREACHED_MS) {
                link.told_unreached = 1;
                fw_log_warn("player", "nothing answers at %s; still trying", cfg->url);
            }
            s_draw_connecting(&link);
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
                    s_say_bye(&link, h);
                    snprintf(msg, sizeof msg, "you left the game");
                    fw_log_info("player", "you left the game");
                    outcome = FW_AGENT_STOPPED;
                } else {
                    outcome = FW_AGENT_BYE;
                }
                goto out;
            }
            if (act == FW_HUMAN_SEND && s_send_actions(&link, h, msg, sizeof msg) != FW_PROTO_OK)
                goto out;
        }
        if (fw_human_clock(h, fw_clock_unix_ms()) == FW_HUMAN_SEND &&
            s_send_actions(&link, h, msg, sizeof msg) != FW_PROTO_OK)
            goto out;
        if (over_since >= 0 && fw_clock_ms() - over_since > S_OVER_LINGER_MS) {
            outcome = FW_AGENT_BYE;
            goto out;
        }
        s_log_screen(&link, h);
        if (polled > 0 || fw_clock_ms() - drawn_ms >= S_REDRAW_MS) {
            s_draw(h);
            drawn_ms = fw_clock_ms();
        }
    }

out:
    if (screen) {
        endwin();
        delscreen(screen);
    }
    if (link.token[0] && outcome != FW_AGENT_BYE && outcome != FW_AGENT_REFUSED)
        printf("To take your seat back: flywheel play %s %s --resume %s%s%s%s%s\n", cfg->url,
               cfg->seat && cfg->seat[0] ? cfg->seat : "SEAT", link.token,
               cfg->name && cfg->name[0] ? " --name '" : "",
               cfg->name && cfg->name[0] ? cfg->name : "", cfg->name && cfg->name[0] ? "'" : "",
               cfg->key_options ? cfg->key_options : "");
    fw_human_destroy(&h);
    fw_proto_free(&in);
    s_close(&link);
    if (reason && reason_len > 0)
        snprintf(reason, reason_len, "%s", msg);
    return outcome;
}
