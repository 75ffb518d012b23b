/* Unit tests: the statistics and verdicts that decide "face template or not". */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "faceaudit/parse_vecstats.h"

static unsigned long long rs = 88172645463325252ULL;
static double gauss(void)
{
    double u = 0;
    for (int i = 0; i < 12; i++) {   /* Irwin-Hall: good enough for shapes */
        rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
        u += (double)(rs >> 11) / 9007199254740992.0;
    }
    return u - 6;
}

static void fill_unit(double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) { v[i] = gauss(); s += v[i] * v[i]; }
    for (size_t i = 0; i < n; i++) v[i] /= sqrt(s);
}

static int judge(fa_vparams *p, const double *v, size_t n, const char **why)
{
    fa_vstats st;
    fa_vstats_compute(v, n, &st);
    return fa_vjudge(p, &st, why);
}

Test(vecstats, unit_norm_512_is_arcface_or_facenet)
{
    fa_vparams p; fa_vparams_defaults(&p);
    double v[512]; fill_unit(v, 512);
    const char *why = NULL;
    int f = judge(&p, v, 512, &why);
    cr_assert(f >= 0, "rejected: %s", why);
    cr_assert(p.families[f].normalised);
    fa_vparams_free(&p);
}

Test(vecstats, dlib_scale_128)
{
    fa_vparams p; fa_vparams_defaults(&p);
    double v[128];
    for (int i = 0; i < 128; i++) v[i] = gauss() * 0.115;
    int f = judge(&p, v, 128, NULL);
    cr_assert(f >= 0);
    cr_assert_str_eq(p.families[f].name, "dlib");
    fa_vparams_free(&p);
}

Test(vecstats, raw_arcface_norm_20)
{
    fa_vparams p; fa_vparams_defaults(&p);
    double v[512]; fill_unit(v, 512);
    for (int i = 0; i < 512; i++) v[i] *= 20;
    int f = judge(&p, v, 512, NULL);
    cr_assert(f >= 0);
    cr_assert(!p.families[f].normalised);
    fa_vparams_free(&p);
}

Test(vecstats, lookalikes_rejected)
{
    fa_vparams p; fa_vparams_defaults(&p);
    double v[512];
    const char *why;
    /* softmax */
    double s = 0;
    for (int i = 0; i < 128; i++) { v[i] = exp(gauss()); s += v[i]; }
    for (int i = 0; i < 128; i++) v[i] /= s;
    cr_assert_eq(judge(&p, v, 128, &why), -1);
    cr_assert_str_eq(why, "probability simplex");
    /* pixels */
    for (int i = 0; i < 128; i++) v[i] = (double)((i * 37) % 256);
    cr_assert_eq(judge(&p, v, 128, &why), -1);
    /* smooth series with norm ~1 */
    for (int i = 0; i < 128; i++) v[i] = sin(i / 10.0) * 0.125;
    cr_assert_eq(judge(&p, v, 128, &why), -1);
    cr_assert_str_eq(why, "smooth series");
    /* monotonic ramp */
    for (int i = 0; i < 128; i++) v[i] = -0.5 + i / 128.0;
    cr_assert_eq(judge(&p, v, 128, &why), -1);
    /* non-finite */
    fill_unit(v, 512); v[7] = NAN;
    cr_assert_eq(judge(&p, v, 512, &why), -1);
    cr_assert_str_eq(why, "non-finite values");
    /* one-hot-ish spike with negatives */
    for (int i = 0; i < 512; i++) v[i] = gauss() * 0.001;
    v[3] = 1;
    cr_assert_eq(judge(&p, v, 512, &why), -1);
    fa_vparams_free(&p);
}

Test(vecstats, context_words_tokens)
{
    fa_vparams p; fa_vparams_defaults(&p);
    int up = 0, down = 0;
    fa_vcontext(&p, "faceEmbeddings", 14, &up, &down);
    cr_assert_eq(up, 2);
    up = down = 0;
    fa_vcontext(&p, "interface surface textures", 26, &up, &down);
    cr_assert_eq(up, 0);
    cr_assert_eq(down, 0);
    fa_vcontext(&p, "$.clip_text_embedding", 21, &up, &down);
    cr_assert_eq(down, 2);
    cr_assert_eq(up, 1);
    fa_vparams_free(&p);
}

Test(vecstats, group_decision_and_context)
{
    fa_vparams p; fa_vparams_defaults(&p);
    fa_vgroup g; fa_vverdict vd;
    double v[512];
    fa_vgroup_init(&g, 512, FA_VDT_F32);
    for (int k = 0; k < 5; k++) { fill_unit(v, 512); fa_vgroup_add(&g, &p, v); }
    g.ctx_up = 1;
    fa_vgroup_decide(&g, &p, 0.75, &vd);
    cr_assert(vd.hit);
    cr_assert(vd.confidence > 0.9);
    cr_assert(vd.normalised);
    cr_assert_float_eq(vd.norm_mean, 1.0, 0.011);
    /* the same vectors said to be CLIP text embeddings */
    fa_vgroup_init(&g, 512, FA_VDT_F32);
    for (int k = 0; k < 5; k++) { fill_unit(v, 512); fa_vgroup_add(&g, &p, v); }
    g.ctx_down = 2; g.ctx_up = 1;
    fa_vgroup_decide(&g, &p, 0.75, &vd);
    cr_assert(!vd.hit);
    /* vectors that disagree in scale */
    fa_vgroup_init(&g, 512, FA_VDT_F32);
    for (int k = 0; k < 6; k++) {
        fill_unit(v, 512);
        for (int i = 0; i < 512; i++) v[i] *= k % 2 ? 6 : 55;
        fa_vgroup_add(&g, &p, v);
    }
    fa_vgroup_decide(&g, &p, 0.75, &vd);
    cr_assert(!vd.hit);
    fa_vparams_free(&p);
}

Test(vecstats, hash_is_container_independent)
{
    fa_vparams p; fa_vparams_defaults(&p);
    double v[128]; fill_unit(v, 128);
    float f[128]; for (int i = 0; i < 128; i++) f[i] = (float)v[i];
    double back[128];
    fa_vec_decode((const unsigned char *)f, FA_VDT_F32, 0, 128, back);
    fa_vgroup a, b; fa_vverdict va, vb;
    fa_vgroup_init(&a, 128, FA_VDT_DEC); fa_vgroup_add(&a, &p, v);
    fa_vgroup_init(&b, 128, FA_VDT_F32); fa_vgroup_add(&b, &p, back);
    fa_vgroup_decide(&a, &p, 0.75, &va);
    fa_vgroup_decide(&b, &p, 0.75, &vb);
    cr_assert(!memcmp(va.sha, vb.sha, 32));
    fa_vparams_free(&p);
}

Test(vecstats, half_and_big_endian_decode)
{
    unsigned char h[2] = { 0x00, 0x3c };   /* 1.0 in float16 LE */
    cr_assert_float_eq(fa_half_to_double(0x3c00), 1.0, 1e-12);
    cr_assert_float_eq(fa_half_to_double(0xc000), -2.0, 1e-12);
    double d;
    fa_vec_decode(h, FA_VDT_F16, 0, 1, &d);
    cr_assert_float_eq(d, 1.0, 1e-12);
    unsigned char be[4] = { 0x3f, 0x80, 0x00, 0x00 };
    fa_vec_decode(be, FA_VDT_F32, 1, 1, &d);
    cr_assert_float_eq(d, 1.0, 1e-12);
}
