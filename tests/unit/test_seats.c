/* fw_seats, the seat table, without sockets: claims by name, by role and with a resume
 * token; refusals that say what to do; leaving in the lobby and in the game; takeover
 * for silence; the hand-back at the next tick; late joiners; who is waited for. The
 * seats are classroom.yaml's: nvidia, tpu_maker (vendors), aws, google (clouds),
 * openai, anthropic (labs). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fw_seats.h"
#include "fw_testproc.h"
#include "fw_testwire.h"

enum { NVIDIA = 0, TPU = 1, AWS = 2, GOOGLE = 3, OPENAI = 4, ANTHROPIC = 5 };

static fw_scenario_t *s_sc;
static fw_inbox_t *s_inbox;

static void s_setup(void)
{
    char path[1024], err[512];
    fw_test_source_path(path, sizeof path, "scenarios/classroom.yaml");
    s_sc = fw_scenario_load(path, err, sizeof err);
    cr_assert_not_null(s_sc, "%s", err);
    s_inbox = fw_inbox_new((uint32_t)s_sc->n_seats);
}

static void s_teardown(void)
{
    fw_inbox_destroy(&s_inbox);
    fw_scenario_destroy(&s_sc);
}

TestSuite(fw_seats, .init = s_setup, .fini = s_teardown);

static fw_seats_t *s_table(int house_bots, uint32_t takeover_after, int deadline)
{
    fw_seats_config_t cfg = {house_bots, takeover_after, deadline, 4};
    fw_seats_t *s = fw_seats_new(s_sc, &cfg);
    cr_assert_not_null(s);
    return s;
}

/* A Hello from connection "c<id>" made with the CURVE key of `user` ("": no CURVE)
 * for `seat` (or by `role` when seat is ""). */
static fw_claim_result_t s_claim_as(fw_seats_t *s, int id, const char *user, const char *seat,
                                    fw_role_t role, const char *token, int running,
                                    fw_claim_t *out)
{
    uint8_t ident[8];
    size_t len = (size_t)snprintf((char *)ident, sizeof ident, "c%d", id);
    fw_hello_t h = {seat, role, token, "player", 1, 100 + id, user};
    return fw_seats_claim(s, ident, len, &h, running, out);
}

/* The same without CURVE, under the player's name `name`. */
static fw_claim_result_t s_claim(fw_seats_t *s, int id, const char *seat, fw_role_t role,
                                 const char *token, const char *name, int running,
                                 fw_claim_t *out)
{
    uint8_t ident[8];
    size_t len = (size_t)snprintf((char *)ident, sizeof ident, "c%d", id);
    fw_hello_t h = {seat, role, token, name, 1, 100 + id, ""};
    return fw_seats_claim(s, ident, len, &h, running, out);
}

static fw_seat_status_t s_status(const fw_seats_t *s, uint32_t seat)
{
    fw_seat_status_t st;
    fw_seats_status(s, seat, &st);
    return st;
}

/* The seat acts in the tick the inbox collects. */
static void s_act(uint32_t seat, uint32_t tick)
{
    fw_envelope_t *env = fw_test_wire_actions(tick);
    cr_assert_eq(fw_inbox_put(s_inbox, seat, &env), FW_INBOX_ACCEPTED);
}

Test(fw_seats, claims_by_name_and_by_role_and_refuses_with_what_to_do)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    cr_assert_eq(s_claim(s, 1, "openai", FW_ROLE_LAB, "", "alice", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, OPENAI);
    cr_assert_str_eq(c.how, "claimed");
    fw_seat_status_t st = s_status(s, OPENAI);
    cr_assert_eq(st.holder, FW_HOLDER_PLAYER);
    cr_assert_str_eq(st.player, "alice");
    cr_assert_eq(strlen(st.token), FW_SEATS_TOKEN_LEN, "a 128-bit resume token");
    cr_assert(st.connected);

    cr_assert_eq(s_claim(s, 1, "aws", FW_ROLE_HYPERSCALER, "", "alice", 0, &c),
                 FW_CLAIM_ALREADY_SEATED);
    cr_assert_eq(c.seat, OPENAI, "the refusal is the seat's own");
    cr_assert_eq(s_claim(s, 2, "openai", FW_ROLE_LAB, "", "bob", 0, &c), FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "seat 'openai' is taken by alice (its player reconnects with its "
                               "resume token)");
    cr_assert_eq(s_claim(s, 2, "opneai", FW_ROLE_LAB, "", "bob", 0, &c), FW_CLAIM_UNKNOWN_SEAT);
    cr_assert_str_eq(c.reason, "no seat 'opneai' in scenario 'classroom'; its seats are: nvidia, "
                               "tpu_maker, aws, google, openai, anthropic");
    cr_assert_eq(s_claim(s, 2, "", FW_ROLE_LAB, "", "bob", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, ANTHROPIC, "by role: the free lab");
    cr_assert_eq(s_claim(s, 3, "", FW_ROLE_LAB, "", "carol", 0, &c), FW_CLAIM_UNKNOWN_SEAT);
    cr_assert_str_eq(c.reason, "no free seat of role 'lab'");
    cr_assert_eq(fw_seats_count(s, FW_HOLDER_PLAYER), 2);
    cr_assert_eq(fw_seats_count(s, FW_HOLDER_EMPTY), 4);

    uint8_t id[] = "c2";
    cr_assert_eq(fw_seats_find(s, id, 2), ANTHROPIC);
    cr_assert_eq(fw_seats_find(s, (const uint8_t *)"c9", 2), -1);
    fw_seats_destroy(&s);
    cr_assert_null(s);
    fw_seats_destroy(&s);
}

Test(fw_seats, in_the_lobby_a_player_who_leaves_frees_the_seat)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    s_claim(s, 1, "openai", FW_ROLE_LAB, "", "alice", 0, &c);
    cr_assert_eq(fw_seats_gone(s, OPENAI, 0, 0, "its player left"), FW_GONE_FREED);
    fw_seat_status_t st = s_status(s, OPENAI);
    cr_assert_eq(st.holder, FW_HOLDER_EMPTY);
    cr_assert_str_eq(st.token, "", "the token is void");
    cr_assert_not(st.connected);
    cr_assert_eq(s_claim(s, 2, "openai", FW_ROLE_LAB, "", "bob", 0, &c), FW_CLAIM_GRANTED);
    fw_seats_destroy(&s);
}

Test(fw_seats, a_player_gone_mid_game_is_replaced_and_takes_the_seat_back_with_its_token)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    s_claim(s, 1, "openai", FW_ROLE_LAB, "", "alice", 0, &c);
    char token[FW_SEATS_TOKEN_LEN + 1];
    snprintf(token, sizeof token, "%s", s_status(s, OPENAI).token);
    fw_seats_start(s);
    cr_assert_eq(s_status(s, AWS).holder, FW_HOLDER_HOUSE, "empty seats go to house bots");
    fw_seats_open_tick(s, 3);
    cr_assert_eq(fw_seats_gone(s, OPENAI, 1, 3, "its player disconnected"), FW_GONE_TAKEN_OVER);
    cr_assert_eq(s_status(s, OPENAI).holder, FW_HOLDER_HOUSE);
    cr_assert_eq(fw_seats_gone(s, OPENAI, 1, 3, "again"), FW_GONE_NOTHING, "once is enough");

    /* A wrong token, named or not, never makes the player someone else. */
    cr_assert_eq(s_claim(s, 2, "openai", FW_ROLE_LAB, "00000000000000000000000000000000",
                         "mallory", 1, &c), FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "wrong resume token for seat 'openai'");
    cr_assert_eq(s_claim(s, 2, "", FW_ROLE_LAB, "00000000000000000000000000000000", "mallory", 1,
                         &c), FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "no seat has this resume token");

    /* The right one: the seat comes back at the next tick, with the name joined with. */
    cr_assert_eq(s_claim(s, 3, "openai", FW_ROLE_LAB, token, "human: root", 1, &c),
                 FW_CLAIM_GRANTED);
    cr_assert_str_eq(c.how, "reclaimed from the house bot; handed back at the next tick");
    fw_seat_status_t st = s_status(s, OPENAI);
    cr_assert_eq(st.holder, FW_HOLDER_HOUSE, "the bot plays the tick in progress");
    cr_assert(st.returning);
    cr_assert_str_eq(st.player, "alice");
    cr_assert_str_eq(st.token, token, "the token stays");
    cr_assert_eq(s_claim(s, 4, "openai", FW_ROLE_LAB, "", "bob", 1, &c), FW_CLAIM_SEAT_TAKEN,
                 "a returning player's seat is not open to newcomers");
    fw_seats_open_tick(s, 4);
    cr_assert_eq(s_status(s, OPENAI).holder, FW_HOLDER_PLAYER);
    cr_assert_not(s_status(s, OPENAI).returning);
    fw_seats_destroy(&s);
}

Test(fw_seats, without_house_bots_a_player_gone_leaves_its_seat_idle)
{
    fw_seats_t *s = s_table(0, 0, 0);
    fw_claim_t c;
    s_claim(s, 1, "openai", FW_ROLE_LAB, "", "agent", 0, &c);
    cr_assert_eq(fw_seats_gone(s, OPENAI, 1, 1, "its player disconnected"), FW_GONE_SILENT);
    cr_assert_eq(s_status(s, OPENAI).holder, FW_HOLDER_PLAYER);
    cr_assert_eq(s_claim(s, 2, "openai", FW_ROLE_LAB, "", "agent", 1, &c), FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "seat 'openai' is taken by agent");
    fw_seats_destroy(&s);
}

Test(fw_seats, a_silent_player_is_taken_over_and_comes_back_by_acting)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    uint32_t taken[6];
    s_claim(s, 1, "aws", FW_ROLE_HYPERSCALER, "", "bob", 0, &c);
    fw_seats_start(s);
    for (uint32_t t = 1; t <= 2; t++) {
        fw_inbox_open(s_inbox, t);
        fw_seats_open_tick(s, t);
        size_t waiting, present;
        fw_seats_waiting(s, s_inbox, &waiting, &present);
        cr_assert_eq(waiting, 1, "a turn timer waits for every connected player");
        cr_assert_eq(present, 1);
        size_t n = fw_seats_end_turn(s, s_inbox, t, 1000, taken);
        cr_assert_eq(n, t == 2 ? 1 : 0, "taken over after 2 silent ticks, not 1 (tick %u)", t);
    }
    cr_assert_eq(taken[0], AWS);
    cr_assert_eq(s_status(s, AWS).holder, FW_HOLDER_HOUSE);
    cr_assert(s_status(s, AWS).connected, "benched: still following the game");

    /* Tick 3: the house bot plays; the player's moves for it ask for the seat back. */
    fw_inbox_open(s_inbox, 3);
    fw_seats_open_tick(s, 3);
    size_t waiting, present;
    fw_seats_waiting(s, s_inbox, &waiting, &present);
    cr_assert_eq(waiting, 0, "nobody to wait for: the bot holds the seat");
    cr_assert_eq(present, 0, "a benched player is not there until it speaks");
    cr_assert_eq(fw_seats_actions_from(s, AWS, 3), FW_ACT_HOUSE_PLAYS);
    cr_assert(s_status(s, AWS).returning);
    fw_seats_waiting(s, s_inbox, &waiting, &present);
    cr_assert_eq(present, 1, "a returning player is there");
    cr_assert_eq(fw_seats_end_turn(s, s_inbox, 3, 1000, taken), 0);
    fw_inbox_open(s_inbox, 4);
    fw_seats_open_tick(s, 4);
    cr_assert_eq(s_status(s, AWS).holder, FW_HOLDER_PLAYER, "handed back at the next tick");
    cr_assert_eq(fw_seats_actions_from(s, AWS, 4), FW_ACT_PLAY);
    s_act(AWS, 4);
    fw_seats_acted(s, AWS, 1);
    cr_assert_eq(fw_seats_end_turn(s, s_inbox, 4, 1000, taken), 0);
    cr_assert_eq(s_status(s, AWS).missed, 0);
    fw_seats_destroy(&s);
}

Test(fw_seats, in_lockstep_a_silent_player_is_not_waited_for_until_it_speaks)
{
    fw_seats_t *s = s_table(0, 0, 0);
    fw_claim_t c;
    uint32_t taken[6];
    size_t waiting, present;
    s_claim(s, 1, "aws", FW_ROLE_HYPERSCALER, "", "bot", 0, &c);
    fw_inbox_open(s_inbox, 1);
    cr_assert_eq(fw_seats_end_turn(s, s_inbox, 1, 5000, taken), 0, "no house bots: no takeover");
    fw_inbox_open(s_inbox, 2);
    fw_seats_waiting(s, s_inbox, &waiting, &present);
    cr_assert_eq(waiting, 0, "silent since tick 1");
    fw_seats_acted(s, AWS, 0);
    fw_seats_waiting(s, s_inbox, &waiting, &present);
    cr_assert_eq(waiting, 1, "it spoke: waited for again");
    fw_seats_destroy(&s);
}

Test(fw_seats, a_late_joiner_takes_a_house_bots_seat_with_a_new_token)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    fw_seats_start(s);
    cr_assert_eq(s_claim(s, 1, "google", FW_ROLE_HYPERSCALER, "", "late", 1, &c),
                 FW_CLAIM_GRANTED);
    cr_assert_str_eq(c.how, "taken from the house bot by a late joiner; handed over at the next "
                            "tick");
    cr_assert(s_status(s, GOOGLE).returning);
    cr_assert_eq(strlen(s_status(s, GOOGLE).token), FW_SEATS_TOKEN_LEN);
    cr_assert_eq(s_claim(s, 2, "", FW_ROLE_HYPERSCALER, "", "later", 1, &c), FW_CLAIM_GRANTED,
                 "by role: another seat a bot holds");
    cr_assert_eq(c.seat, AWS);
    /* The returning late joiner leaves before its tick: the bot keeps the seat. */
    cr_assert_eq(fw_seats_gone(s, GOOGLE, 1, 1, "its player left"), FW_GONE_STATUS);
    cr_assert_eq(s_status(s, GOOGLE).holder, FW_HOLDER_HOUSE);
    cr_assert_not(s_status(s, GOOGLE).returning);
    fw_seats_destroy(&s);
}

Test(fw_seats, sequence_numbers_increase_per_connection)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    uint64_t last;
    s_claim(s, 1, "openai", FW_ROLE_LAB, "", "alice", 0, &c);
    cr_assert_eq(fw_seats_check_seq(s, OPENAI, 1, &last), -1, "the Hello was seq 1");
    cr_assert_eq(last, 1);
    cr_assert_eq(fw_seats_check_seq(s, OPENAI, 2, &last), 0);
    cr_assert_eq(fw_seats_check_seq(s, OPENAI, 2, &last), -1);
    cr_assert_eq(fw_seats_next_seq(s, OPENAI), 1);
    cr_assert_eq(fw_seats_next_seq(s, OPENAI), 2);
    cr_assert_eq(fw_seats_count_refusal(s, OPENAI), 1);
    cr_assert_eq(fw_seats_count_late(s, OPENAI), 1);
    cr_assert_eq(fw_seats_count_late(s, OPENAI), 2);
    cr_assert_eq(s_status(s, OPENAI).late, 2);
    fw_seats_destroy(&s);
}

/* A seat's player may send max_messages (4 here) in a tick: the next is refused with a
 * word, the rest dropped; all counted; a new tick starts the count again. */
Test(fw_seats, a_flood_is_refused_once_then_dropped_and_the_count_restarts_each_tick)
{
    fw_seats_t *s = s_table(1, 0, 0);
    fw_claim_t claim;
    cr_assert_eq(s_claim(s, 1, "aws", FW_ROLE_NONE, "", "p1", 0, &claim), FW_CLAIM_GRANTED);
    int seat = fw_scenario_seat(s_sc, "aws");
    fw_seats_start(s);
    fw_seats_open_tick(s, 1);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(fw_seats_count_message(s, (uint32_t)seat), FW_MSG_HANDLE);
    cr_assert_eq(fw_seats_count_message(s, (uint32_t)seat), FW_MSG_REFUSE_FLOOD);
    for (int i = 0; i < 10; i++)
        cr_assert_eq(fw_seats_count_message(s, (uint32_t)seat), FW_MSG_DROP);
    fw_seat_status_t st;
    fw_seats_status(s, (uint32_t)seat, &st);
    cr_assert_eq(st.dropped, 11);
    /* Another seat is not affected. */
    int other = fw_scenario_seat(s_sc, "google");
    cr_assert_eq(fw_seats_count_message(s, (uint32_t)other), FW_MSG_HANDLE);
    fw_seats_open_tick(s, 2);
    cr_assert_eq(fw_seats_count_message(s, (uint32_t)seat), FW_MSG_HANDLE);
    fw_seats_status(s, (uint32_t)seat, &st);
    cr_assert_eq(st.dropped, 11, "the run's count stays");
    fw_seats_destroy(&s);
}

/* With CURVE the key is the identity. A key named after a seat takes that seat and no
 * other, by name or by role; a player's key (not a seat's name) takes a free seat and
 * then only that one; another key cannot take a held seat, even with its token. */
Test(fw_seats, a_seats_key_takes_only_its_seat_and_another_key_never_takes_it)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    cr_assert_eq(s_claim_as(s, 1, "openai", "anthropic", FW_ROLE_LAB, "", 0, &c),
                 FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "your key is the key of seat 'openai': it cannot take seat "
                               "'anthropic'");
    cr_assert_eq(s_claim_as(s, 1, "openai", "", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, OPENAI, "its own seat, whatever the role would pick");
    cr_assert_str_eq(fw_seats_user(s, OPENAI), "openai");

    cr_assert_eq(s_claim_as(s, 2, "alice", "aws", FW_ROLE_HYPERSCALER, "", 0, &c),
                 FW_CLAIM_GRANTED);
    cr_assert_eq(s_claim_as(s, 3, "alice", "google", FW_ROLE_HYPERSCALER, "", 0, &c),
                 FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "your key is playing seat 'aws': it cannot take seat 'google'");

    /* Mallory has neither seat's key: the token of a seat does not move it to her. */
    char token[FW_SEATS_TOKEN_LEN + 1];
    snprintf(token, sizeof token, "%s", s_status(s, AWS).token);
    fw_seats_start(s);
    fw_seats_open_tick(s, 2);
    cr_assert_eq(fw_seats_gone(s, AWS, 1, 2, "its player disconnected"), FW_GONE_TAKEN_OVER);
    cr_assert_eq(s_claim_as(s, 4, "mallory", "aws", FW_ROLE_HYPERSCALER, token, 1, &c),
                 FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "seat 'aws' belongs to another key: its resume token does not "
                               "move it");
    cr_assert_eq(s_claim_as(s, 4, "mallory", "openai", FW_ROLE_LAB, "", 1, &c),
                 FW_CLAIM_SEAT_TAKEN, "openai is held by its key");
    /* Alice's key brings her back without a token: the key proves who she is. */
    cr_assert_eq(s_claim_as(s, 5, "alice", "", FW_ROLE_HYPERSCALER, "", 1, &c),
                 FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, AWS);
    cr_assert_str_eq(s_status(s, AWS).token, token, "the same player keeps the token");
    fw_seats_destroy(&s);
}

/* The same key connecting twice: the newest connection holds the seat, the older one
 * holds nothing (its messages are refused as from a connection without a seat). */
Test(fw_seats, the_same_key_twice_keeps_the_newest_session)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    cr_assert_eq(s_claim_as(s, 1, "openai", "openai", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(s_claim_as(s, 2, "openai", "openai", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(fw_seats_find(s, (const uint8_t *)"c2", 2), OPENAI);
    cr_assert_eq(fw_seats_find(s, (const uint8_t *)"c1", 2), -1, "the older session lost it");
    fw_seats_start(s);
    fw_seats_open_tick(s, 1);
    cr_assert_eq(s_claim_as(s, 3, "openai", "", FW_ROLE_LAB, "", 1, &c), FW_CLAIM_GRANTED,
                 "and again in the game");
    cr_assert_eq(fw_seats_find(s, (const uint8_t *)"c3", 2), OPENAI);
    cr_assert_eq(s_status(s, OPENAI).holder, FW_HOLDER_PLAYER, "it plays on at once");
    fw_seats_destroy(&s);
}

/* A seat whose own key is on the allow list is kept for that key: other keys take
 * another seat of the role, and asking for it by name is refused. */
Test(fw_seats, a_seat_with_its_own_key_is_kept_for_it)
{
    fw_seats_t *s = s_table(1, 2, 1);
    fw_claim_t c;
    fw_seats_reserve(s, OPENAI);
    cr_assert_eq(s_claim_as(s, 1, "alice", "openai", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_SEAT_TAKEN);
    cr_assert_str_eq(c.reason, "seat 'openai' is kept for its own key");
    cr_assert_eq(s_claim_as(s, 1, "alice", "", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, ANTHROPIC, "by role: the lab seat that is not kept");
    cr_assert_eq(s_claim_as(s, 2, "bob", "", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_UNKNOWN_SEAT,
                 "no lab seat left for bob");
    cr_assert_eq(s_claim_as(s, 3, "openai", "", FW_ROLE_LAB, "", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(c.seat, OPENAI);
    fw_seats_destroy(&s);
}

/* seats.tokens: a table restarted from it (--resume) keeps each seat for the player
 * who held it, who takes it back with the token; a newcomer does not get it. */
Test(fw_seats, the_tokens_file_gives_a_restarted_table_its_players_back)
{
    char dir[64], path[128], token[FW_SEATS_TOKEN_LEN + 1];
    cr_assert_not_null(fw_test_tmpdir(dir, sizeof dir));
    snprintf(path, sizeof path, "%s/seats.tokens", dir);
    fw_seats_t *s = s_table(1, 0, 0);
    fw_claim_t c;
    cr_assert_eq(fw_seats_load(s, path), 0, "no file: nobody had joined");
    cr_assert_eq(s_claim(s, 1, "openai", FW_ROLE_LAB, "", "alice", 0, &c), FW_CLAIM_GRANTED);
    cr_assert_eq(s_claim_as(s, 2, "bobkey", "aws", FW_ROLE_HYPERSCALER, "", 0, &c),
                 FW_CLAIM_GRANTED);
    snprintf(token, sizeof token, "%s", s_status(s, OPENAI).token);
    cr_assert_eq(fw_seats_save(s, path), 0);
    struct stat st;
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "a token takes a seat: the file is the owner's");
    char *text = fw_test_read_file(path, NULL);
    char line[128];
    snprintf(line, sizeof line, "aws\t%s\tbobkey\tplayer\n", s_status(s, AWS).token);
    cr_assert_not_null(strstr(text, line), "%s", text);
    free(text);
    fw_seats_destroy(&s);

    s = s_table(1, 0, 0);
    cr_assert_eq(fw_seats_load(s, path), 2);
    cr_assert_str_eq(s_status(s, OPENAI).token, token);
    cr_assert_str_eq(s_status(s, OPENAI).player, "alice");
    cr_assert_str_eq(fw_seats_user(s, AWS), "bobkey");
    cr_assert_eq(s_claim(s, 3, "openai", FW_ROLE_LAB, "", "mallory", 0, &c), FW_CLAIM_SEAT_TAKEN,
                 "the seat waits for its player");
    cr_assert_eq(s_claim(s, 4, "openai", FW_ROLE_LAB, token, "alice", 0, &c), FW_CLAIM_GRANTED);
    fw_seats_destroy(&s);
    fw_test_rmtree(dir);
}
