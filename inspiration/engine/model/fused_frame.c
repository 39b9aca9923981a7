/* One top frame of SampleRNN generation in one call: the fused CPU frame step (see fused.py).
 *
 * The same arithmetic as folded.FoldedFrameStep, written as plain loops so that a sample costs its arithmetic and
 * nothing else: per sample, a sum of table rows, the MLP's matrix-vector products, the temperature-scaled
 * inverse-CDF draw, and the drawn code fed back; per frame of each tier, its RNN step and upsampling.
 *
 * Every matrix is stored (in, out) in panels of 16 columns, each panel contiguous (fused.py packs them), and
 * y[j] = b[j] + sum_k x[k] * w[k][j] is summed in k order. Each output element is
 * summed the same way whatever the batch size or the thread count, so a clip does not depend on its row, its batch
 * or the machine's load. Rows are split between threads: a thread runs the whole frame for its rows, so threads
 * never wait for each other inside a frame.
 *
 * Built at run time with the system's C compiler; float32 only.
 */
#include <math.h>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_TEMPERATURE 1e-6f
#define PANEL 16 /* columns of a packed weight panel (fused.py: PANEL) */

/* How a matrix's weights are stored (fused.py: FORMATS). Every format is widened to float32 in registers, and the
 * arithmetic is float32: a matrix in bfloat16 or int8 computes what float32 weights of those values compute. */
enum { FLOAT32 = 0, BFLOAT16 = 1, INT8 = 2 };

typedef struct {
    const void *w;      /* (in, out) in panels of PANEL columns, (panels, in, PANEL), zero-padded (fused.py packs) */
    const float *scale; /* INT8: per column, padded to whole panels: a weight is (float)w * scale; else unused */
    const float *b;     /* (out), padded to whole panels */
    int64_t format;
} Matrix;

typedef struct {
    int64_t frame_size, ratio, layers, gates; /* gates: 3 for a GRU, 4 for an LSTM */
    const float *expand_t;                    /* (frame_size, dim), input scaling folded in */
    const float *expand_b;                    /* (dim) */
    const Matrix *w_ih, *w_hh;                /* per layer (dim, gates * dim) */
    Matrix up;                                /* (dim, ratio * dim) */
    float *const *h;                          /* per layer (batch, dim), updated in place */
    float *const *c;                          /* per layer (batch, dim) for an LSTM, else unused */
} Tier;

typedef struct {
    int64_t batch, lookback, dim, q_levels, n_tiers, n_hidden;
    const Tier *tiers;                  /* top first */
    const float *table;                 /* (fs * Q, dim): embedding and first MLP layer, folded */
    const Matrix *hidden;               /* per hidden layer (dim, dim) */
    Matrix out;                         /* (dim, Q) */
    int64_t *codes;                     /* (batch, 2 * lookback): history, then the frame last made */
    int64_t frames, stride;             /* frames to make per call; row stride of the three arrays below */
    const float *temperature;           /* (batch, stride): frames * lookback used */
    const float *uniform;               /* (batch, stride) */
    int64_t *made;                      /* (batch, stride): the codes made */
    const float *log_min_p;             /* (batch): the min-p cut, log(min_p) in float32 (-inf: no cut) */
    const int64_t *top_k;               /* (batch): the top-k cut (0: no cut) */
} Model;

/* A panel row: PANEL floats, one 512-bit register where the CPU has them (the compiler splits it otherwise). */
typedef float vec __attribute__((vector_size(PANEL * sizeof(float))));
typedef float vec_u __attribute__((vector_size(PANEL * sizeof(float)), aligned(4), may_alias));
typedef int32_t veci __attribute__((vector_size(PANEL * sizeof(float))));
typedef uint16_t vech_u __attribute__((vector_size(PANEL * sizeof(uint16_t)), aligned(2), may_alias));

/* PANEL int8 numbers as float32 (compilers do the generic conversion an element at a time: the instructions). */
static inline __attribute__((always_inline)) vec widen_int8(const int8_t *p) {
#if defined(__AVX512F__) && PANEL == 16
    return (vec)_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
#elif defined(__AVX2__) && PANEL == 16
    __m256 low = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)p)));
    __m256 high = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(p + 8))));
    vec v;
    memcpy(&v, &low, sizeof low);
    memcpy((char *)&v + sizeof low, &high, sizeof high);
    return v;
#else
    vec v;
    for (int j = 0; j < PANEL; j++) v[j] = (float)p[j];
    return v;
#endif
}

/* Weights of panel row `index` as float32: read as they are, widened from bfloat16 (exactly), or widened from int8
 * and scaled by the panel's column scales (one rounding, as float32 weights of that value). */
static inline __attribute__((always_inline)) vec panel_row(const void *w, int64_t index, int format, vec scale) {
    if (format == BFLOAT16)
        return (vec)(__builtin_convertvector(*(const vech_u *)((const uint16_t *)w + index), veci) << 16);
    if (format == INT8) return widen_int8((const int8_t *)w + index) * scale;
    return *(const vec_u *)((const float *)w + index);
}

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Rows [0, rows) x panels [p0, p0 + panels) of y = b + x @ w, the partial sums held in registers. */
static inline __attribute__((always_inline)) void block(int rows, int panels, int64_t in, int64_t out,
                                                        const float *x, int64_t xs, const Matrix *mat, int format,
                                                        float *y, int64_t ys, int64_t p0) {
    vec acc[4][8], scale[8];
    for (int p = 0; p < panels; p++)
        scale[p] = format == INT8 ? (vec) * (const vec_u *)(mat->scale + (p0 + p) * PANEL) : (vec){0};
    for (int r = 0; r < rows; r++)
        for (int p = 0; p < panels; p++) acc[r][p] = *(const vec_u *)(mat->b + (p0 + p) * PANEL);
    for (int64_t k = 0; k < in; k++) {
        for (int p = 0; p < panels; p++) {
            vec wk = panel_row(mat->w, ((p0 + p) * in + k) * PANEL, format, scale[p]);
            for (int r = 0; r < rows; r++) acc[r][p] += x[r * xs + k] * wk;
        }
    }
    for (int r = 0; r < rows; r++)
        for (int p = 0; p < panels; p++) {
            int64_t j0 = (p0 + p) * PANEL;
            float *yr = y + r * ys + j0;
            if (j0 + PANEL <= out)
                *(vec_u *)yr = acc[r][p];
            else
                for (int64_t j = 0; j < out - j0; j++) yr[j] = acc[r][p][j];
        }
}

/* Panels [p_begin, p_end) of y[r] = b + x[r] @ w for rows r < n: x (n, in) with row stride xs; y (n, out) with row
 * stride ys. Every element is b[j] + x[k] * w[k][j] added for k = 0, 1, ... in that order, however the rows and
 * panels are blocked or shared between threads. */
static inline __attribute__((always_inline)) void matmul_panels(int64_t n, int64_t in, int64_t out,
                                                                const float *x, int64_t xs, const Matrix *mat,
                                                                int format, float *y, int64_t ys, int64_t p_begin,
                                                                int64_t p_end) {
    if (n == 1) { /* eight panels at once: enough independent sums to keep the FPU busy */
        int64_t p = p_begin;
        for (; p + 8 <= p_end; p += 8) block(1, 8, in, out, x, xs, mat, format, y, ys, p);
        for (; p + 4 <= p_end; p += 4) block(1, 4, in, out, x, xs, mat, format, y, ys, p);
        for (; p < p_end; p++) block(1, 1, in, out, x, xs, mat, format, y, ys, p);
        return;
    }
    /* four (or two) panels at a time for all rows, up to four rows at once: each panel is read from memory once
     * per call, and sixteen sums are in flight */
    int64_t p = p_begin;
    for (; p + 4 <= p_end; p += 4) {
        int64_t r = 0;
        for (; r + 4 <= n; r += 4) block(4, 4, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
        if (n - r == 3) block(3, 4, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
        if (n - r == 2) block(2, 4, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
        if (n - r == 1) block(1, 4, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
    }
    for (; p < p_end; p += 2) {
        int64_t r = 0;
        if (p + 2 <= p_end) {
            for (; r + 4 <= n; r += 4) block(4, 2, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
            if (n - r == 3) block(3, 2, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
            if (n - r == 2) block(2, 2, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
            if (n - r == 1) block(1, 2, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
        } else {
            for (; r + 4 <= n; r += 4) block(4, 1, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
            for (; r < n; r++) block(1, 1, in, out, x + r * xs, xs, mat, format, y + r * ys, ys, p);
        }
    }
}

/* One compiled copy per weight format. */
#define MATMUL_OF(name, format)                                                                                   \
    static void name(int64_t n, int64_t in, int64_t out, const float *x, int64_t xs, const Matrix *mat, float *y, \
                     int64_t ys, int64_t p_begin, int64_t p_end) {                                                 \
        matmul_panels(n, in, out, x, xs, mat, format, y, ys, p_begin, p_end);                                      \
    }
MATMUL_OF(matmul_float32, FLOAT32)
MATMUL_OF(matmul_bfloat16, BFLOAT16)
MATMUL_OF(matmul_int8, INT8)

/* Panels [p_begin, p_end) of y = b + x @ w, whatever the matrix's format. */
static void matmul_range(int64_t n, int64_t in, int64_t out, const float *x, int64_t xs, const Matrix *mat, float *y,
                         int64_t ys, int64_t p_begin, int64_t p_end) {
    (mat->format == INT8 ? matmul_int8 : mat->format == BFLOAT16 ? matmul_bfloat16 : matmul_float32)(
        n, in, out, x, xs, mat, y, ys, p_begin, p_end);
}

/* A team: `size` threads that make the same rows together, each computing its share of every matrix product's
 * columns and meeting at a barrier wherever the next step reads columns another member wrote. A team of one is a
 * thread alone (no barriers). */
typedef struct {
    atomic_int arrived, generation;
    int size;
} Barrier;

typedef struct {
    int member, size;
    Barrier *barrier;
} Team;

/* Wait until every member has arrived. Spins briefly (a member is usually a microsecond behind), then yields the
 * core, so that a member the system has paused for another program gets to run. */
static void team_wait(const Team *team) {
    if (team->size == 1) return;
    Barrier *b = team->barrier;
    int generation = atomic_load_explicit(&b->generation, memory_order_acquire);
    if (atomic_fetch_add_explicit(&b->arrived, 1, memory_order_acq_rel) == b->size - 1) {
        atomic_store_explicit(&b->arrived, 0, memory_order_relaxed);
        atomic_store_explicit(&b->generation, generation + 1, memory_order_release);
        return;
    }
    for (int spins = 0; atomic_load_explicit(&b->generation, memory_order_acquire) == generation; spins++) {
        if (spins < 2000)
            cpu_relax();
        else
            sched_yield();
    }
}

/* This member's share [begin, end) of `count` items. */
static void share(const Team *team, int64_t count, int64_t *begin, int64_t *end) {
    *begin = count * team->member / team->size;
    *end = count * (team->member + 1) / team->size;
}

/* This member's panels of y = b + x @ w (see matmul_panels). */
static void matmul(const Team *team, int64_t n, int64_t in, int64_t out, const float *x, int64_t xs,
                   const Matrix *mat, float *y, int64_t ys) {
    int64_t p_begin, p_end;
    share(team, (out + PANEL - 1) / PANEL, &p_begin, &p_end);
    matmul_range(n, in, out, x, xs, mat, y, ys, p_begin, p_end);
}

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

/* Working memory of a team: `shared` buffers every member writes its columns of, `own` ones each member fills in
 * whole for itself. */
typedef struct {
    float *gi, *gh, *hidden[2], *logits[2]; /* shared; two of some, written and read in turn */
    float **conditioning;                /* shared, per tier (n, ratio * dim) */
} Shared;

typedef struct {
    float *x, *a, *cdf; /* a tier's input and the MLP's first layer, and the draw's CDF */
    int64_t *codes;     /* (n, 2 * lookback): the team's rows of the codes, as every member draws them */
} Own;

/* Layer l of `tier` for rows [r0, r0 + n), columns [j0, j1): h (and c) from the gates' inputs gi = W_ih x + b_ih
 * and gh = W_hh h + b_hh, each (n, gates * dim). */
static void gates(const Model *m, const Tier *tier, int64_t l, int64_t r0, int64_t n, const float *gi_all,
                  const float *gh_all, int64_t j0, int64_t j1) {
    int64_t dim = m->dim, g = tier->gates * dim;
    for (int64_t r = 0; r < n; r++) {
        const float *gi = gi_all + r * g, *gh = gh_all + r * g;
        float *hr = tier->h[l] + (r0 + r) * dim;
        if (tier->gates == 3) { /* GRU, as torch.gru_cell */
            for (int64_t j = j0; j < j1; j++) {
                float reset = sigmoid(gi[j] + gh[j]);
                float update = sigmoid(gi[dim + j] + gh[dim + j]);
                float candidate = tanhf(gi[2 * dim + j] + reset * gh[2 * dim + j]);
                hr[j] = (hr[j] - candidate) * update + candidate;
            }
        } else { /* LSTM, as torch.lstm_cell */
            float *cr = tier->c[l] + (r0 + r) * dim;
            for (int64_t j = j0; j < j1; j++) {
                float in = sigmoid(gi[j] + gh[j]);
                float forget = sigmoid(gi[dim + j] + gh[dim + j]);
                float cell = tanhf(gi[2 * dim + j] + gh[2 * dim + j]);
                float out = sigmoid(gi[3 * dim + j] + gh[3 * dim + j]);
                cr[j] = forget * cr[j] + in * cell;
                hr[j] = out * tanhf(cr[j]);
            }
        }
    }
}

/* One RNN step of `tier` for rows [r0, r0 + n): x (n, dim) in, the last layer's h (in tier->h) returned. */
static const float *rnn_step(const Model *m, const Team *team, const Tier *tier, int64_t r0, int64_t n,
                             const float *x, const Shared *s) {
    int64_t dim = m->dim, g = tier->gates * dim, j0, j1;
    share(team, dim, &j0, &j1);
    for (int64_t l = 0; l < tier->layers; l++) {
        float *h = tier->h[l] + r0 * dim;
        matmul(team, n, dim, g, x, dim, &tier->w_ih[l], s->gi, g);
        matmul(team, n, dim, g, h, dim, &tier->w_hh[l], s->gh, g);
        team_wait(team); /* every gate computed, and h read by all */
        gates(m, tier, l, r0, n, s->gi, s->gh, j0, j1);
        team_wait(team); /* the new h whole */
        x = h;
    }
    return x;
}

/* e^x for x <= 0 (the draw's shifted logits), within 2 ulp, PANEL at a time in plain vector arithmetic:
 * x = n ln 2 + r with |r| <= ln 2 / 2, e^r by a fitted polynomial, 2^n put into the exponent bits. Below -87 it
 * gives e^-87, a probability too small to change a float32 sum that holds the maximum's 1. */
static inline __attribute__((always_inline)) vec exp_nonpositive(vec x) {
    const float magic = 12582912.0f; /* 1.5 * 2^23: adding and subtracting it rounds to an integer */
    veci low = x < -87.0f;
    x = (vec)(((veci)x & ~low) | ((veci)((vec){0} - 87.0f) & low));
    vec n = (x * 1.44269504088896341f + magic) - magic;
    vec r = x - n * 0.693359375f + n * 2.12194440e-4f;
    vec p = (vec){0} + 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    vec e = p * r * r + r + 1.0f;
    veci bits = (__builtin_convertvector(n, veci) + 127) << 23;
    return e * (vec)bits;
}

/* The k-th largest of x[0 .. n - 1] (1 <= k <= n, no NaN), exactly, without branching on the data: each float's
 * bits made into an unsigned key in the floats' order (in `keys`, n of them), then the largest key with at least k
 * keys at or above it, one bit at a time from the top, each bit one vectorisable count over the keys. */
typedef uint32_t key_alias __attribute__((may_alias));
static float kth_largest(const float *x, int64_t n, int64_t k, key_alias *keys) {
    for (int64_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, x + i, sizeof bits);
        keys[i] = bits & 0x80000000u ? ~bits : bits | 0x80000000u; /* negative: reversed; positive: above them */
    }
    uint32_t found = 0;
    for (int bit = 31; bit >= 0; bit--) {
        uint32_t candidate = found | (1u << bit);
        int64_t at_least = 0;
        for (int64_t i = 0; i < n; i++) at_least += keys[i] >= candidate;
        if (at_least >= k) found = candidate;
    }
    uint32_t bits = found & 0x80000000u ? found & 0x7fffffffu : ~found;
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* The inverse-CDF draw of sampling.draw (argmax at T = 0), for one row's logits; cdf has room for q floats
 * rounded up to whole panels. Codes whose logit is below the top_k-th largest (top-k; 0: no cut), or whose shifted
 * scaled logit is below log_min_p / T (min-p, on the model's own distribution before the temperature reshapes it),
 * get probability 0. */
static int64_t draw(const float *logits, int64_t q, float temperature, float uniform, float log_min_p, int64_t top_k,
                    float *cdf) {
    if (!(temperature > MIN_TEMPERATURE)) {
        int64_t best = 0;
        for (int64_t i = 1; i < q; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
    float inv = 1.0f / temperature, top = -INFINITY, sum = 0.0f, cut = log_min_p * inv, floor = -INFINITY;
    if (top_k > 0 && top_k < q) floor = kth_largest(logits, q, top_k, (key_alias *)cdf); /* cdf as scratch */
    for (int64_t i = 0; i < q; i++) {
        cdf[i] = logits[i] < floor ? -INFINITY : logits[i] * inv;
        top = cdf[i] > top ? cdf[i] : top;
    }
    for (int64_t i = q; i % PANEL; i++) cdf[i] = top; /* the last panel's lanes past q: set to 0 below */
    vec partial = {0}; /* PANEL running sums side by side, then added up */
    for (int64_t i = 0; i < q; i += PANEL) {
        vec shifted = *(const vec_u *)(cdf + i) - top;
        veci dropped = (veci)(shifted < cut) | (veci)(shifted == -INFINITY); /* min-p, top-k */
        vec e = (vec)((veci)exp_nonpositive(shifted) & ~dropped);
        for (int j = 0; i + PANEL > q && j < PANEL; j++)
            if (i + j >= q) e[j] = 0.0f;
        *(vec_u *)(cdf + i) = e;
        partial += e;
    }
    for (int j = 0; j < PANEL; j++) sum += partial[j];
    float scale = 1.0f / sum, running = 0.0f;
    for (int64_t i = 0; i < q; i++) {
        running += cdf[i] * scale;
        cdf[i] = running;
    }
    float target = uniform * cdf[q - 1];
    for (int64_t i = 0; i < q; i++)
        if (cdf[i] > target) return i;
    return q - 1;
}

/* Tier i's input for rows r < n at sample `at` of codes (row stride cs): its last frame of codes, expanded, plus
 * (below the top) the conditioning vector `above` (row stride as_) from the tier above. x (n, dim). */
static void tier_input(const Model *m, int64_t i, int64_t n, const int64_t *codes, int64_t cs, int64_t at,
                       const float *above, int64_t as_, float *x) {
    const Tier *tier = &m->tiers[i];
    int64_t dim = m->dim, f = tier->frame_size;
    for (int64_t r = 0; r < n; r++) {
        const int64_t *frame = codes + r * cs + at - f;
        float *xr = x + r * dim;
        memcpy(xr, tier->expand_b, dim * sizeof(float));
        for (int64_t k = 0; k < f; k++) {
            float code = (float)frame[k];
            const float *wk = tier->expand_t + k * dim;
            for (int64_t j = 0; j < dim; j++) xr[j] += code * wk[j];
        }
        if (above)
            for (int64_t j = 0; j < dim; j++) xr[j] += above[r * as_ + j];
    }
}

/* The sample-level MLP's first layer for rows r < n at sample `at` of codes (row stride cs): a sum of table rows
 * and the conditioning vector (row stride cds), through a ReLU. a (n, dim). */
static void first_layer(const Model *m, int64_t n, const int64_t *codes, int64_t cs, int64_t at,
                        const float *conditioning, int64_t cds, float *a) {
    int64_t dim = m->dim, q = m->q_levels, fs = m->tiers[m->n_tiers - 1].frame_size;
    for (int64_t r = 0; r < n; r++) {
        const int64_t *window = codes + r * cs + at - fs;
        const float *cr = conditioning + r * cds;
        float *xr = a + r * dim;
        memcpy(xr, m->table + window[0] * dim, dim * sizeof(float));
        for (int64_t k = 1; k < fs; k++) {
            const float *row = m->table + (k * q + window[k]) * dim;
            for (int64_t j = 0; j < dim; j++) xr[j] += row[j];
        }
        for (int64_t j = 0; j < dim; j++) xr[j] = fmaxf(xr[j] + cr[j], 0.0f);
    }
}

/* The MLP's hidden layers and output for rows r < n, from its first layer a: the logits (n, q), written into
 * `logits`. A team shares each layer's columns and meets after each. */
static void mlp(const Model *m, const Team *team, int64_t n, const float *a, float *const hidden[2], float *logits) {
    int64_t dim = m->dim, c0, c1;
    share(team, (dim + PANEL - 1) / PANEL, &c0, &c1);
    c0 *= PANEL, c1 = c1 * PANEL < dim ? c1 * PANEL : dim;
    const float *x = a;
    for (int64_t l = 0; l < m->n_hidden; l++) {
        float *y = hidden[l % 2];
        matmul(team, n, dim, dim, x, dim, &m->hidden[l], y, dim);
        for (int64_t r = 0; r < n; r++)
            for (int64_t j = c0; j < c1; j++) y[r * dim + j] = fmaxf(y[r * dim + j], 0.0f);
        team_wait(team); /* the layer whole */
        x = y;
    }
    matmul(team, n, dim, m->q_levels, x, dim, &m->out, logits, m->q_levels);
    team_wait(team); /* the logits whole */
}

/* Frame `frame` of this call for rows [r0, r1), made by `team` (see Team) over `shared` memory; `own` is this
 * member's, its codes holding the last frame's codes (then this frame's). */
static void frame_rows(const Model *m, const Team *team, int64_t r0, int64_t r1, int64_t frame, const Shared *s,
                       const Own *o) {
    int64_t n = r1 - r0, dim = m->dim, q = m->q_levels, L = m->lookback, width = 2 * L;
    int64_t padded_q = (q + PANEL - 1) / PANEL * PANEL;
    const Tier *last = &m->tiers[m->n_tiers - 1];
    int64_t fs = last->frame_size;
    int64_t *codes = o->codes;

    for (int64_t t = 0; t < L; t++) {
        for (int64_t i = 0; i < m->n_tiers; i++) {
            const Tier *tier = &m->tiers[i];
            if (t % tier->frame_size) continue;
            const float *above = NULL;
            int64_t above_stride = 0;
            if (i > 0) { /* the conditioning vector from the tier above for this frame */
                const Tier *up = &m->tiers[i - 1];
                above_stride = up->ratio * dim;
                above = s->conditioning[i - 1] + (t % up->frame_size) / tier->frame_size * dim;
            }
            tier_input(m, i, n, codes, width, L + t, above, above_stride, o->x);
            const float *h = rnn_step(m, team, tier, r0, n, o->x, s);
            matmul(team, n, dim, tier->ratio * dim, h, dim, &tier->up, s->conditioning[i], tier->ratio * dim);
            team_wait(team); /* the conditioning whole */
        }
        first_layer(m, n, codes, width, L + t, s->conditioning[m->n_tiers - 1] + (t % fs) * dim, last->ratio * dim,
                    o->a);
        float *logits = s->logits[t % 2]; /* a member ahead may write the next sample's while others draw */
        mlp(m, team, n, o->a, s->hidden, logits);
        for (int64_t r = 0; r < n; r++) { /* every member draws every row: the same codes */
            int64_t at = (r0 + r) * m->stride + frame * L + t;
            codes[r * width + L + t] = draw(logits + r * q, q, m->temperature[at], m->uniform[at],
                                            m->log_min_p[r0 + r], m->top_k[r0 + r], o->cdf + r * padded_q);
        }
    }
    for (int64_t r = 0; r < n; r++) { /* the frame made: out, and the next frame's history */
        if (team->member == 0)
            memcpy(m->made + (r0 + r) * m->stride + frame * L, codes + r * width + L, L * sizeof(int64_t));
        memcpy(codes + r * width, codes + r * width + L, L * sizeof(int64_t));
    }
}

/* Every frame of the call for rows [r0, r1), then the codes buffer: the last frame as history and as made. */
static void frames_rows(const Model *m, const Team *team, int64_t r0, int64_t r1, const Shared *s, const Own *o) {
    int64_t n = r1 - r0, width = 2 * m->lookback, L = m->lookback;
    memcpy(o->codes, m->codes + r0 * width, n * width * sizeof(int64_t));
    for (int64_t frame = 0; frame < m->frames; frame++) frame_rows(m, team, r0, r1, frame, s, o);
    if (team->member == 0)
        for (int64_t r = 0; r < n; r++) {
            memcpy(m->codes + (r0 + r) * width, o->codes + r * width, L * sizeof(int64_t));
            memcpy(m->codes + (r0 + r) * width + L, o->codes + r * width, L * sizeof(int64_t));
        }
}

/* Memory for a team making n rows: the shared part, then each member's own part. */
static size_t shared_floats(const Model *m, int64_t n) {
    size_t floats = (size_t)n * (2 * 4 * m->dim + 2 * m->dim + 2 * m->q_levels);
    for (int64_t i = 0; i < m->n_tiers; i++) floats += (size_t)n * m->tiers[i].ratio * m->dim;
    return floats;
}

static size_t own_bytes(const Model *m, int64_t n) {
    int64_t padded_q = (m->q_levels + PANEL - 1) / PANEL * PANEL;
    return (size_t)n * (2 * m->dim + padded_q) * sizeof(float) + (size_t)n * 2 * m->lookback * sizeof(int64_t);
}

static void carve_shared(const Model *m, int64_t n, float *p, float **conditioning, Shared *s) {
    int64_t widest = 4 * m->dim; /* the largest gate block */
    s->gi = p, p += n * widest;
    s->gh = p, p += n * widest;
    s->hidden[0] = p, p += n * m->dim;
    s->hidden[1] = p, p += n * m->dim;
    s->logits[0] = p, p += n * m->q_levels;
    s->logits[1] = p, p += n * m->q_levels;
    for (int64_t i = 0; i < m->n_tiers; i++) conditioning[i] = p, p += n * m->tiers[i].ratio * m->dim;
    s->conditioning = conditioning;
}

static void carve_own(const Model *m, int64_t n, char *bytes, Own *o) {
    o->codes = (int64_t *)bytes; /* int64 first: the float parts after it stay aligned */
    float *p = (float *)(bytes + (size_t)n * 2 * m->lookback * sizeof(int64_t));
    o->x = p, p += n * m->dim;
    o->a = p, p += n * m->dim;
    o->cdf = p;
}

typedef struct {
    const Model *model;
    Team team;
    int64_t r0, r1;
    const Shared *shared;
    Own own;
    atomic_int *go; /* 0: wait, 1: make the rows, -1: leave (not every thread could be started) */
} Job;

static void *run_job(void *arg) {
    Job *job = arg;
    int go;
    for (int spins = 0; (go = atomic_load_explicit(job->go, memory_order_acquire)) == 0; spins++)
        spins < 2000 ? cpu_relax() : (void)sched_yield();
    if (go == 1) frames_rows(job->model, &job->team, job->r0, job->r1, job->shared, &job->own);
    return NULL;
}

/* The pipeline: two threads for a few rows, one making the frame tiers' steps and one the samples, each keeping
 * its own weights warm in its core's cache (the sample-level MLP is read every sample; the tiers' far larger
 * matrices once per frame). The tier thread works ahead of the sampler wherever the arithmetic allows: the
 * recurrent half of each RNN step (W_hh h) as soon as the step before it is done, and the upsampled conditioning
 * vectors slot by slot, the first as soon as the step is done and the rest while the sampler uses the first. Every
 * number is computed as in `frame_rows`, so the samples are the same. Needs dim a whole number of panels (a slot of
 * conditioning is then whole panels of the upsampling). */
typedef struct {
    const Model *m;
    int64_t n, total, seq_width; /* rows; samples this call; row stride of seq */
    int64_t *seq;                /* (n, lookback + total): the history, then the codes drawn */
    float **conditioning;        /* per tier (n, ratio * dim) */
    float **recurrent;           /* per tier and layer (n, gates * dim): W_hh h + b_hh for the tier's next step */
    float *gi, *x;               /* the tier thread's */
    float *a, *hidden[2], *logits, *cdf; /* the sampler's */
    atomic_llong drawn;          /* samples drawn for every row */
    atomic_llong ready;          /* samples whose conditioning vector is ready for every row */
} Pipeline;

/* Wait until the other thread has counted to `target`: spin briefly, then yield the core (see team_wait). */
static void wait_for(atomic_llong *counter, int64_t target) {
    for (int spins = 0; atomic_load_explicit(counter, memory_order_acquire) < target; spins++) {
        if (spins < 2000)
            cpu_relax();
        else
            sched_yield();
    }
}

/* Slots [s0, s1) of tier i's upsampled conditioning, from its last layer's h. */
static void upsample_slots(const Pipeline *p, int64_t i, int64_t s0, int64_t s1) {
    const Model *m = p->m;
    const Tier *tier = &m->tiers[i];
    int64_t dim = m->dim, per_slot = dim / PANEL;
    matmul_range(p->n, dim, tier->ratio * dim, tier->h[tier->layers - 1], dim, &tier->up, p->conditioning[i],
                 tier->ratio * dim, s0 * per_slot, s1 * per_slot);
}

/* W_hh h + b_hh for every layer of tier i, for its next step. */
static void recurrent_half(const Pipeline *p, int64_t i) {
    const Model *m = p->m;
    const Tier *tier = &m->tiers[i];
    int64_t dim = m->dim, g = tier->gates * dim;
    float *const *recurrent = p->recurrent + i * 4; /* at most 4 layers per tier: see pipeline_frames */
    for (int64_t l = 0; l < tier->layers; l++)
        matmul_range(p->n, dim, g, tier->h[l], dim, &tier->w_hh[l], recurrent[l], g, 0, g / PANEL);
}

static void *tier_thread(void *arg) {
    Pipeline *p = arg;
    const Model *m = p->m;
    int64_t n = p->n, dim = m->dim, L = m->lookback, T = m->n_tiers;
    int64_t fs = m->tiers[T - 1].frame_size;
    for (int64_t i = 0; i < T; i++) recurrent_half(p, i);
    for (int64_t u = 0; u < p->total; u += fs) {
        wait_for(&p->drawn, u); /* the codes up to u - 1 */
        int stepped[8] = {0};
        for (int64_t i = 0; i < T; i++) {
            const Tier *tier = &m->tiers[i];
            if (u % tier->frame_size) continue;
            const float *above = NULL;
            int64_t above_stride = 0;
            if (i > 0) {
                const Tier *up = &m->tiers[i - 1];
                above_stride = up->ratio * dim;
                above = p->conditioning[i - 1] + (u % up->frame_size) / tier->frame_size * dim;
            }
            tier_input(m, i, n, p->seq, p->seq_width, L + u, above, above_stride, p->x);
            const float *x = p->x;
            int64_t g = tier->gates * dim;
            for (int64_t l = 0; l < tier->layers; l++) {
                matmul_range(n, dim, g, x, dim, &tier->w_ih[l], p->gi, g, 0, g / PANEL);
                gates(m, tier, l, 0, n, p->gi, p->recurrent[i * 4 + l], 0, dim);
                x = tier->h[l];
            }
            upsample_slots(p, i, 0, 1); /* what the next tier or the sampler needs first */
            stepped[i] = 1;
        }
        atomic_store_explicit(&p->ready, u + 1, memory_order_release);
        for (int64_t slot = 1; slot < fs; slot++) { /* the sampler's next vectors, one by one */
            upsample_slots(p, T - 1, slot, slot + 1);
            atomic_store_explicit(&p->ready, u + slot + 1, memory_order_release);
        }
        if (u + fs >= p->total) break; /* nothing ahead to prepare in this call */
        for (int64_t i = 0; i < T; i++)
            if (stepped[i]) {
                if (i < T - 1) upsample_slots(p, i, 1, m->tiers[i].ratio);
                recurrent_half(p, i);
            }
    }
    return NULL;
}

/* Every frame of the call for every row by the pipeline. 0, or -1 where it cannot run (no memory, no thread,
 * a shape it does not take): nothing generated then. */
static int pipeline_frames(const Model *m) {
    int64_t n = m->batch, dim = m->dim, q = m->q_levels, L = m->lookback, T = m->n_tiers;
    int64_t padded_q = (q + PANEL - 1) / PANEL * PANEL, total = m->frames * L, width = 2 * L;
    if (dim % PANEL || T > 8) return -1;
    for (int64_t i = 0; i < T; i++)
        if (m->tiers[i].layers > 4) return -1;
    Pipeline p = {.m = m, .n = n, .total = total, .seq_width = L + total};
    size_t floats = (size_t)n * (4 * dim + dim + 3 * dim + q + padded_q);
    for (int64_t i = 0; i < T; i++)
        floats += (size_t)n * (m->tiers[i].ratio * dim + m->tiers[i].layers * m->tiers[i].gates * dim);
    float *memory = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    int64_t *seq = malloc((size_t)n * p.seq_width * sizeof(int64_t));
    float *pointers[8 + 8 * 4] = {0};
    if (!memory || !seq) {
        free(memory), free(seq);
        return -1;
    }
    float *f = memory;
    p.gi = f, f += n * 4 * dim;
    p.x = f, f += n * dim;
    p.a = f, f += n * dim;
    p.hidden[0] = f, f += n * dim;
    p.hidden[1] = f, f += n * dim;
    p.logits = f, f += n * q;
    p.cdf = f, f += n * padded_q;
    p.conditioning = pointers, p.recurrent = pointers + 8;
    for (int64_t i = 0; i < T; i++) {
        const Tier *tier = &m->tiers[i];
        p.conditioning[i] = f, f += n * tier->ratio * dim;
        for (int64_t l = 0; l < tier->layers; l++) p.recurrent[i * 4 + l] = f, f += n * tier->gates * dim;
    }
    p.seq = seq;
    for (int64_t r = 0; r < n; r++) memcpy(seq + r * p.seq_width, m->codes + r * width + L, L * sizeof(int64_t));
    atomic_init(&p.drawn, 0);
    atomic_init(&p.ready, 0);
    pthread_t tiers;
    if (pthread_create(&tiers, NULL, tier_thread, &p) != 0) {
        free(memory), free(seq);
        return -1;
    }
    const Tier *last = &m->tiers[T - 1];
    int64_t fs = last->frame_size;
    Team alone = {0, 1, NULL};
    for (int64_t u = 0; u < total; u++) {
        wait_for(&p.ready, u + 1);
        first_layer(m, n, seq, p.seq_width, L + u, p.conditioning[T - 1] + (u % fs) * dim, last->ratio * dim, p.a);
        mlp(m, &alone, n, p.a, p.hidden, p.logits);
        for (int64_t r = 0; r < n; r++) {
            int64_t at = r * m->stride + u;
            seq[r * p.seq_width + L + u] = draw(p.logits + r * q, q, m->temperature[at], m->uniform[at],
                                                m->log_min_p[r], m->top_k[r], p.cdf + r * padded_q);
        }
        atomic_store_explicit(&p.drawn, u + 1, memory_order_release);
    }
    pthread_join(tiers, NULL);
    for (int64_t r = 0; r < n; r++) {
        const int64_t *made = seq + r * p.seq_width + L;
        memcpy(m->made + r * m->stride, made, total * sizeof(int64_t));
        memcpy(m->codes + r * width, made + total - L, L * sizeof(int64_t));
        memcpy(m->codes + r * width + L, made + total - L, L * sizeof(int64_t));
    }
    free(memory), free(seq);
    return 0;
}

/* Generate `m->frames` frames for every row with `threads` threads. With at least as many rows as threads, the rows are
 * split between threads that never wait for each other; with fewer, all threads make all rows as one team, each
 * computing a share of every product's columns. Where threads cannot be started, one thread makes the frame.
 * 0 on success, -1 when out of memory (nothing generated then). */
int inspiration_fused_frame(const Model *m, int64_t threads) {
    int64_t batch = m->batch;
    if (threads < 1) threads = 1;
    int teams = (int)(threads <= batch ? threads : 1);
    int members = (int)(threads <= batch ? 1 : threads);
    int64_t rows = (batch + teams - 1) / teams; /* the most rows a team makes */
    size_t shared = (shared_floats(m, rows) * sizeof(float) + 63) / 64 * 64, own = (own_bytes(m, rows) + 63) / 64 * 64;
    char *memory = aligned_alloc(64, shared * teams + own * threads);
    float **conditioning = malloc(teams * m->n_tiers * sizeof(float *));
    Shared *shares = malloc(teams * sizeof(Shared));
    Job *jobs = calloc(threads, sizeof(Job));
    Barrier *barriers = calloc(teams, sizeof(Barrier));
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    atomic_int go;
    atomic_init(&go, 0);
    int status = memory && conditioning && shares && jobs && barriers && ids ? 0 : -1;
    char *p = memory;
    for (int k = 0; status == 0 && k < teams; k++, p += shared) {
        int64_t r0 = batch * k / teams, r1 = batch * (k + 1) / teams;
        carve_shared(m, r1 - r0, (float *)p, conditioning + k * m->n_tiers, &shares[k]);
        atomic_init(&barriers[k].arrived, 0);
        atomic_init(&barriers[k].generation, 0);
        barriers[k].size = members;
        for (int member = 0; member < members; member++)
            jobs[k * members + member] = (Job){m, {member, members, &barriers[k]}, r0, r1, &shares[k], {0}, &go};
    }
    for (int64_t i = 0; status == 0 && i < threads; i++, p += own) carve_own(m, jobs[i].r1 - jobs[i].r0, p, &jobs[i].own);
    int64_t started = 1;
    while (status == 0 && started < threads && pthread_create(&ids[started], NULL, run_job, &jobs[started]) == 0)
        started++;
    int everyone = status == 0 && started == threads;
    atomic_store_explicit(&go, everyone ? 1 : -1, memory_order_release);
    if (everyone) {
        atomic_int now = 1;
        jobs[0].go = &now;
        run_job(&jobs[0]);
    }
    for (int64_t i = 1; i < started; i++) pthread_join(ids[i], NULL);
    free(ids), free(barriers), free(jobs), free(shares), free(conditioning), free(memory);
    if (status == 0 && !everyone) return inspiration_fused_frame(m, 1); /* no threads to be had: all rows here */
    return status;
}

/* Generate `m->frames` frames for every row by the pipeline (see Pipeline), or one thread where it cannot run.
 * 0 on success, -1 when out of memory. */
int inspiration_fused_pipeline(const Model *m) {
    if (pipeline_frames(m) == 0) return 0;
    return inspiration_fused_frame(m, 1);
}
