/* fa_suppress: what a team has already seen or accepted — baselines (earlier faceaudit
 * JSON/JSONL output), fingerprints listed in .faceauditignore, and gitignore-style path
 * patterns. A suppressed finding is counted (stats.suppressed) but not reported. */
#ifndef FACEAUDIT_SUPPRESS_H
#define FACEAUDIT_SUPPRESS_H
#include "faceaudit/err.h"
#include "faceaudit/model.h"

typedef struct fa_suppress fa_suppress;

fa_suppress *fa_suppress_new(void);
void         fa_suppress_free(fa_suppress *s);

/* Loads a baseline: a scan document (--format json) or JSON lines (--format jsonl).
 * Findings match by (rule_id, location without line, evidence.sha256), so a finding that
 * moved to another line stays suppressed. Errors name file:line:column. */
fa_status fa_suppress_load_baseline(fa_suppress *s, const char *file, fa_err *err);
/* Loads an ignore file (gitignore syntax): path patterns (with ! negation, trailing / for
 * folders, leading / or an inner / to anchor, ** for any depth) and lines of exactly 64 hex
 * digits, each the fingerprint of one finding to suppress. A missing file is FA_WARN. */
fa_status fa_suppress_load_ignore(fa_suppress *s, const char *file, fa_err *err);

/* 1 if the finding is suppressed (its fingerprint must be computed). */
int fa_suppress_finding(const fa_suppress *s, const fa_finding *f);
/* 1 if a path below a target (relative, '/'-separated) is ignored; is_dir for folders. */
int fa_suppress_path(const fa_suppress *s, const char *rel, int is_dir);
/* Number of path patterns loaded (the walker skips the check when 0). */
size_t fa_suppress_npatterns(const fa_suppress *s);
#endif
