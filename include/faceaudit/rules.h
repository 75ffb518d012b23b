/* Rule packs: YAML files of rules; see man/faceaudit-rules.5.
 *   id, version, description, rules: [ {id, kind, category, severity, description,
 *   confidence?, keywords?, tags?, examples: {match: [...], no_match: [...]}, <kind fields>} ]
 * The loader checks the common fields and hands every other key to the rule's kind
 * (detect.h), so a new kind is one file in src/detect/ and one line in kinds.c. */
#ifndef FACEAUDIT_RULES_H
#define FACEAUDIT_RULES_H
#include <stddef.h>
#include "faceaudit/err.h"
#include "faceaudit/model.h"

struct fa_kind;
struct fa_pack;

typedef struct fa_rule {
    char        *id;            /* unique across the loaded set */
    char        *category;
    char        *description;
    fa_severity  severity;
    double       confidence;    /* default confidence of its findings (0.5 if unset) */
    char       **keywords;      /* NULL-terminated literal prefilter, may be NULL */
    size_t       nkeywords;
    char       **tags;          /* NULL-terminated, may be NULL */
    size_t       ntags;
    char       **ex_match;      /* examples that must produce a finding of this rule */
    size_t       nex_match;
    char       **ex_no_match;   /* examples that must not */
    size_t       nex_no_match;
    long         line, column;  /* where the rule starts in its pack */
    int          enabled;       /* 1 unless disabled by the user */
    const struct fa_kind *kind;
    struct fa_pack *pack;       /* back pointer (owned by the ruleset) */
    void        *kdata;         /* the kind's compiled parameters; freed by kind->free_rule */
} fa_rule;

typedef struct fa_pack {
    char     *id, *version, *description;
    char     *file;             /* path it was loaded from */
    char     *dir;              /* folder of file (examples may name files relative to it) */
    fa_rule **rules;
    size_t    nrules;
} fa_pack;

typedef struct fa_ruleset fa_ruleset;

fa_ruleset *fa_ruleset_new(void);
void        fa_ruleset_free(fa_ruleset *rs);
/* Loads a pack file, or every *.yaml / *.yml in a folder (sorted). Errors are
 * "file:line:column: message" (status FA_FATAL). Duplicate rule ids across packs are errors. */
fa_status   fa_ruleset_load(fa_ruleset *rs, const char *path, fa_err *err);
/* The pack files fa_ruleset_load() would read for path, in its order: the file itself, or
 * the folder's *.yaml / *.yml sorted. *files is a NULL-terminated array the caller frees
 * with fa_strv_free() (yaml.h); FA_FATAL with a message if path cannot be read or holds none. */
fa_status   fa_ruleset_pack_files(const char *path, char ***files, fa_err *err);
/* Loads from memory (tests, fuzzing); `name` is used in messages. */
fa_status   fa_ruleset_load_mem(fa_ruleset *rs, const char *name, const char *data, size_t len, fa_err *err);
size_t      fa_ruleset_npacks(const fa_ruleset *rs);
fa_pack    *fa_ruleset_pack(const fa_ruleset *rs, size_t i);
size_t      fa_ruleset_nrules(const fa_ruleset *rs);
fa_rule    *fa_ruleset_rule(const fa_ruleset *rs, size_t i);
fa_rule    *fa_ruleset_find(const fa_ruleset *rs, const char *id);
/* sha256 hex over every loaded pack's bytes in load order (the contract's rules_digest). */
const char *fa_ruleset_digest(const fa_ruleset *rs);

/* Default pack search when no --rules is given: $FACEAUDIT_RULES, the installed share
 * folder, else rules/ beside the binary (argv0_dir/../rules). Returns a newly allocated
 * path (caller frees) or NULL if none exists. */
char *fa_rules_default_path(const char *argv0);
#endif
