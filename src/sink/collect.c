/* A sink that keeps copies of everything in memory (tests, `rules test`). */
#include <stdlib.h>
#include <string.h>
#include "faceaudit/buf.h"
#include "faceaudit/sink.h"

typedef struct collect_sink {
    fa_sink      base;
    fa_collected c;
} collect_sink;

#define C(s) (&((collect_sink *)(s))->c)

static fa_status c_object(fa_sink *s, const fa_object_rec *o)
{
    fa_collected *c = C(s);
    FA_GROW(c->objects, c->nobjects + 1, c->aobjects);
    fa_object_rec *d = &c->objects[c->nobjects++];
    *d = *o;
    fa_location_copy(&d->loc, &o->loc);
    d->etag = o->etag ? fa_xstrdup(o->etag) : NULL;
    d->encryption = o->encryption ? fa_xstrdup(o->encryption) : NULL;
    d->storage_class = o->storage_class ? fa_xstrdup(o->storage_class) : NULL;
    d->skipped = o->skipped ? fa_xstrdup(o->skipped) : NULL;
    return FA_OK;
}

static fa_status c_finding(fa_sink *s, const fa_finding *f)
{
    fa_collected *c = C(s);
    FA_GROW(c->findings, c->nfindings + 1, c->afindings);
    fa_finding *d = &c->findings[c->nfindings++];
    *d = *f;
    d->rule_id = fa_xstrdup(f->rule_id);
    d->category = fa_xstrdup(f->category);
    d->message = fa_xstrdup(f->message);
    fa_location_copy(&d->loc, &f->loc);
    d->evidence = json_deep_copy(f->evidence);
    return FA_OK;
}

static fa_status c_error(fa_sink *s, const fa_scan_error *e)
{
    fa_collected *c = C(s);
    FA_GROW(c->errors, c->nerrors + 1, c->aerrors);
    fa_scan_error *d = &c->errors[c->nerrors++];
    fa_location_copy(&d->loc, &e->loc);
    d->code = fa_xstrdup(e->code);
    d->message = fa_xstrdup(e->message);
    return FA_OK;
}

static fa_status c_limit(fa_sink *s, const fa_limit_hit *l)
{
    fa_collected *c = C(s);
    FA_GROW(c->limits, c->nlimits + 1, c->alimits);
    fa_limit_hit *d = &c->limits[c->nlimits++];
    fa_location_copy(&d->loc, &l->loc);
    d->limit = fa_xstrdup(l->limit);
    d->value = l->value;
    return FA_OK;
}

static void c_destroy(fa_sink *s)
{
    fa_collected *c = C(s);
    for (size_t i = 0; i < c->nfindings; i++)
        fa_finding_clear(&c->findings[i]);
    for (size_t i = 0; i < c->nerrors; i++) {
        fa_location_free(&c->errors[i].loc);
        free(c->errors[i].code);
        free(c->errors[i].message);
    }
    for (size_t i = 0; i < c->nlimits; i++) {
        fa_location_free(&c->limits[i].loc);
        free(c->limits[i].limit);
    }
    for (size_t i = 0; i < c->nobjects; i++)
        fa_object_rec_clear(&c->objects[i]);
    free(c->findings);
    free(c->errors);
    free(c->limits);
    free(c->objects);
    free(s);
}

static const fa_sink_ops collect_ops = { "collect", NULL, c_object, c_finding, c_error, c_limit, NULL, c_destroy, NULL };

fa_sink *fa_sink_collect_new(void)
{
    collect_sink *cs = fa_xcalloc(1, sizeof *cs);
    cs->base.ops = &collect_ops;
    return &cs->base;
}

const fa_collected *fa_sink_collected(const fa_sink *s)
{
    return &((const collect_sink *)s)->c;
}
