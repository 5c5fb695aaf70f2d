/* fw_vmodel: the viewer's model of a run. See fw_vmodel.h for the invariants. */
#include "fw_vmodel.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

typedef struct {
    char id[32];
    char label[32];
} s_key_t;

struct fw_vmodel {
    char scenario[64];            /* header name */
    fw_vnode_t *nodes;            /* n_nodes, first-seen order */
    size_t n_nodes, cap_nodes;
    size_t role_count[4];         /* nodes per FW_VROLE_* */
    s_key_t *keys[FW_SHARE_SETS]; /* share-chart keys, first-seen order */
    size_t n_keys[FW_SHARE_SETS], cap_keys[FW_SHARE_SETS];
    fw_vframe_t **frames;         /* sorted by tick, owned */
    size_t n_frames, cap_frames;
    double size_max;              /* largest node size value seen */
    double edge_max[FW_EDGE_KINDS]; /* largest edge dollars seen, per kind */
    fw_vgame_t game;              /* network play: from the newest snapshot by tick */
    int has_game;                 /* game holds a snapshot's state */
    uint32_t game_tick;           /* the tick of that snapshot */
    char run_id[64];              /* the run the frames belong to, "" = not told */
    unsigned generation;          /* resets so far */
};

/* --- small helpers ----------------------------------------------------------- */

static int s_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static void s_copy(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* The graph label: the name without a trailing "(...)", if that is short enough. */
static void s_make_label(char *label, size_t cap, const char *name, const char *id)
{
    char buf[128];
    s_copy(buf, sizeof buf, name);
    char *paren = strrchr(buf, '(');
    size_t len = strlen(buf);
    if (paren && len && buf[len - 1] == ')')
        *paren = '\0';
    len = strlen(buf);
    while (len && buf[len - 1] == ' ')
        buf[--len] = '\0';
    s_copy(label, cap, (len > 0 && len <= 20) ? buf : id);
}

static void s_frame_free(fw_vframe_t *f)
{
    if (!f)
        return;
    free(f->nodes);
    free(f->edges);
    for (int s = 0; s < FW_SHARE_SETS; s++)
        free(f->share[s]);
    for (size_t i = 0; i < f->n_events; i++)
        free(f->events[i]);
    free(f->events);
    free(f);
}

/* What a new model starts from (the rest is zero). */
static void s_defaults(fw_vmodel_t *vm)
{
    vm->size_max = 1;
    for (int k = 0; k < FW_EDGE_KINDS; k++)
        vm->edge_max[k] = 1;
}

static void s_free_contents(fw_vmodel_t *vm)
{
    for (size_t i = 0; i < vm->n_frames; i++)
        s_frame_free(vm->frames[i]);
    free(vm->frames);
    free(vm->nodes);
    for (int s = 0; s < FW_SHARE_SETS; s++)
        free(vm->keys[s]);
}

fw_vmodel_t *fw_vmodel_new(void)
{
    fw_vmodel_t *vm = calloc(1, sizeof *vm);
    if (!vm)
        return NULL;
    s_defaults(vm);
    return vm;
}

void fw_vmodel_destroy(fw_vmodel_t **p)
{
    if (!p || !*p)
        return;
    fw_vmodel_t *vm = *p;
    s_free_contents(vm);
    free(vm);
    *p = NULL;
}

void fw_vmodel_reset(fw_vmodel_t *vm)
{
    unsigned generation = vm->generation;
    s_free_contents(vm);
    memset(vm, 0, sizeof *vm);
    s_defaults(vm);
    vm->generation = generation + 1;
}

int fw_vmodel_set_run(fw_vmodel_t *vm, const char *run_id)
{
    if (!run_id || !*run_id || strcmp(run_id, vm->run_id) == 0)
        return 0;
    int over = vm->run_id[0] != '\0';
    if (over)
        fw_vmodel_reset(vm);
    s_copy(vm->run_id, sizeof vm->run_id, run_id);
    return over;
}

const char *fw_vmodel_run_id(const fw_vmodel_t *vm) { return vm->run_id; }

unsigned fw_vmodel_generation(const fw_vmodel_t *vm) { return vm->generation; }

/* --- keys and nodes ------------------------------------------------------------ */

static long s_key_find(const fw_vmodel_t *vm, fw_share_set_t set, const char *id)
{
    for (size_t k = 0; k < vm->n_keys[set]; k++)
        if (strcmp(vm->keys[set][k].id, id) == 0)
            return (long)k;
    return -1;
}

static long s_key_add(fw_vmodel_t *vm, fw_share_set_t set, const char *id)
{
    long k = s_key_find(vm, set, id);
    if (k >= 0)
        return k;
    if (s_grow((void **)&vm->keys[set], &vm->cap_keys[set], vm->n_keys[set] + 1,
               sizeof(s_key_t)) != 0)
        return -1;
    s_key_t *key = &vm->keys[set][vm->n_keys[set]];
    s_copy(key->id, sizeof key->id, id);
    int node = fw_vmodel_node_index(vm, id);
    s_copy(key->label, sizeof key->label, node >= 0 ? vm->nodes[node].label : id);
    return (long)vm->n_keys[set]++;
}

int fw_vmodel_node_index(const fw_vmodel_t *vm, const char *id)
{
    for (size_t i = 0; i < vm->n_nodes; i++)
        if (strcmp(vm->nodes[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* Gives node i its role (once known), its rank among that role, and its share key. */
static int s_node_set_role(fw_vmodel_t *vm, size_t i, int role)
{
    fw_vnode_t *n = &vm->nodes[i];
    if (role < FW_VROLE_CLOUD || role > FW_VROLE_VENDOR || n->role == role)
        return 0;
    if (n->role != FW_VROLE_OTHER)
        return 0; /* a company never changes role; the first word stands */
    vm->role_count[FW_VROLE_OTHER]--;
    n->role = role;
    n->rank = (int)vm->role_count[role]++;
    if (role == FW_VROLE_CLOUD && s_key_add(vm, FW_SHARE_CLOUD, n->id) < 0)
        return -1;
    if (role == FW_VROLE_LAB && s_key_add(vm, FW_SHARE_LAB, n->id) < 0)
        return -1;
    return 0;
}

int fw_vmodel_add_node(fw_vmodel_t *vm, const char *id, int role)
{
    int i = fw_vmodel_node_index(vm, id);
    if (i < 0) {
        if (s_grow((void **)&vm->nodes, &vm->cap_nodes, vm->n_nodes + 1, sizeof(fw_vnode_t)) != 0)
            return -1;
        fw_vnode_t *n = &vm->nodes[vm->n_nodes];
        memset(n, 0, sizeof *n);
        s_copy(n->id, sizeof n->id, id);
        s_copy(n->name, sizeof n->name, id);
        s_copy(n->label, sizeof n->label, id);
        n->role = FW_VROLE_OTHER;
        n->rank = (int)vm->role_count[FW_VROLE_OTHER]++;
        i = (int)vm->n_nodes++;
    }
    if (s_node_set_role(vm, (size_t)i, role) != 0)
        return -1;
    return i;
}

void fw_vmodel_set_name(fw_vmodel_t *vm, const char *id, const char *name, int family)
{
    char label[32];
    if (!id || !name || !*name)
        return;
    s_make_label(label, sizeof label, name, id);
    if (family) {
        long k = s_key_add(vm, FW_SHARE_CHIP, id);
        if (k >= 0)
            s_copy(vm->keys[FW_SHARE_CHIP][k].label, sizeof label, label);
        return;
    }
    int i = fw_vmodel_node_index(vm, id);
    if (i < 0)
        return;
    s_copy(vm->nodes[i].name, sizeof vm->nodes[i].name, name);
    s_copy(vm->nodes[i].label, sizeof vm->nodes[i].label, label);
    for (int s = FW_SHARE_CLOUD; s < FW_SHARE_SETS; s += 2) {
        long k = s_key_find(vm, (fw_share_set_t)s, id);
        if (k >= 0)
            s_copy(vm->keys[s][k].label, sizeof label, label);
    }
}

void fw_vmodel_set_scenario(fw_vmodel_t *vm, const char *name)
{
    s_copy(vm->scenario, sizeof vm->scenario, name);
}

const char *fw_vmodel_scenario(const fw_vmodel_t *vm) { return vm->scenario; }
size_t fw_vmodel_n_frames(const fw_vmodel_t *vm) { return vm->n_frames; }
size_t fw_vmodel_n_nodes(const fw_vmodel_t *vm) { return vm->n_nodes; }

const fw_vframe_t *fw_vmodel_frame(const fw_vmodel_t *vm, size_t i)
{
    assert(i < vm->n_frames);
    return vm->frames[i];
}

const fw_vnode_t *fw_vmodel_node(const fw_vmodel_t *vm, size_t i)
{
    assert(i < vm->n_nodes);
    return &vm->nodes[i];
}

size_t fw_vmodel_role_count(const fw_vmodel_t *vm, int role)
{
    return role >= 0 && role <= FW_VROLE_VENDOR ? vm->role_count[role] : 0;
}

size_t fw_vmodel_n_keys(const fw_vmodel_t *vm, fw_share_set_t set) { return vm->n_keys[set]; }

const char *fw_vmodel_key(const fw_vmodel_t *vm, fw_share_set_t set, size_t k)
{
    assert(k < vm->n_keys[set]);
    return vm->keys[set][k].id;
}

const char *fw_vmodel_key_label(const fw_vmodel_t *vm, fw_share_set_t set, size_t k)
{
    assert(k < vm->n_keys[set]);
    return vm->keys[set][k].label;
}

double fw_vframe_share(const fw_vframe_t *f, fw_share_set_t set, size_t k)
{
    return k < f->n_share[set] ? f->share[set][k] : 0.0;
}

long fw_vmodel_find_tick(const fw_vmodel_t *vm, uint32_t tick)
{
    size_t lo = 0, hi = vm->n_frames; /* first frame with tick > `tick` */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (vm->frames[mid]->tick <= tick)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (long)lo - 1;
}

double fw_vnode_size_value(const fw_vnode_state_t *n)
{
    if (n->valuation > 0)
        return n->valuation;
    if (n->cash > 0)
        return n->cash;
    return n->revenue > 0 ? n->revenue : 0;
}

double fw_vmodel_size_max(const fw_vmodel_t *vm) { return vm->size_max; }

double fw_vmodel_edge_max(const fw_vmodel_t *vm, fw_edge_kind_t kind)
{
    return vm->edge_max[kind];
}

/* --- building a frame ------------------------------------------------------------ */

static int s_edge_cmp(const void *a, const void *b)
{
    const fw_vedge_t *x = a, *y = b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    if (x->from != y->from)
        return x->from - y->from;
    if (x->to != y->to)
        return x->to - y->to;
    return x->family - y->family;
}

/* Adds dollars to the edge (kind, from, to, family), creating it if new. */
static int s_edge_add(fw_vframe_t *f, size_t *cap, fw_edge_kind_t kind, int from, int to,
                      int family, double dollars, double quantity, double cost)
{
    if (from < 0 || to < 0 || from == to)
        return 0; /* an edge to a company we do not know cannot be drawn */
    for (size_t i = 0; i < f->n_edges; i++) {
        fw_vedge_t *e = &f->edges[i];
        if (e->kind == kind && e->from == from && e->to == to && e->family == family) {
            e->dollars += dollars;
            e->quantity += quantity;
            e->cost += cost;
            return 0;
        }
    }
    if (s_grow((void **)&f->edges, cap, f->n_edges + 1, sizeof *f->edges) != 0)
        return -1;
    f->edges[f->n_edges++] = (fw_vedge_t){kind, from, to, family, dollars, quantity, cost};
    return 0;
}

/* Sets f->share[set][key] = value, growing the row. */
static int s_share_set(fw_vframe_t *f, fw_share_set_t set, long key, double value)
{
    if (key < 0)
        return -1;
    if ((size_t)key >= f->n_share[set]) {
        double *row = realloc(f->share[set], ((size_t)key + 1) * sizeof *row);
        if (!row)
            return -1;
        for (size_t k = f->n_share[set]; k <= (size_t)key; k++)
            row[k] = 0;
        f->share[set] = row;
        f->n_share[set] = (size_t)key + 1;
    }
    f->share[set][key] = value;
    return 0;
}

static int s_has_prefix(const Flywheel__V1__Snapshot *s, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < s->n_metrics; i++)
        if (s->metrics[i]->name && strncmp(s->metrics[i]->name, prefix, n) == 0)
            return 1;
    return 0;
}

/* Copies every metric "<prefix><id>" into the share row of `set`. */
static int s_shares_from_metrics(fw_vmodel_t *vm, fw_vframe_t *f,
                                 const Flywheel__V1__Snapshot *s, fw_share_set_t set,
                                 const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < s->n_metrics; i++) {
        const char *name = s->metrics[i]->name;
        if (!name || strncmp(name, prefix, n) != 0 || !name[n])
            continue;
        double v = s->metrics[i]->value;
        if (!isfinite(v) || v < 0)
            v = 0;
        if (s_share_set(f, set, s_key_add(vm, set, name + n), v) != 0)
            return -1;
    }
    return 0;
}

static int s_build_shares(fw_vmodel_t *vm, fw_vframe_t *f, const Flywheel__V1__Snapshot *s)
{
    /* "Cloud share of AI compute" is compute_share: AI compute sold, in H100-equivalent
     * months, as the run summary's compute column; cloud_share is a share of all cloud
     * revenue in dollars, another figure (docs/outputs.md). */
    if (s_shares_from_metrics(vm, f, s, FW_SHARE_CLOUD, "compute_share.") != 0 ||
        s_shares_from_metrics(vm, f, s, FW_SHARE_CHIP, "installed_share.") != 0)
        return -1;
    if (s_has_prefix(s, "lab_share."))
        return s_shares_from_metrics(vm, f, s, FW_SHARE_LAB, "lab_share.");
    /* No lab_share metrics (before the economy issue): revenue share among labs. */
    double total = 0;
    for (size_t i = 0; i < f->n_nodes; i++)
        if (vm->nodes[i].role == FW_VROLE_LAB && f->nodes[i].present && f->nodes[i].revenue > 0)
            total += f->nodes[i].revenue;
    for (size_t i = 0; i < f->n_nodes; i++) {
        if (vm->nodes[i].role != FW_VROLE_LAB || !f->nodes[i].present)
            continue;
        double v = total > 0 && f->nodes[i].revenue > 0 ? f->nodes[i].revenue / total : 0;
        if (s_share_set(f, FW_SHARE_LAB, s_key_add(vm, FW_SHARE_LAB, vm->nodes[i].id), v) != 0)
            return -1;
    }
    return 0;
}

static int s_build_edges(fw_vmodel_t *vm, fw_vframe_t *f, const Flywheel__V1__Snapshot *s)
{
    size_t cap = 0;
    for (size_t i = 0; i < s->n_stakes; i++) {
        const Flywheel__V1__Stake *st = s->stakes[i];
        if (!st->investor || !st->company)
            continue;
        double dollars = st->value > 0 ? (double)st->value : (double)st->cost;
        if (s_edge_add(f, &cap, FW_EDGE_STAKE, fw_vmodel_node_index(vm, st->investor),
                       fw_vmodel_node_index(vm, st->company), -1, dollars, st->fraction,
                       (double)st->cost) != 0)
            return -1;
    }
    for (size_t i = 0; i < s->n_credits; i++) {
        const Flywheel__V1__Credit *c = s->credits[i];
        if (!c->lab || !c->cloud || c->amount <= 0)
            continue;
        if (s_edge_add(f, &cap, FW_EDGE_CREDIT, fw_vmodel_node_index(vm, c->cloud),
                       fw_vmodel_node_index(vm, c->lab), -1, (double)c->amount, 0, 0) != 0)
            return -1;
    }
    for (size_t i = 0; i < s->n_flows; i++) {
        const Flywheel__V1__ComputeFlow *c = s->flows[i];
        if (!c->lab || !c->cloud || !c->family || (c->quantity <= 0 && c->amount <= 0))
            continue;
        long fam = s_key_add(vm, FW_SHARE_CHIP, c->family);
        if (fam < 0 ||
            s_edge_add(f, &cap, FW_EDGE_COMPUTE, fw_vmodel_node_index(vm, c->lab),
                       fw_vmodel_node_index(vm, c->cloud), (int)fam, (double)c->amount,
                       (double)c->quantity, 0) != 0)
            return -1;
    }
    for (size_t i = 0; i < s->n_chip_flows; i++) {
        const Flywheel__V1__ChipFlow *c = s->chip_flows[i];
        if (!c->vendor || !c->cloud || !c->family || (c->quantity <= 0 && c->amount <= 0))
            continue;
        long fam = s_key_add(vm, FW_SHARE_CHIP, c->family);
        if (fam < 0 ||
            s_edge_add(f, &cap, FW_EDGE_CHIPS, fw_vmodel_node_index(vm, c->cloud),
                       fw_vmodel_node_index(vm, c->vendor), (int)fam, (double)c->amount,
                       (double)c->quantity, 0) != 0)
            return -1;
    }
    if (f->n_edges)
        qsort(f->edges, f->n_edges, sizeof *f->edges, s_edge_cmp);
    return 0;
}

/* --- layout ------------------------------------------------------------------------ */

static double s_ring(int role)
{
    switch (role) {
    case FW_VROLE_VENDOR: return FW_VLAYOUT_R_VENDOR;
    case FW_VROLE_LAB: return FW_VLAYOUT_R_LAB;
    default: return FW_VLAYOUT_R_CLOUD;
    }
}

/* Seed angle of a node: evenly spaced on its ring by rank, each ring turned a little
 * so that the rings' spokes do not line up. 0 is at the top, clockwise. */
static double s_seed_angle(const fw_vmodel_t *vm, size_t i)
{
    const fw_vnode_t *n = &vm->nodes[i];
    size_t count = vm->role_count[n->role] ? vm->role_count[n->role] : 1;
    double offset = n->role == FW_VROLE_VENDOR ? 0.5 : n->role == FW_VROLE_LAB ? 0.25 : 0.0;
    return 2 * PI * ((double)n->rank + offset + 0.5) / (double)count;
}

/* Signed difference a - b wrapped into (-pi, pi]. */
static double s_angdiff(double a, double b)
{
    double d = fmod(a - b, 2 * PI);
    if (d > PI)
        d -= 2 * PI;
    if (d <= -PI)
        d += 2 * PI;
    return d;
}

/* Gain and number of the small steps a tick's refinement takes: gain x repulsion
 * stays below 1, so two close nodes settle apart instead of bouncing. */
#define LAYOUT_GAIN 0.08
#define LAYOUT_ITERATIONS 8

/* One small refinement step of frame f from angles `theta` (in place). Each node is
 * pulled by a spring to its seed angle and toward the nodes it trades with or holds
 * stakes in, and pushed away from close neighbours on its ring. */
static void s_layout_step(const fw_vmodel_t *vm, const fw_vframe_t *f, double *theta,
                          double *force, double *pull)
{
    size_t n = f->n_nodes;
    double kind_max[FW_EDGE_KINDS] = {0};

    for (size_t e = 0; e < f->n_edges; e++)
        if (f->edges[e].dollars > kind_max[f->edges[e].kind])
            kind_max[f->edges[e].kind] = f->edges[e].dollars;
    for (size_t i = 0; i < 2 * n; i++)
        pull[i] = 0; /* [0, n): the pull's sum; [n, 2n): the weights' sum */
    for (size_t e = 0; e < f->n_edges; e++) {
        const fw_vedge_t *ed = &f->edges[e];
        if ((size_t)ed->from >= n || (size_t)ed->to >= n || kind_max[ed->kind] <= 0)
            continue;
        double w = sqrt(ed->dollars / kind_max[ed->kind]);
        double d = s_angdiff(theta[ed->to], theta[ed->from]);
        pull[ed->from] += w * d;
        pull[ed->to] -= w * d;
        pull[n + (size_t)ed->from] += w;
        pull[n + (size_t)ed->to] += w;
    }
    for (size_t i = 0; i < n; i++) {
        /* A spring to the seed keeps the picture recognisable; the pull toward trading
         * partners is capped per node, so a company with forty contracts is not
         * dragged further than one with four. */
        double wsum = pull[n + i];
        force[i] = 0.5 * s_angdiff(s_seed_angle(vm, i), theta[i]);
        if (wsum > 0)
            force[i] += 0.06 * pull[i] / (wsum > 1 ? wsum : 1);
    }
    for (size_t i = 0; i < n; i++) {
        int role = vm->nodes[i].role;
        size_t count = vm->role_count[role] ? vm->role_count[role] : 1;
        double gap = 0.8 * 2 * PI / (double)count;
        for (size_t j = 0; j < n; j++) {
            if (j == i || vm->nodes[j].role != role)
                continue;
            double d = s_angdiff(theta[i], theta[j]);
            double ad = fabs(d);
            if (ad < gap)
                force[i] += 8.0 * (gap - ad) * (d >= 0 ? 1 : -1);
        }
    }
    for (size_t i = 0; i < n; i++)
        theta[i] += LAYOUT_GAIN * force[i];
}

/* Lays out frame k from frame k-1 (or from the seeds for the first frame). */
static int s_layout_frame(const fw_vmodel_t *vm, size_t k)
{
    fw_vframe_t *f = vm->frames[k];
    const fw_vframe_t *prev = k > 0 ? vm->frames[k - 1] : NULL;
    size_t n = f->n_nodes;
    double *theta = calloc(n ? n : 1, sizeof *theta), *force = calloc(n ? n : 1, sizeof *force);
    double *pull = calloc(n ? 2 * n : 1, sizeof *pull);
    if (!theta || !force || !pull) {
        free(theta);
        free(force);
        free(pull);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (prev && i < prev->n_nodes)
            theta[i] = atan2(prev->nodes[i].x, -prev->nodes[i].y);
        else
            theta[i] = s_seed_angle(vm, i);
    }
    /* Several small steps, then the whole tick's move is clamped: no node moves more
     * than FW_VLAYOUT_MAX_STEP (the chord is shorter than the arc, so bounding the
     * arc bounds the move). */
    double *theta0 = malloc((n ? n : 1) * sizeof *theta0);
    if (!theta0) {
        free(theta);
        free(force);
        free(pull);
        return -1;
    }
    memcpy(theta0, theta, n * sizeof *theta0);
    for (int it = 0; it < LAYOUT_ITERATIONS; it++) {
        s_layout_step(vm, f, theta, force, pull);
        for (size_t i = 0; i < n; i++) {
            double max_ang = 0.95 * FW_VLAYOUT_MAX_STEP / s_ring(vm->nodes[i].role);
            double moved = s_angdiff(theta[i], theta0[i]);
            if (moved > max_ang)
                theta[i] = theta0[i] + max_ang;
            if (moved < -max_ang)
                theta[i] = theta0[i] - max_ang;
        }
    }
    free(theta0);
    for (size_t i = 0; i < n; i++) {
        double r = s_ring(vm->nodes[i].role);
        f->nodes[i].x = r * sin(theta[i]);
        f->nodes[i].y = -r * cos(theta[i]);
    }
    free(theta);
    free(force);
    free(pull);
    return 0;
}

/* --- apply ------------------------------------------------------------------------ */

static void s_game(fw_vgame_t *g, const Flywheel__V1__Snapshot *s, int64_t received_ms)
{
    memset(g, 0, sizeof *g);
    g->phase = (int)s->phase;
    g->tick = s->tick;
    s_copy(g->pacing, sizeof g->pacing, s->pacing);
    /* Counted down from the time left that the coordinator sent (deadline_in_ms), not
     * from its wall-clock deadline: the projector's clock may be minutes off. */
    g->deadline_at_ms = s->deadline_in_ms > 0 ? received_ms + s->deadline_in_ms : 0;
    g->players_wanted = s->players_wanted;
    for (size_t i = 0; i < s->n_seats; i++) {
        switch (s->seats[i]->holder) {
        case FLYWHEEL__V1__HOLDER__HOLDER_PLAYER: g->players++; break;
        case FLYWHEEL__V1__HOLDER__HOLDER_HOUSE: g->house++; break;
        default: g->empty++; break;
        }
    }
}

const fw_vgame_t *fw_vmodel_game(const fw_vmodel_t *vm)
{
    return &vm->game;
}

int fw_vmodel_over(const fw_vmodel_t *vm)
{
    if (vm->n_frames && vm->frames[vm->n_frames - 1]->final)
        return 1;
    return vm->has_game && vm->game.phase == FLYWHEEL__V1__PHASE__PHASE_OVER;
}

void fw_vgame_describe(const fw_vgame_t *g, int64_t now_ms, char *buf, size_t len)
{
    long left = g->deadline_at_ms > 0 ? (long)((g->deadline_at_ms - now_ms + 999) / 1000) : -1;
    if (left < 0 && g->deadline_at_ms > 0)
        left = 0;
    buf[0] = '\0';
    switch (g->phase) {
    case FLYWHEEL__V1__PHASE__PHASE_LOBBY:
        if (g->players_wanted)
            snprintf(buf, len, "lobby: %u of %u players", g->players, g->players_wanted);
        else
            snprintf(buf, len, "lobby: %u players", g->players);
        if (left >= 0) {
            size_t used = strlen(buf);
            snprintf(buf + used, len - used, ", house bots in %ld s", left);
        }
        break;
    case FLYWHEEL__V1__PHASE__PHASE_PAUSED:
        /* The tick the host's and the players' screens name too. */
        snprintf(buf, len, "paused by the host after tick %u; %u players, %u house bots",
                 g->tick, g->players, g->house);
        break;
    case FLYWHEEL__V1__PHASE__PHASE_RUNNING:
        if (!strncmp(g->pacing, "deadline:", 9) && left >= 0)
            snprintf(buf, len, "turn timer %s s: %ld s left; %u players, %u house bots",
                     g->pacing + 9, left, g->players, g->house);
        else if (!strncmp(g->pacing, "deadline:", 9))
            snprintf(buf, len, "turn timer %s s; %u players, %u house bots", g->pacing + 9,
                     g->players, g->house);
        else
            snprintf(buf, len, "%s; %u players, %u house bots",
                     g->pacing[0] ? g->pacing : "lockstep", g->players, g->house);
        break;
    case FLYWHEEL__V1__PHASE__PHASE_OVER:
        snprintf(buf, len, "game over");
        break;
    default:
        break;
    }
}

int fw_vmodel_apply(fw_vmodel_t *vm, const Flywheel__V1__Snapshot *s)
{
    return fw_vmodel_apply_at(vm, s, 0);
}

int fw_vmodel_apply_at(fw_vmodel_t *vm, const Flywheel__V1__Snapshot *s, int64_t received_ms)
{
    if (!s)
        return -1;
    /* The header's status: the newest by tick, so that ticks read late from a log
     * (older than the one on the wire) do not turn it back. */
    if (s->phase != FLYWHEEL__V1__PHASE__PHASE_UNSPECIFIED &&
        (!vm->has_game || s->tick >= vm->game_tick)) {
        s_game(&vm->game, s, received_ms);
        vm->has_game = 1;
        vm->game_tick = s->tick;
    }
    if (s->tick == 0)
        return -1;
    long at = fw_vmodel_find_tick(vm, s->tick);
    if (at >= 0 && vm->frames[at]->tick == s->tick)
        return 0;
    if (s->scenario && *s->scenario && !vm->scenario[0])
        fw_vmodel_set_scenario(vm, s->scenario);

    /* Nodes first, so that edges and shares can name them; a live viewer learns the
     * display names from the snapshot (a replay has them from the log's header too). */
    for (size_t i = 0; i < s->n_companies; i++) {
        const Flywheel__V1__CompanyState *c = s->companies[i];
        if (c->id && *c->id && fw_vmodel_add_node(vm, c->id, (int)c->role) < 0)
            return -1;
        if (c->id && *c->id && c->name && *c->name)
            fw_vmodel_set_name(vm, c->id, c->name, 0);
    }
    /* Family names too, so that live and replay say "NVIDIA Hopper", never "hopper". */
    for (size_t k = 0; k < s->n_families; k++) {
        const Flywheel__V1__ChipFamilyName *fn = s->families[k];
        if (fn && fn->id && *fn->id && fn->name && *fn->name)
            fw_vmodel_set_name(vm, fn->id, fn->name, 1);
    }
    fw_vframe_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    f->tick = s->tick;
    f->ticks = s->ticks;
    s_copy(f->month, sizeof f->month, s->month);
    f->final = s->final;
    f->n_deals = s->n_deals;
    s_game(&f->game, s, received_ms);
    f->n_nodes = vm->n_nodes;
    f->nodes = calloc(vm->n_nodes ? vm->n_nodes : 1, sizeof *f->nodes);
    if (!f->nodes)
        goto fail;
    for (size_t i = 0; i < s->n_companies; i++) {
        const Flywheel__V1__CompanyState *c = s->companies[i];
        int idx = c->id ? fw_vmodel_node_index(vm, c->id) : -1;
        if (idx < 0)
            continue;
        fw_vnode_state_t *ns = &f->nodes[idx];
        ns->present = 1;
        ns->answered = c->present;
        ns->cash = (double)c->cash;
        ns->revenue = (double)c->revenue;
        ns->cost = (double)c->cost;
        ns->profit = c->profit ? (double)c->profit : (double)c->revenue - (double)c->cost;
        ns->valuation = (double)c->valuation;
        ns->compute = (double)c->compute;
        ns->capability = c->capability;
        ns->faltering = c->faltering;
        double sv = fw_vnode_size_value(ns);
        if (sv > vm->size_max)
            vm->size_max = sv;
    }
    if (s_build_edges(vm, f, s) != 0 || s_build_shares(vm, f, s) != 0)
        goto fail;
    /* The graph draws one link per (kind, from, to): the maximum is of their sums. */
    for (size_t e = 0, first = 0; e < f->n_edges; e++) {
        const fw_vedge_t *a = &f->edges[first], *b = &f->edges[e];
        if (a->kind != b->kind || a->from != b->from || a->to != b->to)
            first = e;
        double sum = 0;
        for (size_t k = first; k <= e; k++)
            sum += f->edges[k].dollars;
        if (sum > vm->edge_max[b->kind])
            vm->edge_max[b->kind] = sum;
    }
    if (s->n_events) {
        f->events = calloc(s->n_events, sizeof *f->events);
        if (!f->events)
            goto fail;
        for (size_t i = 0; i < s->n_events; i++) {
            f->events[i] = strdup(s->events[i] ? s->events[i] : "");
            if (!f->events[i])
                goto fail;
            f->n_events++;
        }
    }

    /* Insert in tick order, then lay out this frame and every later one. */
    if (s_grow((void **)&vm->frames, &vm->cap_frames, vm->n_frames + 1, sizeof *vm->frames) != 0)
        goto fail;
    size_t pos = (size_t)(at + 1);
    memmove(&vm->frames[pos + 1], &vm->frames[pos], (vm->n_frames - pos) * sizeof *vm->frames);
    vm->frames[pos] = f;
    vm->n_frames++;
    for (size_t k = pos; k < vm->n_frames; k++)
        if (s_layout_frame(vm, k) != 0)
            return -1; /* the frame is in; only its positions are stale */
    return 1;
fail:
    s_frame_free(f);
    return -1;
}

/* --- palette ------------------------------------------------------------------------ */

fw_rgb_t fw_vpalette_role(int role)
{
    switch (role) {
    case FW_VROLE_CLOUD: return (fw_rgb_t){0x25, 0x6f, 0xd8};  /* blue */
    case FW_VROLE_LAB: return (fw_rgb_t){0xf0, 0x8a, 0x12};    /* orange */
    case FW_VROLE_VENDOR: return (fw_rgb_t){0x22, 0x9a, 0x4a}; /* green */
    default: return (fw_rgb_t){0x88, 0x88, 0x88};
    }
}

static uint8_t s_mix(uint8_t a, uint8_t b, double t)
{
    return (uint8_t)lround((double)a + ((double)b - (double)a) * t);
}

fw_rgb_t fw_vpalette_shade(int role, int rank, int n)
{
    fw_rgb_t base = fw_vpalette_role(role);
    fw_rgb_t dark = {(uint8_t)(base.r * 0.55), (uint8_t)(base.g * 0.55), (uint8_t)(base.b * 0.55)};
    fw_rgb_t light = {s_mix(base.r, 255, 0.55), s_mix(base.g, 255, 0.55), s_mix(base.b, 255, 0.55)};
    double t = n > 1 ? (double)rank / (double)(n - 1) : 0.5;
    /* Alternate dark and light halves so that neighbours in a stack differ more. */
    if (n > 3) {
        int half = (n + 1) / 2;
        int r2 = rank % 2 == 0 ? rank / 2 : half + rank / 2;
        t = (double)r2 / (double)(n - 1);
    }
    if (t < 0.5)
        return (fw_rgb_t){s_mix(dark.r, base.r, t * 2), s_mix(dark.g, base.g, t * 2),
                          s_mix(dark.b, base.b, t * 2)};
    return (fw_rgb_t){s_mix(base.r, light.r, (t - 0.5) * 2), s_mix(base.g, light.g, (t - 0.5) * 2),
                      s_mix(base.b, light.b, (t - 0.5) * 2)};
}

fw_rgb_t fw_vmodel_node_color(const fw_vmodel_t *vm, size_t i)
{
    const fw_vnode_t *n = fw_vmodel_node(vm, i);
    return fw_vpalette_shade(n->role, n->rank, (int)vm->role_count[n->role]);
}

fw_rgb_t fw_vpalette_family(size_t k)
{
    static const fw_rgb_t base[] = {
        {0x7b, 0x4c, 0xc9}, /* purple */
        {0xc2, 0x37, 0x8f}, /* magenta */
        {0x17, 0x9a, 0x9a}, /* teal */
        {0xb8, 0x32, 0x2a}, /* crimson */
        {0x8a, 0x86, 0x1c}, /* olive */
        {0x5b, 0x6b, 0x7f}, /* slate */
        {0x8c, 0x5a, 0x3c}, /* brown */
        {0xd0, 0x6f, 0xd6}, /* orchid */
    };
    size_t nb = sizeof base / sizeof base[0];
    fw_rgb_t c = base[k % nb];
    if ((k / nb) % 2 == 1) /* a second round, lighter */
        c = (fw_rgb_t){s_mix(c.r, 255, 0.4), s_mix(c.g, 255, 0.4), s_mix(c.b, 255, 0.4)};
    return c;
}

fw_rgb_t fw_vmodel_key_color(const fw_vmodel_t *vm, fw_share_set_t set, size_t k)
{
    if (set == FW_SHARE_CHIP)
        return fw_vpalette_family(k);
    int i = fw_vmodel_node_index(vm, fw_vmodel_key(vm, set, k));
    if (i >= 0)
        return fw_vmodel_node_color(vm, (size_t)i);
    return fw_vpalette_shade(set == FW_SHARE_CLOUD ? FW_VROLE_CLOUD : FW_VROLE_LAB, (int)k,
                             (int)vm->n_keys[set]);
}
