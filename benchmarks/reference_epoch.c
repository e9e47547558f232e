/* The paper's update as a plain scalar C loop: the yardstick of
   bench_kernel.py for the speed of sklpoincare's training kernel.

   One epoch of Nickel & Kiela (2017) on the Poincare ball, written the
   obvious way from the paper's formulas: for each relation (u, v), draw
   n_negatives nodes uniformly (rejecting u and its parents), compute
   d(u, t) = arcosh(g), g = 1 + 2 |u - t|^2 / ((1 - |u|^2)(1 - |t|^2)) for
   the parent and each negative, the softmax loss, the Euclidean gradients of
   the distances, and move every point by
   x <- proj(x - lr (1 - |x|^2)^2 / 4 grad_E). One trick only, which the
   library has too: the softmax weight exp(-d) is 1 / (g + sqrt(g^2 - 1)), so
   no exp or log per target (with them this loop is 2.3 times slower). Same
   sampling (splitmix64, Lemire's multiply-shift) as the library, so both do
   the same work per relation.

   Built by bench_kernel.py with the C compiler and flags of the package's
   extensions (-O3, no -march), loaded with ctypes. */

#include <math.h>
#include <stdint.h>

static uint64_t next_random(uint64_t *state)
{
    uint64_t z;
    *state += 0x9E3779B97F4A7C15ULL;
    z = *state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static void step(double *x, const double *grad, double lr, double max_norm, int dim)
{
    double sq = 0.0, scale;
    int i;
    for (i = 0; i < dim; i++)
        sq += x[i] * x[i];
    scale = (1.0 - sq) * (1.0 - sq) / 4.0;
    sq = 0.0;
    for (i = 0; i < dim; i++) {
        x[i] -= lr * scale * grad[i];
        sq += x[i] * x[i];
    }
    if (sq > max_norm * max_norm) {
        scale = max_norm / sqrt(sq);
        for (i = 0; i < dim; i++)
            x[i] *= scale;
    }
}

/* Scratch: targets (n_negatives + 1 ints), work (4 (n_negatives + 1)
   doubles), grad_u (dim), grad_t ((n_negatives + 1) dim). Returns the
   summed loss. */
double reference_epoch(double *emb, int n_nodes, int dim, const int *children,
                       const int *parents, const int *order, long n_relations,
                       const int *parent_indptr, const int *parent_indices,
                       int n_negatives, double lr, double max_norm, uint64_t seed,
                       int *targets, double *work, double *grad_u, double *grad_t)
{
    uint64_t state = seed;
    double total_loss = 0.0;
    double *t_sq = work;
    double *dots = t_sq + (n_negatives + 1), *weights = dots + (n_negatives + 1);
    double *gammas = weights + (n_negatives + 1);
    long pos;

    for (pos = 0; pos < n_relations; pos++) {
        int r = order[pos], u = children[r], n_targets = 1, k, i, j, tries;
        const double *x = emb + (long)u * dim;
        double x_sq = 0.0, alpha, norm = 0.0;

        targets[0] = parents[r];
        for (k = 0; k < n_negatives; k++) {
            for (tries = 0; tries < 20; tries++) {
                int c = (int)(((next_random(&state) >> 32) * (uint64_t)n_nodes) >> 32);
                int ok = c != u;
                for (j = parent_indptr[u]; ok && j < parent_indptr[u + 1]; j++)
                    ok = parent_indices[j] != c;
                if (ok) {
                    targets[n_targets++] = c;
                    break;
                }
            }
        }

        for (i = 0; i < dim; i++)
            x_sq += x[i] * x[i];
        alpha = 1.0 - x_sq;
        for (k = 0; k < n_targets; k++) {
            const double *y = emb + (long)targets[k] * dim;
            double sq = 0.0, dot = 0.0, yy = 0.0;
            for (i = 0; i < dim; i++) {
                sq += (x[i] - y[i]) * (x[i] - y[i]);
                dot += x[i] * y[i];
                yy += y[i] * y[i];
            }
            gammas[k] = 1.0 + 2.0 * sq / (alpha * (1.0 - yy));
            t_sq[k] = yy;
            dots[k] = dot;
            /* exp(-arcosh(g)) = 1 / (g + sqrt(g^2 - 1)): no exp per target */
            weights[k] = 1.0 / (gammas[k] + sqrt(gammas[k] * gammas[k] - 1.0));
            norm += weights[k];
        }
        total_loss += acosh(gammas[0]) + log(norm);

        for (i = 0; i < dim; i++)
            grad_u[i] = 0.0;
        for (k = 0; k < n_targets; k++) {
            const double *y = emb + (long)targets[k] * dim;
            double beta = 1.0 - t_sq[k];
            double gamma = gammas[k];
            double g = (k == 0 ? 1.0 : 0.0) - weights[k] / norm;
            double root = sqrt(gamma * gamma - 1.0);
            double cu, ct, a, b, c, e;
            if (!(root > 0.0)) {
                for (i = 0; i < dim; i++)
                    grad_t[k * dim + i] = 0.0;
                continue;
            }
            /* grad_E d(u, t) at u = 4 / (beta root)
               ((|t|^2 - 2 <u, t> + 1) u / alpha^2 - t / alpha), u and t
               swapped at t */
            cu = g * 4.0 / (beta * root);
            ct = g * 4.0 / (alpha * root);
            a = cu * (t_sq[k] - 2.0 * dots[k] + 1.0) / (alpha * alpha);
            b = -cu / alpha;
            c = ct * (x_sq - 2.0 * dots[k] + 1.0) / (beta * beta);
            e = -ct / beta;
            for (i = 0; i < dim; i++) {
                grad_u[i] += a * x[i] + b * y[i];
                grad_t[k * dim + i] = c * y[i] + e * x[i];
            }
        }
        for (k = 0; k < n_targets; k++)
            step(emb + (long)targets[k] * dim, grad_t + k * dim, lr, max_norm, dim);
        step(emb + (long)u * dim, grad_u, lr, max_norm, dim);
    }
    return total_loss;
}
