/* The loops over the targets of a relation (its parent and negatives):
   their distances to the node for _geometry.pxd, and for _sgd_fast.pyx the
   gradients of the loss and which targets are the node or its parents,
   written so that the compiler vectorises them, and
   compiled for several instruction sets with one chosen when the module
   loads.

   A sum over coordinates is vectorised across targets, one lane per target:
   the loops run over coordinates i outside and targets k inside, so that one
   vector holds coordinate i of several targets. A sum over targets is
   vectorised across coordinates. Either way every lane does the operations
   of the scalar code in the same order (sums run i = 0, 1, ... or
   k = 0, 1, ...), so it rounds as the scalar code would: the results are the
   same bits on every instruction set, given that the module is built with
   -ffp-contract=off (no fused multiply-adds; see setup.py).

   Dispatch: where GCC's target_clones attribute works (x86-64, glibc), each
   SKLP_CLONED function exists as an AVX-512, an AVX2 and a baseline x86-64
   (SSE2) version, and the dynamic loader picks the best one the CPU runs
   (an ifunc), once, when the module loads. Elsewhere, or with the macro
   SKLP_NO_CLONES defined (CFLAGS=-DSKLP_NO_CLONES), the functions are
   compiled once, for the target of the build. */

#ifndef SKLP_BATCH_H
#define SKLP_BATCH_H

#include <math.h>
#include <stddef.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) \
    && defined(__linux__) && defined(__GLIBC__) && !defined(SKLP_NO_CLONES)
#define SKLP_CLONED \
    __attribute__((target_clones("avx512f", "avx2", "default"), unused))
#elif defined(__GNUC__)
#define SKLP_CLONED __attribute__((unused))
#else
#define SKLP_CLONED
#endif

/* For helpers of the cloned functions: inlined into each clone, so that
   they are compiled for its instruction set. */
#if defined(__GNUC__)
#define SKLP_INLINE static inline __attribute__((always_inline))
#else
#define SKLP_INLINE static inline
#endif

/* Lanes of one AVX-512 vector of doubles: the buffers of the targets are
   padded to a multiple of it. */
#define SKLP_LANES 8

/* Floor of 1 - |x|^2 for a row as the distance terms read it. A row kept
   at the norm bound has 1 - |x|^2 >= ~2e-12 (eps >= 1e-12), so the floor
   never acts with one thread. With several (Hogwild), another thread can
   read a row in the middle of its update: after a long step and before
   its projection back into the ball, or with old coordinates next to new
   ones. Floored, such a read gives a far but finite distance instead of a
   NaN that would stop training (tests/test_robustness.py). Writing each
   step once, already projected, made those reads rarer but not gone, and
   cost 7 % of the mammals' throughput. */
#define SKLP_MIN_GAP 1e-30

/* Length of the per-target buffers for n targets. */
static inline ptrdiff_t sklp_stride(ptrdiff_t n)
{
    return (n + SKLP_LANES - 1) / SKLP_LANES * SKLP_LANES;
}

/* The distance terms of _geometry.pxd (distance_terms) for the Poincare ball
   (lorentz = 0) or the hyperboloid (lorentz = 1), for all targets at once:
   exp_terms[k] and the gradient coefficients coefs[j * stride + k] (j = 0..3
   for a, b, c, e); z[k] is the z of target k. ``u_sq`` is |u|^2, ``alpha``
   1 - |u|^2 (ball) and ``u0`` sqrt(1 + |u|^2) (hyperboloid). In the ball,
   c and e give the gradient at t with its turn about the origin scaled up
   to ``max_turn_scale`` (1: the gradient itself). ``targets``
   has room for stride = sklp_stride(n_targets) entries: the padding lanes
   are set to the parent, computed and ignored. ``sums`` is scratch of
   3 stride doubles.

   In both models d(u, t) = arcosh(1 + z), and
   exp(-arcosh(1 + z)) = 1 / (1 + z + sqrt(z (z + 2))): the softmax needs no
   exp or log per target. It lies in (0, 1], and points kept at the norm
   bound (or read with SKLP_MIN_GAP) bound z, so the sum neither overflows
   nor underflows.

   Ball: z = 2 |u - t|^2 / (alpha beta), beta = 1 - |t|^2. With
   s = sqrt(z (z + 2)), the Euclidean gradient of d(u, t) at u is

       grad_E = (4 / (beta s)) ((1 + |t|^2 - 2 <u, t>) u / alpha^2 - t / alpha)

   and the paper's Riemannian gradient, (alpha^2 / 4) grad_E, loses the
   1 / alpha^2:

       grad_R = ((1 + |t|^2 - 2 <u, t>) u - alpha t) / (beta s),

   the form computed here, with no large factor next to the boundary. At t,
   u and t swap roles.

   Hyperboloid: a point is x = (x0, xs) with x0 = sqrt(1 + |xs|^2); only xs
   is stored, so an embedding row has n_components numbers in every model.
   z = -<u, t>_L - 1 is computed as
       z = (|us - ts|^2 - (u0 - t0)^2) / 2,  u0 - t0 = (|us|^2 - |ts|^2) / (u0 + t0),
   a form without the cancellation of u0 t0 - <us, ts> - 1 between nearby
   points far from the origin (z < 0 is rounding: the true value is >= 0).
   The Riemannian gradient of d at u is (alpha u - t) / s with
   alpha = -<u, t>_L = 1 + z and s = sqrt(alpha^2 - 1) = sqrt(z (z + 2)): a
   tangent vector of unit length. Only its spatial part is kept; the time
   part follows from tangency (<x, v>_L = 0) when it is needed. */
SKLP_INLINE void sklp_hyperbolic_terms_body(
    int lorentz, const double *restrict embedding, int *restrict targets,
    int n_targets, ptrdiff_t dim, const double *restrict u_row, double u_sq,
    double alpha, double u0, double max_turn_scale, double *restrict exp_terms,
    double *restrict coefs, double *restrict z_out, double *restrict sums)
{
    const ptrdiff_t stride = sklp_stride(n_targets);
    double *restrict sq = sums, *restrict dot = sums + stride;
    double *restrict t_sq = sums + 2 * stride;
    ptrdiff_t i, k;
    for (k = n_targets; k < stride; k++)
        targets[k] = targets[0];
    if (!lorentz && alpha < SKLP_MIN_GAP)
        alpha = SKLP_MIN_GAP;
    /* One block of SKLP_LANES targets at a time, so that the three sums
       stay in registers across the coordinates instead of going through
       memory at each one. */
    for (k = 0; k < stride; k += SKLP_LANES) {
        const double *rows[SKLP_LANES];
        double block_sq[SKLP_LANES], block_dot[SKLP_LANES], block_t_sq[SKLP_LANES];
        int lane;
        for (lane = 0; lane < SKLP_LANES; lane++) {
            rows[lane] = embedding + (ptrdiff_t)targets[k + lane] * dim;
            block_sq[lane] = 0.0;
            block_dot[lane] = 0.0;
            block_t_sq[lane] = 0.0;
        }
        for (i = 0; i < dim; i++) {
            const double ui = u_row[i];
            /* one vector across the lanes, each its own sums: no reordered
               addition. Without the pragma GCC vectorises the coordinates
               instead and adds each lane's terms up one scalar at a time.
               setup.py passes -fopenmp or -fopenmp-simd. */
#pragma omp simd
            for (lane = 0; lane < SKLP_LANES; lane++) {
                const double t = rows[lane][i];
                double diff = ui - t;
                block_sq[lane] += diff * diff;
                block_dot[lane] += ui * t;
                block_t_sq[lane] += t * t;
            }
        }
        for (lane = 0; lane < SKLP_LANES; lane++) {
            sq[k + lane] = block_sq[lane];
            dot[k + lane] = block_dot[lane];
            t_sq[k + lane] = block_t_sq[lane];
        }
    }
    if (lorentz) {
        for (k = 0; k < stride; k++) {
            const double t0 = sqrt(1.0 + t_sq[k]);
            const double d0 = (u_sq - t_sq[k]) / (u0 + t0);
            double z = 0.5 * (sq[k] - d0 * d0);
            z = z < 0.0 ? 0.0 : z;
            const double s = sqrt(z * (z + 2.0));
            const double over_s = 1.0 / s;
            exp_terms[k] = 1.0 / (1.0 + z + s);
            z_out[k] = z;
            coefs[k] = (1.0 + z) * over_s;
            coefs[stride + k] = -over_s;
            coefs[2 * stride + k] = (1.0 + z) * over_s;
            coefs[3 * stride + k] = -over_s;
            sq[k] = s;
        }
    } else {
        /* Divisions and square roots are what this loop waits on (one
           vector division takes as long as a dozen multiplications): two
           of each per target. 1 / beta and 1 / |t|^2 come from one
           division, 1 / s and 1 / (1 + z + s) from another. */
        const double over_alpha = 1.0 / alpha;
        for (k = 0; k < stride; k++) {
            double beta = 1.0 - t_sq[k];
            beta = beta > SKLP_MIN_GAP ? beta : SKLP_MIN_GAP;
            /* |t|^2 floored so that a target at the origin gives a finite
               product; its turn is not scaled (its scale is 0, raised to 1) */
            const double t_sq_safe = t_sq[k] > 1e-300 ? t_sq[k] : 1e-300;
            const double over_both = 1.0 / (beta * t_sq_safe);
            const double over_beta = t_sq_safe * over_both;
            const double z = 2.0 * sq[k] * over_alpha * over_beta;
            const double s = sqrt(z * (z + 2.0));
            /* s * (1 + z + s) <= ~1e122 where alpha and beta are floored at
               SKLP_MIN_GAP; s = 0 (identical points) is mended below */
            const double over_product = 1.0 / (s * (1.0 + z + s));
            const double over_s = (1.0 + z + s) * over_product;
            exp_terms[k] = s * over_product;
            z_out[k] = z;
            const double over_beta_s = over_beta * over_s, over_alpha_s = over_alpha * over_s;
            coefs[k] = (1.0 + t_sq[k] - 2.0 * dot[k]) * over_beta_s;
            coefs[stride + k] = -alpha * over_beta_s;
            const double c = (1.0 + u_sq - 2.0 * dot[k]) * over_alpha_s;
            const double e = -beta * over_alpha_s;
            /* The turn of t scaled by min(max_turn_scale, sinh r_t), at
               least 1 (scale_turn in _geometry.pxd): the part of c t + e u
               perpendicular to t is e (u - (<u, t> / |t|^2) t). At scale 1
               both are unchanged, to the bit. */
            double scale = 2.0 * sqrt(t_sq[k]) * over_beta;
            scale = scale < max_turn_scale ? scale : max_turn_scale;
            scale = scale > 1.0 ? scale : 1.0;
            /* needed only where scaled, and there |t| > sqrt(2) - 1 */
            const double radial = scale > 1.0 ? dot[k] * (beta * over_both) : 0.0;
            coefs[2 * stride + k] = c - (scale - 1.0) * e * radial;
            coefs[3 * stride + k] = scale * e;
            sq[k] = s;
        }
    }
    /* Identical points (s = 0): the distance has no gradient there (a NaN s
       goes through). Apart, as a branch in the loop above would keep it
       from being vectorised. */
    for (k = 0; k < stride; k++) {
        if (sq[k] <= 0.0) {
            exp_terms[k] = 1.0;  /* 1 / (1 + z + s) at z = s = 0 */
            coefs[k] = 0.0;
            coefs[stride + k] = 0.0;
            coefs[2 * stride + k] = 0.0;
            coefs[3 * stride + k] = 0.0;
        }
    }
}

SKLP_CLONED
static void sklp_ball_terms(const double *embedding, int *targets, int n_targets,
                            ptrdiff_t dim, const double *u_row, double u_sq,
                            double alpha, double max_turn_scale, double *exp_terms,
                            double *coefs, double *z, double *sums)
{
    sklp_hyperbolic_terms_body(0, embedding, targets, n_targets, dim, u_row, u_sq,
                               alpha, 0.0, max_turn_scale, exp_terms, coefs, z, sums);
}

SKLP_CLONED
static void sklp_hyperboloid_terms(const double *embedding, int *targets,
                                   int n_targets, ptrdiff_t dim, const double *u_row,
                                   double u_sq, double u0, double *exp_terms,
                                   double *coefs, double *z, double *sums)
{
    sklp_hyperbolic_terms_body(1, embedding, targets, n_targets, dim, u_row, u_sq,
                               0.0, u0, 1.0, exp_terms, coefs, z, sums);
}

/* values[0] + ... + values[n - 1] for a buffer of sklp_stride(n) doubles:
   one partial sum per lane (k = lane, lane + 8, ...), added up in a fixed
   tree at the end, in every version. One chain of n dependent additions
   would take n times an addition's latency. */
SKLP_INLINE double sklp_lane_sum(const double *restrict values, int n)
{
    double lanes[SKLP_LANES];
    int k, lane;
    for (lane = 0; lane < SKLP_LANES; lane++)
        lanes[lane] = 0.0;
    for (k = 0; k < n; k += SKLP_LANES) {
#pragma omp simd
        for (lane = 0; lane < SKLP_LANES; lane++)
            lanes[lane] += k + lane < n ? values[k + lane] : 0.0;
    }
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]))
           + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

SKLP_CLONED
static double sklp_sum(const double *values, int n)
{
    return sklp_lane_sum(values, n);
}

/* related[k] = whether targets[k] is u or one of values[0:n_values] (u's
   parents), for k < n_targets: one vector pass over the targets per
   parent. Exact integer comparisons: every version gives the same flags. */
SKLP_CLONED
static void sklp_flag_related(const int *restrict targets, int n_targets, int u,
                              const int *restrict values, ptrdiff_t n_values,
                              int *restrict related)
{
    ptrdiff_t j;
    int k;
    for (k = 0; k < n_targets; k++)
        related[k] = targets[k] == u;
    for (j = 0; j < n_values; j++) {
        const int value = values[j];
        for (k = 0; k < n_targets; k++)
            related[k] |= targets[k] == value;
    }
}

/* The Riemannian gradients of the loss of one relation, given its distance
   terms (see _relation_gradients in _sgd_fast.pyx): grad_u, and one row per
   target in grad_targets. The four coefficients of each target are
   multiplied in place by the derivative of the loss in its distance.
   ``sums`` is scratch of 4 dim doubles.

   grad_u = sum_k (a_k u + b_k t_k) = (sum_k a_k) u + sum_k b_k t_k, each
   sum split in partial sums that run side by side (eight over the lanes
   for a, four rows for b: k = 0, 4, 8, ...; 1, 5, ...; ...) and are added
   up at the end in a fixed order: a single chain of n_targets dependent
   additions per coordinate would be what the loop waits on. Every version
   adds in the same order. */
SKLP_CLONED
static void sklp_loss_gradients(const double *restrict embedding,
                                const int *restrict targets, int n_targets,
                                ptrdiff_t dim, const double *restrict u_row,
                                const double *restrict exp_terms, double total,
                                double weight, double *restrict coefs,
                                double *restrict grad_u, double *restrict grad_targets,
                                double *restrict sums)
{
    const ptrdiff_t stride = sklp_stride(n_targets);
    double *restrict a = coefs, *restrict b = coefs + stride;
    double *restrict c = coefs + 2 * stride, *restrict e = coefs + 3 * stride;
    const double over_total = 1.0 / total;
    double a_total;
    ptrdiff_t i;
    int k;
    for (k = 0; k < stride; k++) {
        /* dL/dd_k = [k == 0] - softmax_k, times the relation's weight (the
           padding lanes' are computed and never read) */
        const double g = ((k == 0 ? 1.0 : 0.0) - exp_terms[k] * over_total) * weight;
        a[k] *= g;
        b[k] *= g;
        c[k] *= g;
        e[k] *= g;
    }
    a_total = sklp_lane_sum(a, n_targets);
    for (i = 0; i < 4 * dim; i++)
        sums[i] = 0.0;
    /* the gradient of d(u, t_k) is a u + b t_k at u, c t_k + e u at t_k */
    for (k = 0; k < n_targets; k++) {
        const double *restrict t_row = embedding + (ptrdiff_t)targets[k] * dim;
        double *restrict grad_t = grad_targets + (ptrdiff_t)k * dim;
        double *restrict partial = sums + (k & 3) * dim;
        const double b_k = b[k], c_k = c[k], e_k = e[k];
        for (i = 0; i < dim; i++) {
            const double t = t_row[i];
            grad_t[i] = c_k * t + e_k * u_row[i];
            partial[i] += b_k * t;
        }
    }
    for (i = 0; i < dim; i++)
        grad_u[i] = a_total * u_row[i]
                    + ((sums[i] + sums[dim + i]) + (sums[2 * dim + i] + sums[3 * dim + i]));
}

#endif
