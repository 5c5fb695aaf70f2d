/* fw_vmodel: the viewer's model of a run, built from Snapshots, with no SDL.
 *
 * It holds what the three views draw, for every tick seen so far (the history that
 * the scrub bar moves through):
 * - nodes: one per company (seat), in first-seen order, which never changes, so a
 *   node index is stable for the whole run; display names come from the scenario
 *   when the model is told them (fw_vmodel_set_name);
 * - frames: one per tick, sorted by tick, each with every node's figures and layout
 *   position, the edges of the alliance graph and the three market-share rows;
 * - series keys for the share charts (clouds, chip families, labs), in first-seen
 *   order; a key's index is stable for the whole run.
 *
 * A model holds one run. Snapshots name their run (Envelope.run_id); when a viewer
 * left open sees a new run on the same address, fw_vmodel_set_run() starts the model
 * over, so no frame, node or maximum of the old run survives into the new one.
 *
 * Invariants:
 * - every frame, node and key comes from snapshots of one run (the run id held, when
 *   the snapshots carried one); a reset drops them all and counts a new generation;
 * - frames are sorted by tick and hold at most one frame per tick (a second snapshot
 *   of a tick already held is ignored: the log and the PUB socket carry the same one);
 * - each frame keeps the game state (phase, seats, pacing) of the snapshot that made
 *   it, so a replay shows what the game was at that tick; the model's own game state
 *   is the newest by tick, status snapshots included, so a tick read late from a log
 *   never turns the header back;
 * - the layout is a pure function of the frames in tick order: frame k's positions
 *   come from frame k-1's by one damped refinement step, each node moving at most
 *   FW_VLAYOUT_MAX_STEP (in unit-disc coordinates) from one tick to the next. A
 *   frame inserted before others (backfill from a log) re-lays the frames after it.
 *
 * Positions are in a unit disc centred on 0: vendors on the inner ring, clouds on the
 * middle one, labs on the outer one; the drawing code scales that to its panel.
 */
#ifndef FW_VMODEL_H
#define FW_VMODEL_H

#include <stddef.h>
#include <stdint.h>

#include "flywheel.pb-c.h"

/* Roles, with the protocol's numbering. */
enum {
    FW_VROLE_OTHER = 0,
    FW_VROLE_CLOUD = 1,
    FW_VROLE_LAB = 2,
    FW_VROLE_VENDOR = 3,
};

/* The three share charts. */
typedef enum {
    FW_SHARE_CLOUD = 0,  /* share of AI compute sold, H100-eq (compute_share.*) */
    FW_SHARE_CHIP = 1,   /* compute in service by chip family, H100-eq (installed_share.*) */
    FW_SHARE_LAB = 2,    /* lab revenue share (lab_share.*, else from lab revenue) */
    FW_SHARE_SETS = 3,
} fw_share_set_t;

typedef enum {
    FW_EDGE_STAKE = 0,   /* investor -> company, dollars = value of the stake */
    FW_EDGE_CREDIT = 1,  /* cloud -> lab, dollars = credits outstanding */
    FW_EDGE_COMPUTE = 2, /* lab -> cloud, dollars = spend this tick, per chip family */
    FW_EDGE_CHIPS = 3,   /* cloud -> vendor, dollars = chips bought this tick, per family */
    FW_EDGE_KINDS = 4,
} fw_edge_kind_t;

/* Largest distance a node moves from one tick to the next, unit-disc coordinates. */
#define FW_VLAYOUT_MAX_STEP 0.03

/* Ring radii, unit-disc coordinates. */
#define FW_VLAYOUT_R_VENDOR 0.30
#define FW_VLAYOUT_R_CLOUD 0.63
#define FW_VLAYOUT_R_LAB 0.96

typedef struct {
    char id[32];       /* seat id */
    char name[64];     /* display name (the scenario's, else the id) */
    char label[32];    /* short label for the graph */
    int role;          /* FW_VROLE_* */
    int rank;          /* index among the nodes of its role, in first-seen order */
} fw_vnode_t;

typedef struct {
    double cash, revenue, cost, profit, valuation, compute, capability;
    int present;       /* the company is in this frame's snapshot */
    int answered;      /* its agent answered this tick */
    int faltering;
    double x, y;       /* layout position, unit disc */
} fw_vnode_state_t;

typedef struct {
    fw_edge_kind_t kind;
    int from, to;      /* node indices (buyer -> seller, investor -> company, cloud -> lab) */
    int family;        /* chip family (FW_SHARE_CHIP key index) or -1 */
    double dollars;    /* see fw_edge_kind_t */
    double quantity;   /* compute or chips; for stakes the fraction owned */
    double cost;       /* stakes: dollars paid */
} fw_vedge_t;

/* The game around the market, from network play's snapshot fields (docs/network.md):
 * each frame has the one of its tick; the model has the newest (fw_vmodel_game). */
typedef struct {
    int phase;               /* Flywheel__V1__Phase; 0 = not a network game */
    uint32_t tick;           /* the snapshot's tick: paused, the last one played */
    char pacing[32];         /* "lockstep", "deadline:30", or "" */
    int64_t deadline_at_ms;  /* when this tick's deadline (or the lobby's start) runs out,
                              * on this machine's monotonic clock: the time left that the
                              * snapshot carried (deadline_in_ms) counted from when it came,
                              * so a clock set minutes wrong counts down right; 0 = none */
    uint32_t players;        /* seats held by players */
    uint32_t house;          /* seats held by house bots */
    uint32_t empty;          /* seats nobody holds (lobby) */
    uint32_t players_wanted; /* lobby: players that start the game at once */
} fw_vgame_t;

typedef struct {
    uint32_t tick;
    uint32_t ticks;          /* ticks in the run, as the snapshot said */
    char month[16];          /* "YYYY-MM" */
    int final;
    size_t n_nodes;          /* nodes known when the frame was applied */
    fw_vnode_state_t *nodes; /* n_nodes entries, by node index */
    size_t n_edges;
    fw_vedge_t *edges;       /* sorted by kind, then from, to, family */
    size_t n_share[FW_SHARE_SETS];
    double *share[FW_SHARE_SETS]; /* by key index; missing keys count as 0 */
    size_t n_events;
    char **events;           /* scheduled events that fired this tick */
    size_t n_deals;
    fw_vgame_t game;         /* the game when this tick was played (phase 0 if unknown) */
} fw_vframe_t;

typedef struct fw_vmodel fw_vmodel_t;

/* A new empty model, or NULL when out of memory. */
fw_vmodel_t *fw_vmodel_new(void);

/* Frees the model and its frames; NULL-safe; sets *p to NULL. */
void fw_vmodel_destroy(fw_vmodel_t **p);

/* Starts over: drops every frame, node, key and name, the maxima, the game state, the
 * scenario name and the run id, as if the model were new, and counts one more
 * generation. Frames and nodes handed out before are invalid after it. */
void fw_vmodel_reset(fw_vmodel_t *vm);

/* Says which run the next snapshots belong to (the Envelope's run_id). The first id is
 * taken as it is; the same id again changes nothing; a different one is a new run on
 * the same address, and the model is reset (fw_vmodel_reset) before it takes the id.
 * NULL or "" (a log or coordinator without ids) changes nothing. Returns 1 when the
 * model started over, else 0. */
int fw_vmodel_set_run(fw_vmodel_t *vm, const char *run_id);

/* The run id held, "" before any. */
const char *fw_vmodel_run_id(const fw_vmodel_t *vm);

/* How many times the model was reset (0 for a new one): playback and drawing caches
 * compare it to tell a new run from more ticks of the same one. */
unsigned fw_vmodel_generation(const fw_vmodel_t *vm);

/* Adds the snapshot's tick to the history (the snapshot is only read, never kept).
 * Returns 1 if a frame was added, 0 if that tick was already held (ignored), -1 when
 * out of memory or when the snapshot is unusable (tick 0). */
int fw_vmodel_apply(fw_vmodel_t *vm, const Flywheel__V1__Snapshot *snap);

/* The same, for a snapshot that came off the wire at received_ms (the monotonic clock):
 * the game's countdown runs from then (fw_vgame_t.deadline_at_ms). fw_vmodel_apply is
 * this with 0. */
int fw_vmodel_apply_at(fw_vmodel_t *vm, const Flywheel__V1__Snapshot *snap, int64_t received_ms);

/* The game's state from the newest snapshot by tick, including the lobby's (tick 0) and
 * the status snapshots a coordinator republishes about once a second while it waits
 * (lobby, pause, a long turn); zeroed before any. What a live header shows. */
const fw_vgame_t *fw_vmodel_game(const fw_vmodel_t *vm);

/* 1 when the run is known to be over: its newest frame is the final one, or the newest
 * status says PHASE_OVER. */
int fw_vmodel_over(const fw_vmodel_t *vm);

/* One line about the game for the header ("lobby: 2 of 6 players, house bots in 40 s",
 * "turn timer 30 s: 12 s left; 2 players, 4 house bots", "paused by the host after tick 7; ...",
 * "game over"), or "" when the snapshots say no phase. now_ms: the monotonic clock that
 * fw_vmodel_apply_at was given. Without a deadline a turn timer
 * is named without a countdown ("turn timer 30 s; 2 players, 4 house bots"). */
void fw_vgame_describe(const fw_vgame_t *g, int64_t now_ms, char *buf, size_t len);

/* Declares a node (seat) before any snapshot names it, e.g. from a log's RunHeader,
 * so that node order is seat order. role may be FW_VROLE_OTHER when not known yet.
 * Returns the node index, or -1 when out of memory. */
int fw_vmodel_add_node(fw_vmodel_t *vm, const char *id, int role);

/* Gives a node (or, with family = 1, a chip family) its display name; the graph label
 * is the name without a trailing "(...)" when that fits in 20 bytes, else the id.
 * Unknown ids are ignored. */
void fw_vmodel_set_name(fw_vmodel_t *vm, const char *id, const char *name, int family);

/* Sets the scenario name shown in the header (snapshots also carry it). */
void fw_vmodel_set_scenario(fw_vmodel_t *vm, const char *name);
const char *fw_vmodel_scenario(const fw_vmodel_t *vm);

size_t fw_vmodel_n_frames(const fw_vmodel_t *vm);
/* Frame i (0 <= i < n_frames), in tick order. Valid until the next apply. */
const fw_vframe_t *fw_vmodel_frame(const fw_vmodel_t *vm, size_t i);
/* Index of the frame of `tick`, or of the last frame before it; -1 if none. */
long fw_vmodel_find_tick(const fw_vmodel_t *vm, uint32_t tick);

size_t fw_vmodel_n_nodes(const fw_vmodel_t *vm);
const fw_vnode_t *fw_vmodel_node(const fw_vmodel_t *vm, size_t i);
/* Index of the node with this id, or -1. */
int fw_vmodel_node_index(const fw_vmodel_t *vm, const char *id);
/* Nodes of a role, for colour shades. */
size_t fw_vmodel_role_count(const fw_vmodel_t *vm, int role);

/* Keys of a share set (company or family ids), in first-seen order. */
size_t fw_vmodel_n_keys(const fw_vmodel_t *vm, fw_share_set_t set);
const char *fw_vmodel_key(const fw_vmodel_t *vm, fw_share_set_t set, size_t k);
/* The display label of a key (a node's or family's label, else the id). */
const char *fw_vmodel_key_label(const fw_vmodel_t *vm, fw_share_set_t set, size_t k);
/* Share of key k in frame f, 0 when the frame lacks it. */
double fw_vframe_share(const fw_vframe_t *f, fw_share_set_t set, size_t k);

/* The figure a node is sized by: valuation, else cash, else revenue (never < 0). */
double fw_vnode_size_value(const fw_vnode_state_t *n);
/* Largest size value of any node in any frame so far (>= 1), so sizes compare across
 * ticks. */
double fw_vmodel_size_max(const fw_vmodel_t *vm);
/* Largest dollars of a link of this kind (the sum of the edges of one kind between the
 * same two companies, as the graph draws them) in any frame so far (>= 1). */
double fw_vmodel_edge_max(const fw_vmodel_t *vm, fw_edge_kind_t kind);

/* --- Palette: one colour per role, a shade of it per company, one per family --- */

typedef struct {
    uint8_t r, g, b;
} fw_rgb_t;

/* Base colour of a role: clouds blue, labs orange, vendors green, other grey. */
fw_rgb_t fw_vpalette_role(int role);
/* Shade of the role colour for the rank-th of n nodes of that role (rank 0 darkest). */
fw_rgb_t fw_vpalette_shade(int role, int rank, int n);
/* Colour of node i. */
fw_rgb_t fw_vmodel_node_color(const fw_vmodel_t *vm, size_t i);
/* Colour of chip family k (purples, pinks, teals... never a role colour). */
fw_rgb_t fw_vpalette_family(size_t k);
/* Colour of key k of a share set (the node's colour, or the family's). */
fw_rgb_t fw_vmodel_key_color(const fw_vmodel_t *vm, fw_share_set_t set, size_t k);

#endif
