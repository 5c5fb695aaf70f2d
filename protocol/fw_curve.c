/* fw_curve: see fw_curve.h. */
#include "fw_curve.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "fw_file.h"

#define S_FILE_MAX 4096 /* a certificate is a few hundred bytes */

struct fw_curve_allow {
    bool any;     /* anyone who speaks CURVE */
    size_t n;     /* keys */
    char (*key)[FW_CURVE_KEY_LEN + 1];  /* sorted by key, for bsearch */
    char (*name)[FW_CURVE_NAME_MAX + 1];/* name[i] holds key[i] */
};

static bool s_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > FW_CURVE_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

/* A Z85 key: 40 characters of ZeroMQ's Z85 alphabet that decode to 32 bytes. */
static bool s_key_ok(const char *key)
{
    uint8_t raw[32];
    return strlen(key) == FW_CURVE_KEY_LEN && zmq_z85_decode(raw, key) != NULL;
}

/* Writes `text` to a new file (never an existing one) with `mode`. */
static int s_write_new(const char *path, const char *text, mode_t mode, char *err,
                       size_t err_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) {
        snprintf(err, err_len, "cannot create %s: %s", path, strerror(errno));
        return -1;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
            close(fd);
            unlink(path);
            return -1;
        }
        done += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, err_len, "cannot write %s: %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

int fw_curve_new(const char *dir, const char *name, fw_curve_pair_t *out, char *err,
                 size_t err_len)
{
    assert(dir && name && out);
    if (!s_name_ok(name)) {
        snprintf(err, err_len, "'%.80s' cannot name a key: use letters, digits, '-', '_' and "
                 "'.', at most %d characters", name, FW_CURVE_NAME_MAX);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, err_len, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (zmq_curve_keypair(out->public_key, out->secret_key) != 0) {
        snprintf(err, err_len, "cannot make a key pair: %s (is libzmq built with CURVE?)",
                 zmq_strerror(zmq_errno()));
        return -1;
    }
    char pub_path[4096], sec_path[4096], text[1024], when[32];
    snprintf(pub_path, sizeof pub_path, "%s/%s.key", dir, name);
    snprintf(sec_path, sizeof sec_path, "%s/%s.key_secret", dir, name);
    time_t now = time(NULL);
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime_r(&now, &tm));
    /* Secret first: a public key without its secret would be a key nobody holds. */
    snprintf(text, sizeof text,
             "#   ****  Generated on %s UTC by flywheel keys new  ****\n"
             "#   ZeroMQ CURVE **Secret** Certificate of '%s'\n"
             "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\n"
             "metadata\n    name = \"%s\"\ncurve\n    public-key = \"%s\"\n"
             "    secret-key = \"%s\"\n",
             when, name, name, out->public_key, out->secret_key);
    if (s_write_new(sec_path, text, 0600, err, err_len) != 0)
        return -1;
    snprintf(text, sizeof text,
             "#   ****  Generated on %s UTC by flywheel keys new  ****\n"
             "#   ZeroMQ CURVE Public Certificate of '%s'\n"
             "#   Give it to the coordinator that must recognise '%s' (its --allow\n"
             "#   directory), or to the players who must recognise this coordinator.\n\n"
             "metadata\n    name = \"%s\"\ncurve\n    public-key = \"%s\"\n",
             when, name, name, name, out->public_key);
    if (s_write_new(pub_path, text, 0644, err, err_len) != 0) {
        unlink(sec_path);
        return -1;
    }
    return 0;
}

/* Finds `field = "KEY"` in a certificate's text; returns 1 with the key in out, 0 when
 * absent, -1 when present but not a key (the reason in err). */
static int s_field(const char *path, const char *text, const char *field,
                   char out[FW_CURVE_KEY_LEN + 1], char *err, size_t err_len)
{
    size_t flen = strlen(field);
    unsigned line = 1;
    for (const char *p = text; *p; line++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *q = p;
        while (q < p + len && (*q == ' ' || *q == '\t'))
            q++;
        if ((size_t)(p + len - q) > flen && strncmp(q, field, flen) == 0 &&
            (q[flen] == ' ' || q[flen] == '=')) {
            q += flen;
            while (q < p + len && (*q == ' ' || *q == '='))
                q++;
            const char *open = q < p + len && *q == '"' ? q + 1 : q;
            const char *close = memchr(open, '"', (size_t)(p + len - open));
            size_t klen = close ? (size_t)(close - open) : (size_t)(p + len - open);
            if (klen != FW_CURVE_KEY_LEN) {
                snprintf(err, err_len, "%s:%u: %s is not a 40-character Z85 key", path, line,
                         field);
                return -1;
            }
            memcpy(out, open, FW_CURVE_KEY_LEN);
            out[FW_CURVE_KEY_LEN] = '\0';
            if (!s_key_ok(out)) {
                snprintf(err, err_len, "%s:%u: %s is not a Z85 key", path, line, field);
                return -1;
            }
            return 1;
        }
        p = end ? end + 1 : p + len;
    }
    return 0;
}

static int s_read(const char *path, char **text, char *err, size_t err_len)
{
    if (fw_file_read(path, S_FILE_MAX, text, NULL) != 0) {
        snprintf(err, err_len, "cannot read %s: %s", path,
                 errno == EFBIG ? "too large for a key file" : strerror(errno));
        return -1;
    }
    return 0;
}

int fw_curve_read_public(const char *path, char out[FW_CURVE_KEY_LEN + 1], char *err,
                         size_t err_len)
{
    char *text = NULL;
    if (s_read(path, &text, err, err_len) != 0)
        return -1;
    int rc = s_field(path, text, "public-key", out, err, err_len);
    free(text);
    if (rc == 0)
        snprintf(err, err_len, "%s: no public-key line: not a key file", path);
    return rc == 1 ? 0 : -1;
}

int fw_curve_read_secret(const char *path, fw_curve_pair_t *out, char *err, size_t err_len)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    if (st.st_mode & 077) {
        snprintf(err, err_len, "%s may be read by others (mode %03o): a secret key must "
                 "be yours alone (chmod 600 %s)", path, (unsigned)(st.st_mode & 0777), path);
        return -1;
    }
    char *text = NULL;
    if (s_read(path, &text, err, err_len) != 0)
        return -1;
    int pub = s_field(path, text, "public-key", out->public_key, err, err_len);
    int sec = pub < 0 ? -1 : s_field(path, text, "secret-key", out->secret_key, err, err_len);
    free(text);
    if (pub == 0 || sec == 0) {
        snprintf(err, err_len, "%s: no %s line: not a secret key file (NAME.key_secret)", path,
                 pub == 0 ? "public-key" : "secret-key");
        return -1;
    }
    if (pub < 0 || sec < 0)
        return -1;
    /* The two halves must belong together, or the peer would see another key. */
    char derived[FW_CURVE_KEY_LEN + 1];
    if (zmq_curve_public(derived, out->secret_key) != 0 ||
        strcmp(derived, out->public_key) != 0) {
        snprintf(err, err_len, "%s: its public key is not the one of its secret key", path);
        return -1;
    }
    return 0;
}

static int s_by_key(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

fw_curve_allow_t *fw_curve_allow_new(const char *dir, bool any, char *err, size_t err_len)
{
    fw_curve_allow_t *a = calloc(1, sizeof *a);
    if (!a) {
        snprintf(err, err_len, "out of memory");
        return NULL;
    }
    if (any) {
        a->any = true;
        return a;
    }
    assert(dir);
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_len, "cannot open the allow list %s: %s", dir, strerror(errno));
        free(a);
        return NULL;
    }
    size_t cap = 0;
    struct {
        char key[FW_CURVE_KEY_LEN + 1];
        char name[FW_CURVE_NAME_MAX + 1];
    } *e = NULL;
    int rc = 0;
    for (struct dirent *de; rc == 0 && (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        if (len <= 4 || strcmp(de->d_name + len - 4, ".key") != 0)
            continue;
        char name[256], path[4096];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), de->d_name);
        if (!s_name_ok(name)) {
            snprintf(err, err_len, "%s/%s: '%s' cannot name a key", dir, de->d_name, name);
            rc = -1;
            break;
        }
        if (a->n == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            void *grown = realloc(e, ncap * sizeof *e);
            if (!grown) {
                snprintf(err, err_len, "out of memory");
                rc = -1;
                break;
            }
            e = grown;
            cap = ncap;
        }
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (fw_curve_read_public(path, e[a->n].key, err, err_len) != 0) {
            rc = -1;
            break;
        }
        memcpy(e[a->n].name, name, strlen(name) + 1); /* s_name_ok: at most FW_CURVE_NAME_MAX */
        a->n++;
    }
    closedir(d);
    if (rc == 0 && a->n == 0) {
        snprintf(err, err_len, "the allow list %s holds no public key (NAME.key files: "
                 "make them with `flywheel keys new`)", dir);
        rc = -1;
    }
    if (rc == 0) {
        qsort(e, a->n, sizeof *e, s_by_key);
        for (size_t i = 1; i < a->n && rc == 0; i++)
            if (strcmp(e[i - 1].key, e[i].key) == 0) {
                snprintf(err, err_len, "the allow list %s gives one key two names: '%s' and "
                         "'%s'", dir, e[i - 1].name, e[i].name);
                rc = -1;
            }
    }
    if (rc == 0) {
        a->key = malloc(a->n * sizeof *a->key);
        a->name = malloc(a->n * sizeof *a->name);
        if (!a->key || !a->name) {
            snprintf(err, err_len, "out of memory");
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && i < a->n; i++) {
            memcpy(a->key[i], e[i].key, sizeof a->key[i]);
            memcpy(a->name[i], e[i].name, sizeof a->name[i]);
        }
    }
    free(e);
    if (rc != 0)
        fw_curve_allow_destroy(&a);
    return a;
}

int fw_curve_allow_add(fw_curve_allow_t *a, const char *name, const char *public_key,
                       char *err, size_t err_len)
{
    assert(a && name && public_key);
    if (a->any)
        return 0;
    if (!s_name_ok(name) || !s_key_ok(public_key)) {
        snprintf(err, err_len, "cannot add '%.64s': a bad name or key", name);
        return -1;
    }
    const char *had = fw_curve_allow_find(a, public_key);
    if (had) {
        if (strcmp(had, name) == 0)
            return 0;
        snprintf(err, err_len, "the key of '%s' is listed already, as '%s'", name, had);
        return -1;
    }
    void *k = realloc(a->key, (a->n + 1) * sizeof *a->key);
    if (k)
        a->key = k;
    void *n = k ? realloc(a->name, (a->n + 1) * sizeof *a->name) : NULL;
    if (!k || !n) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    a->name = n;
    /* Insert in key order, so bsearch still finds every key. */
    size_t at = 0;
    while (at < a->n && strcmp(a->key[at], public_key) < 0)
        at++;
    memmove(a->key + at + 1, a->key + at, (a->n - at) * sizeof *a->key);
    memmove(a->name + at + 1, a->name + at, (a->n - at) * sizeof *a->name);
    snprintf(a->key[at], sizeof a->key[at], "%s", public_key);
    snprintf(a->name[at], sizeof a->name[at], "%s", name);
    a->n++;
    return 0;
}

const char *fw_curve_allow_find(const fw_curve_allow_t *a, const char *public_key)
{
    if (!a || !public_key || strlen(public_key) != FW_CURVE_KEY_LEN)
        return NULL;
    if (a->any)
        return public_key;
    const char (*hit)[FW_CURVE_KEY_LEN + 1] =
        bsearch(public_key, a->key, a->n, sizeof *a->key, s_by_key);
    return hit ? a->name[hit - a->key] : NULL;
}

bool fw_curve_allow_named(const fw_curve_allow_t *a, const char *name)
{
    for (size_t i = 0; a && i < a->n; i++)
        if (strcmp(a->name[i], name) == 0)
            return true;
    return false;
}

size_t fw_curve_allow_count(const fw_curve_allow_t *a)
{
    return a ? a->n : 0;
}

bool fw_curve_allow_any(const fw_curve_allow_t *a)
{
    return a && a->any;
}

void fw_curve_allow_destroy(fw_curve_allow_t **p)
{
    if (!p || !*p)
        return;
    free((*p)->key);
    free((*p)->name);
    free(*p);
    *p = NULL;
}
