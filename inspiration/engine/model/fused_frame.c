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
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MIN_TEMPERATURE 1e-6f
#define PANEL 16 /* columns of a packed weight panel (fused.py: PANEL) */

typedef struct {
    int64_t frame_size, ratio, layers, gates; /* gates: 3 for a GRU, 4 for an LSTM */
    const float *expand_t;                    /* (frame_size, dim), input scaling folded in */
    const float *expand_b;                    /* (dim) */
    const float *const *w_ih_t;               /* per layer (dim, gates * dim), packed */
    const float *const *w_hh_t;               /* per layer (dim, gates * dim), packed */
    const float *const *b_ih;                 /* per layer (gates * dim), padded to whole panels */
    const float *const *b_hh;                 /* per layer (gates * dim), padded to whole panels */
    const float *up_t;                        /* (dim, ratio * dim), packed */
    const float *up_b;                        /* (ratio * dim), padded */
    float *const *h;                          /* per layer (batch, dim), updated in place */
    float *const *c;                          /* per layer (batch, dim) for an LSTM, else unused */
} Tier;

typedef struct {
    int64_t batch, lookback, dim, q_levels, n_tiers, n_hidden;
    const Tier *tiers;                  /* top first */
    const float *table;                 /* (fs * Q, dim): embedding and first MLP layer, folded */
    const float *const *hidden_w;       /* per hidden layer (dim, dim), packed */
    const float *const *hidden_b;       /* per hidden layer (dim), padded */
    const float *out_w;                 /* (dim, Q), packed */
    const float *out_b;                 /* (Q), padded */
    int64_t *codes;                     /* (batch, 2 * lookback): history, then the frame being made */
    const float *temperature;           /* (batch, lookback) */
    const float *uniform;               /* (batch, lookback) */
    const float *log_min_p;             /* (batch): the min-p cut, log(min_p) in float32 (-inf: no cut) */
} Model;

/* A panel row: PANEL floats, one 512-bit register where the CPU has them (the compiler splits it otherwise). */
typedef float vec __attribute__((vector_size(PANEL * sizeof(float))));
typedef float vec_u __attribute__((vector_size(PANEL * sizeof(float)), aligned(4), may_alias));
typedef int32_t veci __attribute__((vector_size(PANEL * sizeof(float))));

/* Rows [0, rows) x panels [p0, p0 + panels) of y = b + x @ w, the partial sums held in registers. */
static inline __attribute__((always_inline)) void block(int rows, int panels, int64_t in, int64_t out,
                                                        const float *x, int64_t xs, const float *w, const float *b,
                                                        float *y, int64_t ys, int64_t p0) {
    vec acc[4][8];
    for (int r = 0; r < rows; r++)
        for (int p = 0; p < panels; p++) acc[r][p] = b ? (vec) * (const vec_u *)(b + (p0 + p) * PANEL) : (vec){0};
    for (int64_t k = 0; k < in; k++) {
        for (int p = 0; p < panels; p++) {
            vec wk = *(const vec_u *)(w + ((p0 + p) * in + k) * PANEL);
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

/* y[r] = b + x[r] @ w for rows r < n: x (n, in) with row stride xs; w packed in panels of PANEL columns,
 * (panels, in, PANEL), and b padded to whole panels (fused.py packs them); y (n, out) with row stride ys.
 * Every element is b[j] + x[k] * w[k][j] added for k = 0, 1, ... in that order, however the rows are blocked. */
static void matmul(int64_t n, int64_t in, int64_t out, const float *x, int64_t xs, const float *w, const float *b,
                   float *y, int64_t ys) {
    int64_t panels = (out + PANEL - 1) / PANEL;
    if (n == 1) { /* eight panels at once: enough independent sums to keep the FPU busy */
        int64_t p = 0;
        for (; p + 8 <= panels; p += 8) block(1, 8, in, out, x, xs, w, b, y, ys, p);
        for (; p < panels; p++) block(1, 1, in, out, x, xs, w, b, y, ys, p);
        return;
    }
    /* two panels at a time for all rows, up to four rows at once: each panel is read from memory once per call */
    for (int64_t p = 0; p < panels; p += 2) {
        int64_t r = 0;
        if (p + 2 <= panels) {
            for (; r + 4 <= n; r += 4) block(4, 2, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
            if (n - r == 3) block(3, 2, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
            if (n - r == 2) block(2, 2, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
            if (n - r == 1) block(1, 2, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
        } else {
            for (; r + 4 <= n; r += 4) block(4, 1, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
            for (; r < n; r++) block(1, 1, in, out, x + r * xs, xs, w, b, y + r * ys, ys, p);
        }
    }
}

static float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

typedef struct {
    float *x, *gi, *gh, *a, *b, *logits, *cdf;
    float **conditioning; /* per tier (n, ratio * dim) */
} Scratch;

/* One RNN step of tier `tier` for rows [r0, r0 + n): x (n, dim) in, the last layer's h out (in tier->h). */
static const float *rnn_step(const Model *m, const Tier *tier, int64_t r0, int64_t n, const float *x,
                             Scratch *s) {
    int64_t dim = m->dim, g = tier->gates * dim;
    for (int64_t l = 0; l < tier->layers; l++) {
        float *h = tier->h[l] + r0 * dim;
        matmul(n, dim, g, x, dim, tier->w_ih_t[l], tier->b_ih[l], s->gi, g);
        matmul(n, dim, g, h, dim, tier->w_hh_t[l], tier->b_hh[l], s->gh, g);
        for (int64_t r = 0; r < n; r++) {
            const float *gi = s->gi + r * g, *gh = s->gh + r * g;
            float *hr = h + r * dim;
            if (tier->gates == 3) { /* GRU, as torch.gru_cell */
                for (int64_t j = 0; j < dim; j++) {
                    float reset = sigmoid(gi[j] + gh[j]);
                    float update = sigmoid(gi[dim + j] + gh[dim + j]);
                    float candidate = tanhf(gi[2 * dim + j] + reset * gh[2 * dim + j]);
                    hr[j] = (hr[j] - candidate) * update + candidate;
                }
            } else { /* LSTM, as torch.lstm_cell */
                float *cr = tier->c[l] + (r0 + r) * dim;
                for (int64_t j = 0; j < dim; j++) {
                    float in = sigmoid(gi[j] + gh[j]);
                    float forget = sigmoid(gi[dim + j] + gh[dim + j]);
                    float cell = tanhf(gi[2 * dim + j] + gh[2 * dim + j]);
                    float out = sigmoid(gi[3 * dim + j] + gh[3 * dim + j]);
                    cr[j] = forget * cr[j] + in * cell;
                    hr[j] = out * tanhf(cr[j]);
                }
            }
        }
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

/* The inverse-CDF draw of sampling.draw (argmax at T = 0), for one row's logits; cdf has room for q floats
 * rounded up to whole panels. Codes whose shifted scaled logit is below log_min_p get probability 0 (min-p). */
static int64_t draw(const float *logits, int64_t q, float temperature, float uniform, float log_min_p, float *cdf) {
    if (!(temperature > MIN_TEMPERATURE)) {
        int64_t best = 0;
        for (int64_t i = 1; i < q; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
    float inv = 1.0f / temperature, top = -INFINITY, sum = 0.0f;
    for (int64_t i = 0; i < q; i++) {
        cdf[i] = logits[i] * inv;
        top = cdf[i] > top ? cdf[i] : top;
    }
    for (int64_t i = q; i % PANEL; i++) cdf[i] = top; /* the last panel's lanes past q: set to 0 below */
    vec partial = {0}; /* PANEL running sums side by side, then added up */
    for (int64_t i = 0; i < q; i += PANEL) {
        vec shifted = *(const vec_u *)(cdf + i) - top;
        vec e = (vec)((veci)exp_nonpositive(shifted) & ~(veci)(shifted < log_min_p));
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

/* The whole frame for rows [r0, r1). Returns 0, or -1 when out of memory. */
static int frame_rows(const Model *m, int64_t r0, int64_t r1) {
    int64_t n = r1 - r0, dim = m->dim, q = m->q_levels, L = m->lookback, width = 2 * L;
    int64_t widest = 4 * dim; /* the largest gate block */
    const Tier *last = &m->tiers[m->n_tiers - 1];
    int64_t fs = last->frame_size;
    Scratch s;
    int64_t padded_q = (q + PANEL - 1) / PANEL * PANEL;
    size_t floats = (size_t)n * (2 * widest + 3 * dim + q + padded_q);
    for (int64_t i = 0; i < m->n_tiers; i++) floats += (size_t)n * m->tiers[i].ratio * dim;
    float *memory = malloc(floats * sizeof(float));
    float **conditioning = malloc(m->n_tiers * sizeof(float *));
    if (!memory || !conditioning) {
        free(memory);
        free(conditioning);
        return -1;
    }
    float *p = memory;
    s.gi = p, p += n * widest;
    s.gh = p, p += n * widest;
    s.x = p, p += n * dim;
    s.a = p, p += n * dim;
    s.b = p, p += n * dim;
    s.logits = p, p += n * q;
    s.cdf = p, p += n * padded_q;
    for (int64_t i = 0; i < m->n_tiers; i++) conditioning[i] = p, p += n * m->tiers[i].ratio * dim;
    s.conditioning = conditioning;

    for (int64_t t = 0; t < L; t++) {
        for (int64_t i = 0; i < m->n_tiers; i++) {
            const Tier *tier = &m->tiers[i];
            int64_t f = tier->frame_size;
            if (t % f) continue;
            for (int64_t r = 0; r < n; r++) { /* the tier's input: its frame of codes, expanded */
                const int64_t *frame = m->codes + (r0 + r) * width + L + t - f;
                float *xr = s.x + r * dim;
                memcpy(xr, tier->expand_b, dim * sizeof(float));
                for (int64_t k = 0; k < f; k++) {
                    float code = (float)frame[k];
                    const float *wk = tier->expand_t + k * dim;
                    for (int64_t j = 0; j < dim; j++) xr[j] += code * wk[j];
                }
                if (i > 0) { /* the conditioning vector from the tier above for this frame */
                    const Tier *above = &m->tiers[i - 1];
                    int64_t slot = (t % above->frame_size) / f;
                    const float *cr = conditioning[i - 1] + r * above->ratio * dim + slot * dim;
                    for (int64_t j = 0; j < dim; j++) xr[j] += cr[j];
                }
            }
            const float *h = rnn_step(m, tier, r0, n, s.x, &s);
            matmul(n, dim, tier->ratio * dim, h, dim, tier->up_t, tier->up_b, conditioning[i], tier->ratio * dim);
        }
        for (int64_t r = 0; r < n; r++) { /* the sample-level MLP's first layer: a sum of table rows */
            const int64_t *window = m->codes + (r0 + r) * width + L + t - fs;
            const float *cr = conditioning[m->n_tiers - 1] + r * last->ratio * dim + (t % fs) * dim;
            float *xr = s.a + r * dim;
            memcpy(xr, m->table + window[0] * dim, dim * sizeof(float));
            for (int64_t k = 1; k < fs; k++) {
                const float *row = m->table + (k * q + window[k]) * dim;
                for (int64_t j = 0; j < dim; j++) xr[j] += row[j];
            }
            for (int64_t j = 0; j < dim; j++) xr[j] = fmaxf(xr[j] + cr[j], 0.0f);
        }
        float *x = s.a, *y = s.b;
        for (int64_t l = 0; l < m->n_hidden; l++) {
            matmul(n, dim, dim, x, dim, m->hidden_w[l], m->hidden_b[l], y, dim);
            for (int64_t j = 0; j < n * dim; j++) y[j] = fmaxf(y[j], 0.0f);
            float *swap = x;
            x = y, y = swap;
        }
        matmul(n, dim, q, x, dim, m->out_w, m->out_b, s.logits, q);
        for (int64_t r = 0; r < n; r++) {
            int64_t row = r0 + r;
            m->codes[row * width + L + t] = draw(s.logits + r * q, q, m->temperature[row * L + t],
                                                 m->uniform[row * L + t], m->log_min_p[row], s.cdf + r * padded_q);
        }
    }
    for (int64_t r = r0; r < r1; r++) memcpy(m->codes + r * width, m->codes + r * width + L, L * sizeof(int64_t));
    free(conditioning);
    free(memory);
    return 0;
}

typedef struct {
    const Model *model;
    int64_t r0, r1;
    int status;
} Job;

static void *run_job(void *arg) {
    Job *job = arg;
    job->status = frame_rows(job->model, job->r0, job->r1);
    return NULL;
}

/* Generate one frame for every row with `threads` threads (rows split evenly). 0 on success, else -1. */
int inspiration_fused_frame(const Model *m, int64_t threads) {
    if (threads > m->batch) threads = m->batch;
    if (threads <= 1) return frame_rows(m, 0, m->batch);
    Job *jobs = calloc(threads, sizeof(Job));
    pthread_t *ids = calloc(threads, sizeof(pthread_t));
    int *started = calloc(threads, sizeof(int));
    if (!jobs || !ids || !started) {
        free(jobs), free(ids), free(started);
        return -1;
    }
    for (int64_t i = 0; i < threads; i++) {
        jobs[i] = (Job){m, m->batch * i / threads, m->batch * (i + 1) / threads, 0};
        started[i] = i > 0 && pthread_create(&ids[i], NULL, run_job, &jobs[i]) == 0;
    }
    run_job(&jobs[0]);
    int status = jobs[0].status;
    for (int64_t i = 1; i < threads; i++) {
        if (started[i])
            pthread_join(ids[i], NULL);
        else
            run_job(&jobs[i]); /* no thread to be had: do its rows here */
        status |= jobs[i].status;
    }
    free(jobs), free(ids), free(started);
    return status;
}
