#include <criterion/criterion.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "faceaudit/state.h"

static char dir[] = "/tmp/fa-state-XXXXXX";
static char path[256];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/st.db", dir);
}

static void teardown(void)
{
    char f[300];
    const char *ext[] = { "", "-wal", "-shm" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, ext[i]);
        unlink(f);
    }
    rmdir(dir);
}

TestSuite(state, .init = setup, .fini = teardown);

static void *release_after(void *db)
{
    usleep(300 * 1000);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

/* The CI race: a reader polling a state file that a new run is just creating holds a shared
 * lock while the run switches the file to WAL; the run must wait for it, not give up. */
Test(state, waits_for_a_reader_while_creating_the_schema)
{
    FILE *f = fopen(path, "w");   /* what fa_state_open's own lock file leaves: an empty file */
    cr_assert_not_null(f);
    fclose(f);
    sqlite3 *reader;
    cr_assert_eq(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM sqlite_master;", NULL, NULL, NULL), SQLITE_OK);
    pthread_t t;
    pthread_create(&t, NULL, release_after, reader);
    fa_err err = { 0 };
    fa_state *st = fa_state_open(path, 0, &err);
    pthread_join(t, NULL);
    sqlite3_close(reader);
    cr_assert_not_null(st, "fa_state_open: %s", err.msg);
    cr_assert_eq(fa_state_begin_run(st, "[]", "d1", &err), FA_OK, "%s", err.msg);
    fa_state_close(st);
}

/* A second faceaudit run is refused after lock_timeout with a message naming the file. */
Test(state, second_run_is_refused_after_the_lock_timeout)
{
    fa_err err = { 0 };
    fa_state *a = fa_state_open(path, 0, &err);
    cr_assert_not_null(a, "%s", err.msg);
    fa_state *b = fa_state_open(path, 0.2, &err);
    cr_assert_null(b);
    cr_assert(strstr(err.msg, path) && strstr(err.msg, "in use"), "%s", err.msg);
    fa_state_close(a);
}

/* Stored results come back only for the same identity and rules digest. */
Test(state, lookup_matches_identity_and_rules)
{
    fa_err err = { 0 };
    fa_state *st = fa_state_open(path, 0, &err);
    cr_assert_not_null(st, "%s", err.msg);
    cr_assert_eq(fa_state_begin_run(st, "[]", "d1", &err), FA_OK, "%s", err.msg);
    json_t *res = json_pack("{s:[],s:[]}", "objects", "findings");
    fa_state_store(st, "file:a", 10, 100, NULL, res);
    json_decref(res);
    json_t *hit = fa_state_lookup(st, "file:a", 10, 100, NULL);
    cr_assert_not_null(hit);
    cr_assert(json_is_array(json_object_get(hit, "findings")));
    json_decref(hit);
    cr_assert_null(fa_state_lookup(st, "file:a", 11, 100, NULL), "size changed");
    cr_assert_null(fa_state_lookup(st, "file:a", 10, 101, NULL), "mtime changed");
    cr_assert_null(fa_state_lookup(st, "file:a", 10, 100, "etag"), "etag differs");
    fa_stats stats = { 0 };
    cr_assert_eq(fa_state_end_run(st, &stats, 1, &err), FA_OK, "%s", err.msg);
    fa_state_close(st);
    st = fa_state_open(path, 0, &err);
    cr_assert_not_null(st, "%s", err.msg);
    cr_assert_eq(fa_state_begin_run(st, "[]", "d2", &err), FA_OK, "%s", err.msg);
    cr_assert_null(fa_state_lookup(st, "file:a", 10, 100, NULL), "other rules digest");
    fa_state_close(st);
}
