/* The rule-kind registry (after YARA's module_list): one line per kind. A new kind is a
 * file in src/detect/ defining `const fa_kind fa_kind_<name>` plus a line here. */
#include <string.h>
#include "faceaudit/detect.h"

extern const fa_kind fa_kind_regex, fa_kind_path;

extern const fa_kind fa_kind_vector;   /* face templates (issue 4) */
extern const fa_kind fa_kind_image;    /* faces in images (issue 3) */
extern const fa_kind fa_kind_metadata; /* face tags in XMP / Picasa (issue 3) */

static const fa_kind *const kinds[] = {
    &fa_kind_regex,
    &fa_kind_path,
    &fa_kind_vector,
    &fa_kind_image,
    &fa_kind_metadata,
};

size_t fa_kind_count(void)
{
    return sizeof kinds / sizeof kinds[0];
}

const fa_kind *fa_kind_at(size_t i)
{
    return i < fa_kind_count() ? kinds[i] : NULL;
}

const fa_kind *fa_kind_lookup(const char *name)
{
    for (size_t i = 0; i < fa_kind_count(); i++)
        if (!strcmp(kinds[i]->name, name))
            return kinds[i];
    return NULL;
}
