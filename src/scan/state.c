/* The state file. WAL journal and batched transactions: a run killed at any point leaves a
 * consistent file, and what was committed is not scanned again. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include "faceaudit/buf.h"
#include "faceaudit/scan.h"
#include "faceaudit/state.h"

#define BATCH_OBJECTS 256
#define BATCH_SECONDS 2.0
#define BUSY_TIMEOUT_MS 5000

struct fa_state {
    sqlite3      *db;
    int           lock_fd;
    char         *digest;
    int64_t       run_id, prev_run_id;
    sqlite3_stmt *get, *put, *note, *prev;
    int           in_tx;
    int           pending;
    double        tx_started;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS objects ("
    "  key TEXT PRIMARY KEY, size INTEGER, mtime INTEGER, etag TEXT, rules_digest TEXT,"
    "  results TEXT NOT NULL, run_id INTEGER);"
    "CREATE TABLE IF NOT EXISTS runs ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT, started_at INTEGER, finished_at INTEGER,"
    "  targets TEXT, rules_digest TEXT, objects INTEGER, findings INTEGER, carried INTEGER,"
    "  complete INTEGER, finished INTEGER DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS run_findings ("
    "  run_id INTEGER, fingerprint TEXT, PRIMARY KEY (run_id, fingerprint)) WITHOUT ROWID;";

static fa_status db_fail(fa_state *st, fa_err *err, const char *what)
{
    return fa_err_set(err, FA_FATAL, "state", "state file: %s: %s", what, sqlite3_errmsg(st->db));
}

static void begin_tx(fa_state *st)
{
    if (!st->in_tx && sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK) {
        st->in_tx = 1;
        st->pending = 0;
        st->tx_started = fa_scan_now();
    }
}

static void commit_tx(fa_state *st)
{
    if (st->in_tx) {
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
        st->in_tx = 0;
    }
}

/* Commits in batches: a killed run loses at most one batch of work. */
static void maybe_commit(fa_state *st)
{
    if (st->in_tx && (st->pending >= BATCH_OBJECTS || fa_scan_now() - st->tx_started > BATCH_SECONDS))
        commit_tx(st);
}

fa_state *fa_state_open(const char *file, double lock_timeout, fa_err *err)
{
    fa_state *st = fa_xcalloc(1, sizeof *st);
    st->lock_fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (st->lock_fd < 0) {
        fa_err_set(err, FA_FATAL, "state", "cannot open state file %s: %s", file, strerror(errno));
        free(st);
        return NULL;
    }
    /* flock() is independent of SQLite's own fcntl locks: it serialises whole runs. */
    double waited = 0;
    while (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK || waited >= lock_timeout) {
            fa_err_set(err, FA_FATAL, "locked", "state file %s is in use by another faceaudit run "
                       "(waited %.0f s; see --lock-timeout)", file, waited);
            close(st->lock_fd);
            free(st);
            return NULL;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
        waited += 0.1;
    }
    if (sqlite3_open_v2(file, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fa_err_set(err, FA_FATAL, "state", "cannot open state file %s: %s", file,
                   st->db ? sqlite3_errmsg(st->db) : "out of memory");
        fa_state_close(st);
        return NULL;
    }
    /* Before the schema: switching to WAL needs a moment's exclusive lock, and a reader
     * outside faceaudit (sqlite3, a monitoring script) may hold a shared one. */
    sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
    if (sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        int code = sqlite3_errcode(st->db);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
            fa_err_set(err, FA_FATAL, "locked", "state file %s is held by another program: %s "
                       "(waited %d s)", file, sqlite3_errmsg(st->db), BUSY_TIMEOUT_MS / 1000);
        else
            fa_err_set(err, FA_FATAL, "state", "%s is not a faceaudit state file: %s", file,
                       sqlite3_errmsg(st->db));
        fa_state_close(st);
        return NULL;
    }
    if (sqlite3_prepare_v2(st->db, "SELECT results FROM objects WHERE key=?1 AND size=?2 AND mtime=?3 "
                           "AND etag IS ?4 AND rules_digest=?5", -1, &st->get, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO objects(key,size,mtime,etag,rules_digest,results,run_id) "
                           "VALUES(?1,?2,?3,?4,?5,?6,?7)", -1, &st->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "INSERT OR IGNORE INTO run_findings(run_id,fingerprint) VALUES(?1,?2)", -1,
                           &st->note, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(st->db, "SELECT 1 FROM run_findings WHERE run_id=?1 AND fingerprint=?2", -1,
                           &st->prev, NULL) != SQLITE_OK) {
        db_fail(st, err, "prepare");
        fa_state_close(st);
        return NULL;
    }
    return st;
}

void fa_state_close(fa_state *st)
{
    if (!st)
        return;
    if (st->db) {
        commit_tx(st);
        sqlite3_finalize(st->get);
        sqlite3_finalize(st->put);
        sqlite3_finalize(st->note);
        sqlite3_finalize(st->prev);
        sqlite3_close(st->db);
    }
    if (st->lock_fd >= 0)
        close(st->lock_fd);   /* releases the flock */
    free(st->digest);
    free(st);
}

fa_status fa_state_begin_run(fa_state *st, const char *targets_json, const char *rules_digest, fa_err *err)
{
    free(st->digest);
    st->digest = fa_xstrdup(rules_digest ? rules_digest : "");
    sqlite3_stmt *q;
    /* The previous run is the last one that finished (an interrupted run is not a baseline). */
    st->prev_run_id = 0;
    if (sqlite3_prepare_v2(st->db, "SELECT id FROM runs WHERE finished=1 ORDER BY id DESC LIMIT 1", -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            st->prev_run_id = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    if (sqlite3_prepare_v2(st->db, "INSERT INTO runs(started_at,targets,rules_digest) VALUES(?1,?2,?3)", -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, err, "record run");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(q, 2, targets_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, st->digest, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return db_fail(st, err, "record run");
    st->run_id = sqlite3_last_insert_rowid(st->db);
    return FA_OK;
}

fa_status fa_state_end_run(fa_state *st, const fa_stats *stats, int complete, fa_err *err)
{
    commit_tx(st);
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "UPDATE runs SET finished_at=?1, objects=?2, findings=?3, carried=?4, "
                           "complete=?5, finished=1 WHERE id=?6", -1, &q, NULL) != SQLITE_OK)
        return db_fail(st, err, "finish run");
    sqlite3_bind_int64(q, 1, (sqlite3_int64)time(NULL));
    sqlite3_bind_int64(q, 2, (sqlite3_int64)stats->objects);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)stats->findings);
    sqlite3_bind_int64(q, 4, (sqlite3_int64)stats->carried);
    sqlite3_bind_int(q, 5, complete);
    sqlite3_bind_int64(q, 6, st->run_id);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    /* Keep only the two newest runs' findings: enough for --new-only. */
    char sql[160];
    snprintf(sql, sizeof sql, "DELETE FROM run_findings WHERE run_id < %lld", (long long)st->prev_run_id);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_DONE ? FA_OK : db_fail(st, err, "finish run");
}

static void bind_identity(sqlite3_stmt *q, const char *key, int64_t size, int64_t mtime, const char *etag)
{
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, size);
    sqlite3_bind_int64(q, 3, mtime);
    if (etag)
        sqlite3_bind_text(q, 4, etag, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 4);
}

json_t *fa_state_lookup(fa_state *st, const char *key, int64_t size, int64_t mtime, const char *etag)
{
    sqlite3_reset(st->get);
    sqlite3_clear_bindings(st->get);
    bind_identity(st->get, key, size, mtime, etag);
    sqlite3_bind_text(st->get, 5, st->digest, -1, SQLITE_TRANSIENT);
    json_t *r = NULL;
    if (sqlite3_step(st->get) == SQLITE_ROW) {
        const char *txt = (const char *)sqlite3_column_text(st->get, 0);
        r = txt ? json_loads(txt, 0, NULL) : NULL;
    }
    sqlite3_reset(st->get);
    return r;
}

void fa_state_store(fa_state *st, const char *key, int64_t size, int64_t mtime, const char *etag, json_t *results)
{
    char *txt = json_dumps(results, JSON_COMPACT);
    if (!txt)
        return;
    begin_tx(st);
    sqlite3_reset(st->put);
    sqlite3_clear_bindings(st->put);
    bind_identity(st->put, key, size, mtime, etag);
    sqlite3_bind_text(st->put, 5, st->digest, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st->put, 6, txt, -1, free);
    sqlite3_bind_int64(st->put, 7, st->run_id);
    sqlite3_step(st->put);
    sqlite3_reset(st->put);
    st->pending++;
    maybe_commit(st);
}

int fa_state_note_finding(fa_state *st, const char *fingerprint)
{
    int seen = 0;
    if (st->prev_run_id) {
        sqlite3_reset(st->prev);
        sqlite3_bind_int64(st->prev, 1, st->prev_run_id);
        sqlite3_bind_text(st->prev, 2, fingerprint, -1, SQLITE_TRANSIENT);
        seen = sqlite3_step(st->prev) == SQLITE_ROW;
        sqlite3_reset(st->prev);
    }
    begin_tx(st);
    sqlite3_reset(st->note);
    sqlite3_bind_int64(st->note, 1, st->run_id);
    sqlite3_bind_text(st->note, 2, fingerprint, -1, SQLITE_TRANSIENT);
    sqlite3_step(st->note);
    sqlite3_reset(st->note);
    maybe_commit(st);
    return seen;
}
