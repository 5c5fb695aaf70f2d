/* fw_curve: CURVE keys on disk, and who may connect.
 *
 * A key pair is two files in ZeroMQ's certificate format (the one pyzmq's
 * zmq.auth.create_certificates and CZMQ's zcert write, so keys made by either work
 * here, and the Python agent reads ours with zmq.auth.load_certificate):
 *   NAME.key         the public key: give it to whoever must recognise you
 *   NAME.key_secret  the public and the secret key: mode 0600, never leaves its host
 * Each holds `public-key = "<40 Z85 characters>"` (and `secret-key = "..."`).
 *
 * An allow list is a directory of public keys (NAME.key files): NAME is who holds the
 * key, a seat id or a player's name, and becomes the ZAP user id of its connections.
 * A secret key file that others may read is refused, as ssh refuses such a key.
 */
#ifndef FW_CURVE_H
#define FW_CURVE_H

#include <stdbool.h>
#include <stddef.h>

#define FW_CURVE_KEY_LEN 40  /* a key in Z85 text */
#define FW_CURVE_NAME_MAX 63 /* the longest name an allow list keeps */

typedef struct {
    char public_key[FW_CURVE_KEY_LEN + 1];
    char secret_key[FW_CURVE_KEY_LEN + 1]; /* "" when only the public key is known */
} fw_curve_pair_t;

/* Makes a new key pair and writes DIR/NAME.key and DIR/NAME.key_secret (0600),
 * creating DIR (0700) if missing. An existing file is never overwritten. NAME is
 * letters, digits, '-', '_' and '.', at most FW_CURVE_NAME_MAX long. Returns 0, or -1
 * with the reason in err. */
int fw_curve_new(const char *dir, const char *name, fw_curve_pair_t *out, char *err,
                 size_t err_len);

/* Reads a public key file (or the public key of a secret key file). Returns 0 or -1
 * with the reason in err ("FILE:LINE: ..."). */
int fw_curve_read_public(const char *path, char out[FW_CURVE_KEY_LEN + 1], char *err,
                         size_t err_len);

/* Reads a secret key file: both keys. Refuses a file that its group or others may
 * read. Returns 0 or -1 with the reason in err. */
int fw_curve_read_secret(const char *path, fw_curve_pair_t *out, char *err, size_t err_len);

/* Who may connect: the keys of a directory, or anyone who speaks CURVE (`any`: the
 * link is still encrypted; the user id is then the client's public key). */
typedef struct fw_curve_allow fw_curve_allow_t;

/* The keys in every NAME.key file of dir (NULL with any = true: anyone). A directory
 * with no key, a bad key file or two names for one key is an error. Returns the list
 * or NULL with the reason in err. */
fw_curve_allow_t *fw_curve_allow_new(const char *dir, bool any, char *err, size_t err_len);

/* Adds `public_key` under `name` to a list of keys (a list of `any` already holds
 * it). Returns 0, or -1 with the reason in err (a bad key or name, the key already
 * listed under another name, no memory). */
int fw_curve_allow_add(fw_curve_allow_t *a, const char *name, const char *public_key,
                       char *err, size_t err_len);

/* The name of `public_key` (40 Z85 characters) in the list: its file's NAME, or with
 * `any` the key itself; NULL when the key is not allowed. */
const char *fw_curve_allow_find(const fw_curve_allow_t *a, const char *public_key);

/* Whether the list holds a key named `name` (never for `any`). */
bool fw_curve_allow_named(const fw_curve_allow_t *a, const char *name);

/* How many keys the list holds (0 for `any`); whether it is `any`. */
size_t fw_curve_allow_count(const fw_curve_allow_t *a);
bool fw_curve_allow_any(const fw_curve_allow_t *a);

/* Frees the list; NULL-safe; sets *p to NULL. */
void fw_curve_allow_destroy(fw_curve_allow_t **p);

#endif
