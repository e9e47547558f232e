# cython: language_level=3, cdivision=True
# Bounds, wrap-around and initialisation checks are set in setup.py: off,
# or on with SKLPOINCARE_CHECKED_BUILD=1 (a file-level directive here would
# override that switch).
"""Riemannian SGD: one training epoch, in C.

Everything here works on typed arrays prepared by ``_embedder.py``; no
validation happens here and no Python object is touched inside the loops.
This file holds the sampling, the loss and the epoch; the geometry of each
model (Poincare ball, hyperboloid, Euclidean baseline) -- distances,
Riemannian gradients, retraction and projection -- is ``_geometry.pxd``.

For a relation (u, v) -- u the child, v one of its parents -- the loss of
Nickel & Kiela (2017) is a softmax cross-entropy over negative distances:

    L = d(u, v) + log sum_{t in {v} + N(u)} exp(-d(u, t))

where N(u) are ``n_negatives`` nodes drawn at random among the nodes that are
neither u nor a parent of u: uniformly, by degree during burn-in, or (a
chosen share) among the descendants of v. Every point involved moves along
its Riemannian gradient, in the ball the Euclidean gradient times
(1 - |x|^2)^2 / 4, and is projected back inside the ball of radius
``max_norm`` (= 1 - eps). With ``max_turn_scale > 1`` the part of each
gradient that turns its point about the origin is scaled up first (in the
ball only), by min(max_turn_scale, sinh r) (``scale_turn`` in
_geometry.pxd; the targets' share in the coefficients of _batch.h).

Threads (``n_threads > 1``) run Hogwild: they take contiguous chunks of the
shuffled relations as they free up, each chunk with its own random
generator, and update the shared embedding without locks. One thread visits
the relations in one pass with one generator, bitwise reproducible.
"""

cimport cython
from cython.parallel cimport prange, threadid
from libc.math cimport ceil, isfinite, log
from libc.stdint cimport uint64_t
from cpython.pyport cimport PY_SSIZE_T_MAX

from ._geometry cimport (
    EUCLIDEAN,
    LORENTZ,
    POINCARE,
    distance_terms,
    riemannian_step,
    scale_turn,
    sklp_stride,
    terms_size,
)

import numpy as np

cdef extern from *:
    """
    #if defined(__GNUC__) || defined(__clang__)
    #define SKLP_PREFETCH(p) __builtin_prefetch(p)
    #else
    #define SKLP_PREFETCH(p) ((void)0)
    #endif
    """
    void SKLP_PREFETCH(const void* p) noexcept nogil

# How many draws one negative slot gets before it is left empty. Rejection only
# happens for nodes that are parents of u (or u), so on real hierarchies the
# first draw nearly always succeeds. A node whose parents, with itself, are
# at least CROWDED_SHARE of all nodes (deep in a chain, say) draws its uniform
# negatives among the other nodes directly instead (_sample_crowded_targets).
cdef int MAX_NEGATIVE_TRIES = 20
cdef double CROWDED_SHARE = 0.25

# Parent lists up to this long are scanned whole; longer ones are searched.
cdef int SHORT_LIST = 16

# A multi-threaded epoch runs in chunks of the shuffled relations, about
# this many per thread, each of this many relations at least and at most
# (few enough that taking one costs nothing next to its relations).
cdef Py_ssize_t _CHUNKS_PER_THREAD = 16
cdef Py_ssize_t _MIN_CHUNK = 256
cdef Py_ssize_t _MAX_CHUNK = 4096
# Bytes per cache line (64 on x86-64 and most ARM cores).
cdef Py_ssize_t _CACHE_LINE = 64
# Odd: the chunks' seeds, seed + c * stride, are distinct splitmix64 states.
cdef uint64_t _CHUNK_SEED_STRIDE = <uint64_t>0xD1B54A32D192ED03ULL


# --------------------------------------------------------------------------
# Random numbers: splitmix64, one 64-bit state per pass (or chunk) of an epoch.

cdef inline uint64_t _next_random(uint64_t* state) noexcept nogil:
    cdef uint64_t z
    state[0] += <uint64_t>0x9E3779B97F4A7C15ULL
    z = state[0]
    z = (z ^ (z >> 30)) * <uint64_t>0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * <uint64_t>0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline double _uniform(uint64_t* state) noexcept nogil:
    """Uniform double in [0, 1) from the upper 53 bits."""
    return <double>(_next_random(state) >> 11) * 1.1102230246251565e-16


cdef inline int _below(uint64_t* state, int n) noexcept nogil:
    """Uniform integer in [0, n) from the upper 32 bits of a draw, without a
    division (Lemire's multiply-shift)."""
    return <int>(((_next_random(state) >> 32) * <uint64_t>n) >> 32)


cdef inline int _sample_node(uint64_t* state, int n_nodes,
                             const double* alias_prob,
                             const int* alias_index) noexcept nogil:
    """Uniform node, or a draw from the alias table when one is given."""
    cdef uint64_t r = _next_random(state)
    # Upper 32 bits pick a slot without a division (Lemire's multiply-shift).
    cdef int slot = <int>(((r >> 32) * <uint64_t>n_nodes) >> 32)
    cdef double coin
    if alias_prob == NULL:
        return slot
    coin = <double>(r & 0xFFFFFFFFULL) * 2.3283064365386963e-10  # 2**-32
    if coin < alias_prob[slot]:
        return slot
    return alias_index[slot]


cdef inline Py_ssize_t _halve(const int* sorted_values, Py_ssize_t lo,
                              Py_ssize_t hi, int value) noexcept nogil:
    """For ``lo < hi``: the first position of ``sorted_values[lo:hi - 1]``
    whose value is not below ``value``, or hi - 1, found by halving with
    conditional moves (no branch on the values)."""
    cdef Py_ssize_t half, n = hi - lo
    while n > 1:
        half = n >> 1
        lo = lo + half if sorted_values[lo + half - 1] < value else lo
        n -= half
    return lo


cdef inline bint _contains(const int* sorted_values, Py_ssize_t lo,
                           Py_ssize_t hi, int value) noexcept nogil:
    """Whether ``value`` is in ``sorted_values[lo:hi]``.

    Without branches on the values: whether a random candidate is one of
    u's parents is a coin the branch predictor cannot learn, and its misses
    cost more than the comparisons. A short list is scanned whole; a long
    one (a deep closure) is halved with conditional moves.
    """
    cdef Py_ssize_t j
    cdef int found = 0
    if hi - lo <= SHORT_LIST:
        for j in range(lo, hi):
            found |= sorted_values[j] == value
        return found
    return sorted_values[_halve(sorted_values, lo, hi, value)] == value


cdef struct _Excluded:
    # u and its parents parents[lo:hi] (sorted), the nodes never drawn as
    # negatives of u, for _other_node to draw around.
    const int* parents
    Py_ssize_t lo
    Py_ssize_t hi
    int u
    Py_ssize_t u_rank    # where u goes among the parents; hi - lo + 1: not at all
    Py_ssize_t n_excluded
    int n_others         # the nodes left


cdef inline int _excluded_at(const _Excluded* x, Py_ssize_t i) noexcept nogil:
    # the i-th excluded node in increasing order (u merged into the parents)
    if i < x.u_rank:
        return x.parents[x.lo + i]
    if i == x.u_rank:
        return x.u
    return x.parents[x.lo + i - 1]


cdef inline int _other_node(uint64_t* state, const _Excluded* x) noexcept nogil:
    """A node drawn uniformly among those ``x`` leaves, from one random
    number, without rejection: the r-th of them is r plus the number of
    excluded nodes below it, the i-th excluded node having
    ``excluded_i - i`` others below it (a binary search). Returns u where
    no node is left."""
    cdef Py_ssize_t first = 0, half, n = x.n_excluded
    cdef int r
    if x.n_others <= 0:
        return x.u
    r = _below(state, x.n_others)
    while n > 0:
        half = n >> 1
        if _excluded_at(x, first + half) - (first + half) <= r:
            first += half + 1
            n -= half + 1
        else:
            n = half
    return r + <int>first


cdef inline int _draw(uint64_t* state, int n_nodes, const double* alias_prob,
                      const int* alias_index, const int* subtree, int n_subtree,
                      double subtree_share) noexcept nogil:
    """A candidate negative: with probability ``subtree_share`` a node of
    ``subtree`` (when it holds more than one), otherwise a node of the
    whole graph (see _sample_node)."""
    if subtree != NULL and _uniform(state) < subtree_share:
        # a node of the parent's subtree: a sibling, cousin or descendant
        # of u, the hardest non-parents to rank below v
        return subtree[_below(state, n_subtree)]
    return _sample_node(state, n_nodes, alias_prob, alias_index)


cdef inline bint _is_related(int candidate, int u, const int* parents,
                             Py_ssize_t lo, Py_ssize_t hi) noexcept nogil:
    """Whether ``candidate`` is u or one of u's parents,
    ``parents[lo:hi]``: never a negative of u."""
    return candidate == u or _contains(parents, lo, hi, candidate)


cdef inline void _flag_related(const int* targets, int n_targets, int u,
                               const int* sorted_values, Py_ssize_t lo,
                               Py_ssize_t hi, int* related) noexcept nogil:
    """``related[k]``: :func:`_is_related` of ``targets[k]``. A short list
    is compared with all targets at once, one pass per parent, in vectors
    (sklp_flag_related); a long one is searched per target."""
    cdef int k
    if hi - lo > SHORT_LIST:
        for k in range(n_targets):
            related[k] = _is_related(targets[k], u, sorted_values, lo, hi)
        return
    sklp_flag_related(targets, n_targets, u, sorted_values + lo, hi - lo, related)


cdef inline void _set_excluded(_Excluded* x, int u, const int* parents, Py_ssize_t lo,
                               Py_ssize_t hi, int n_nodes) noexcept nogil:
    """Fill ``x`` with u and its parents ``parents[lo:hi]`` (sorted)."""
    cdef Py_ssize_t n_parents = hi - lo, rank = 0
    if n_parents > 0:  # rank: how many parents come before u
        rank = _halve(parents, lo, hi, u)
        rank += parents[rank] < u
        rank -= lo
    x.parents = parents
    x.lo = lo
    x.hi = hi
    x.u = u
    if rank < n_parents and parents[lo + rank] == u:
        # u among its own parents (a cycle): already excluded once
        x.u_rank = n_parents + 1
        x.n_excluded = n_parents
    else:
        x.u_rank = rank
        x.n_excluded = n_parents + 1
    x.n_others = n_nodes - <int>x.n_excluded


# --------------------------------------------------------------------------
# The softmax loss of one relation, the same for every model: the model's
# distances and Riemannian gradients come from _geometry.pxd.

MANIFOLD_CODES = {"poincare": POINCARE, "lorentz": LORENTZ, "euclidean": EUCLIDEAN}


cdef extern from "_batch.h":
    void sklp_flag_related(const int* targets, int n_targets, int u, const int* values,
                           Py_ssize_t n_values, int* related) noexcept nogil
    double sklp_sum(const double* values, int n) noexcept nogil
    void sklp_loss_gradients(const double* embedding, const int* targets,
                             int n_targets, Py_ssize_t dim, const double* u_row,
                             const double* exp_terms, double total, double weight,
                             double* coefs, double* grad_u,
                             double* grad_targets, double* sums) noexcept nogil


cdef inline Py_ssize_t _relation_scratch_size(int n_targets,
                                              Py_ssize_t dim) noexcept nogil:
    # the distance terms, then four partial sums of u's gradient
    return terms_size(n_targets) + 4 * dim


cdef double _relation_gradients(
    int manifold, const double* embedding, Py_ssize_t dim, int u,
    int* targets, int n_targets, double weight, double max_turn_scale,
    double* scratch, double* grad_u, double* grad_targets,
) noexcept nogil:
    """Weighted loss of one relation; fills the Riemannian gradients of u and
    of each target (one row per slot), in the ball with their turn about the
    origin scaled up to ``max_turn_scale`` (see scale_turn). ``scratch`` holds
    ``_relation_scratch_size(n_targets, dim)`` doubles; ``targets`` has room for
    ``sklp_stride(n_targets)`` entries (see distance_terms).

    The loss is the softmax cross-entropy -log softmax_0 over -d(u, t_k):
    L = d(u, v) + log sum_k exp(-d(u, t_k)); its derivative in d(u, t_k),
    [k == 0] - softmax_k, times the gradients of the distances gives those
    of the points (sklp_loss_gradients in _batch.h).
    """
    cdef double* exp_terms = scratch
    cdef double parent_term, total

    parent_term = distance_terms(manifold, embedding, dim, u, targets, n_targets,
                                 max_turn_scale, scratch)
    total = sklp_sum(exp_terms, n_targets)
    sklp_loss_gradients(embedding, targets, n_targets, dim, embedding + u * dim,
                        exp_terms, total, weight, scratch + sklp_stride(n_targets),
                        grad_u, grad_targets, scratch + terms_size(n_targets))
    if manifold == POINCARE and max_turn_scale > 1.0:
        # the targets' turns are scaled in their coefficients; u's gradient
        # is a sum over all of them
        scale_turn(embedding + u * dim, grad_u, max_turn_scale, dim)
    return weight * (parent_term + log(total))


# --------------------------------------------------------------------------
# One epoch.

cdef inline Py_ssize_t _scratch_size(int n_negatives, Py_ssize_t dim) noexcept nogil:
    # the distance terms, the gradient of u and one gradient row per target
    return _relation_scratch_size(n_negatives + 1, dim) + dim + (n_negatives + 1) * dim


cdef struct _Sampler:
    # What drawing the targets of a relation reads; fixed for an epoch.
    const int* parents
    const int* children
    const int* parent_indptr
    const int* parent_indices
    const double* alias_prob      # NULL: uniform negatives
    const int* alias_index
    const int* child_indptr
    const int* child_indices      # NULL: no subtree negatives
    double subtree_share
    double ancestor_share
    int n_nodes
    int n_negatives
    const double* rows            # the embedding, only to prefetch its rows
    Py_ssize_t dim


cdef inline void _prefetch_row(const _Sampler* s, int node) noexcept nogil:
    # On a large graph the rows are cache misses: start loading the first
    # and the last cache line of the row (all of it up to 16 doubles) while
    # sampling goes on.
    SKLP_PREFETCH(s.rows + node * s.dim)
    SKLP_PREFETCH(s.rows + node * s.dim + s.dim - 1)


cdef inline const int* _subtree(const _Sampler* s, int v, uint64_t* state,
                                int* n_subtree) noexcept nogil:
    """Where a relation with parent v draws its subtree negatives, and how
    many nodes it lists (``n_subtree``); NULL when it draws none."""
    cdef int root = v
    n_subtree[0] = 0
    if s.child_indices == NULL:
        return NULL
    # The subtree of v holds u's siblings; that of an ancestor of v
    # also holds u's cousins, which compete with v itself.
    if (s.ancestor_share > 0.0 and s.parent_indptr[root + 1] > s.parent_indptr[root]
            and _uniform(state) < s.ancestor_share):
        root = s.parent_indices[s.parent_indptr[root] + _below(
            state, s.parent_indptr[root + 1] - s.parent_indptr[root])]
    n_subtree[0] = s.child_indptr[root + 1] - s.child_indptr[root]
    if n_subtree[0] > 1:
        return s.child_indices + s.child_indptr[root]
    return NULL


cdef int _sample_targets(const _Sampler* s, int u, int v, Py_ssize_t lo,
                         Py_ssize_t hi, uint64_t* state, int* targets,
                         int* related) noexcept nogil:
    """Fill ``targets`` with v, then negatives of the relation (u, v), whose
    child's parents are ``s.parent_indices[lo:hi]``; return how many. Starts
    loading their rows and u's (prefetch)."""
    cdef int candidate, j, k, tries, n_targets = 1, n_subtree = 0, n_pending = 0
    cdef int n_negatives = s.n_negatives
    cdef const int* subtree

    targets[0] = v
    subtree = _subtree(s, v, state, &n_subtree)
    _prefetch_row(s, u)
    _prefetch_row(s, v)
    # Every slot draws once, the draws are checked against u and its
    # parents together, and only the slots that drew one of them draw
    # again (rarely): a check per draw costs more. The draws are those of
    # _draw, except that a slot drawing from the subtree first keeps its
    # position in the subtree's list and starts loading that entry (a cache
    # miss on a large graph, which would hold up the draws after it); those
    # slots are listed in ``related``, scratch until _flag_related fills it.
    for k in range(1, n_negatives + 1):
        if subtree != NULL and _uniform(state) < s.subtree_share:
            candidate = _below(state, n_subtree)
            SKLP_PREFETCH(subtree + candidate)
            related[n_pending] = k
            n_pending += 1
        else:
            candidate = _sample_node(state, s.n_nodes, s.alias_prob, s.alias_index)
            _prefetch_row(s, candidate)
        targets[k] = candidate
    for j in range(n_pending):
        k = related[j]
        candidate = subtree[targets[k]]
        targets[k] = candidate
        _prefetch_row(s, candidate)
    _flag_related(targets, n_negatives + 1, u, s.parent_indices, lo, hi, related)
    for k in range(1, n_negatives + 1):
        candidate = targets[k]
        if related[k]:
            for tries in range(1, MAX_NEGATIVE_TRIES):
                candidate = _draw(state, s.n_nodes, s.alias_prob, s.alias_index,
                                  subtree, n_subtree, s.subtree_share)
                if not _is_related(candidate, u, s.parent_indices, lo, hi):
                    break
            else:
                continue  # every try drew u or a parent: the slot stays empty
            _prefetch_row(s, candidate)
        targets[n_targets] = candidate
        n_targets += 1
    return n_targets


cdef int _sample_crowded_targets(const _Sampler* s, int u, int v, Py_ssize_t lo,
                                 Py_ssize_t hi, uint64_t* state,
                                 int* targets) noexcept nogil:
    """_sample_targets for a u that, with its parents, is at least a share
    CROWDED_SHARE of the nodes, and uniform negatives: there a uniform draw
    is u or a parent that often or more (deep in a chain, nearly always),
    and 20 tries can leave a slot empty; here it picks among the other
    nodes directly (_other_node), and only subtree draws are checked. Only
    small or very deep graphs have such nodes: nothing is prefetched."""
    cdef int candidate, k, tries, n_targets = 1, n_subtree
    cdef const int* subtree = _subtree(s, v, state, &n_subtree)
    cdef _Excluded excluded
    _set_excluded(&excluded, u, s.parent_indices, lo, hi, s.n_nodes)
    targets[0] = v
    for k in range(s.n_negatives):
        for tries in range(MAX_NEGATIVE_TRIES):
            if subtree != NULL and _uniform(state) < s.subtree_share:
                candidate = subtree[_below(state, n_subtree)]
                if _is_related(candidate, u, s.parent_indices, lo, hi):
                    continue
            else:
                candidate = _other_node(state, &excluded)
                if candidate == u:
                    break  # no node is left: the slot stays empty
            targets[n_targets] = candidate
            n_targets += 1
            break
    return n_targets


cdef enum:
    # The relations of a chunk are read this many positions of the shuffled
    # order at a time (see _read_block).
    RELATION_BLOCK = 64


cdef struct _Block:
    # Relations order[first:first + n] of a chunk, as _read_block gathers them.
    int child[RELATION_BLOCK]
    int parent[RELATION_BLOCK]
    double weight[RELATION_BLOCK]
    Py_ssize_t parents_start[RELATION_BLOCK]  # u's parents: parent_indices[start:stop]
    Py_ssize_t parents_stop[RELATION_BLOCK]


cdef void _read_block(const _Sampler* s, const int* order, const double* weights,
                      Py_ssize_t first, int n, _Block* block) noexcept nogil:
    """Gather the relations order[first:first + n] into ``block``.

    On a graph too large for the caches, each relation read in the shuffled
    order is a chain of cache misses: its entries, then where u's parent list
    starts, then the list. Read one by one, thousands of instructions
    apart, the misses wait one after the other; read here, each pass is a
    loop of independent loads that the processor overlaps, and the last
    pass starts loading the lists. Where and what it gains:
    doc/training_choices.rst, "the relations read in blocks"."""
    cdef int j, r, u, v
    for j in range(n):
        r = order[first + j]
        block.child[j] = s.children[r]
        block.parent[j] = s.parents[r]
        block.weight[j] = weights[r]
    for j in range(n):
        u = block.child[j]
        block.parents_start[j] = s.parent_indptr[u]
        block.parents_stop[j] = s.parent_indptr[u + 1]
    for j in range(n):
        SKLP_PREFETCH(s.parent_indices + block.parents_start[j])
        if s.child_indices != NULL:
            # where the subtree of v is listed, and v's own parents
            v = block.parent[j]
            SKLP_PREFETCH(s.parent_indptr + v)
            SKLP_PREFETCH(s.child_indptr + v)


cdef double _train_chunk(
    int manifold,
    double[:, ::1] embedding,
    const int[::1] children,
    const int[::1] parents,
    const double[::1] weights,
    const int[::1] order,
    Py_ssize_t start,
    Py_ssize_t stop,
    const int[::1] parent_indptr,
    const int[::1] parent_indices,
    const double[::1] alias_prob,
    const int[::1] alias_index,
    const int[::1] child_indptr,
    const int[::1] child_indices,
    double subtree_share,
    double ancestor_share,
    double lr_start,
    double lr_end,
    int n_negatives,
    double max_norm,
    double max_turn_scale,
    uint64_t seed,
    int* targets,        # scratch, sklp_stride(n_negatives + 1)
    int* related,        # scratch, n_negatives + 1
    double* scratch,     # scratch, _scratch_size(n_negatives, dim)
) noexcept nogil:
    """SGD over ``order[start:stop]``; returns the summed weighted loss.

    Returns NaN as soon as a loss is not finite, so that Python can stop
    with a clear error instead of training on garbage.
    """
    cdef Py_ssize_t dim = embedding.shape[1]
    cdef Py_ssize_t first, pos, n_chunk = stop - start
    cdef int j, k, u, n_block, n_targets
    cdef double lr, loss, total_loss = 0.0
    cdef uint64_t state = seed
    cdef double* rows = &embedding[0, 0]
    cdef double* grad_u = scratch + _relation_scratch_size(n_negatives + 1, dim)
    cdef double* grad_targets = grad_u + dim
    cdef _Sampler sampler
    cdef _Block block
    # a child with this many parents or more draws as _sample_crowded_targets
    cdef Py_ssize_t crowded_parents = PY_SSIZE_T_MAX

    sampler.parents = &parents[0]
    sampler.children = &children[0]
    sampler.parent_indptr = &parent_indptr[0]
    sampler.parent_indices = &parent_indices[0]
    sampler.alias_prob = NULL
    sampler.alias_index = NULL
    if alias_prob.shape[0] > 0:
        sampler.alias_prob = &alias_prob[0]
        sampler.alias_index = &alias_index[0]
    sampler.child_indptr = &child_indptr[0]
    sampler.child_indices = &child_indices[0] if subtree_share > 0.0 else NULL
    sampler.subtree_share = subtree_share
    sampler.ancestor_share = ancestor_share
    sampler.n_nodes = <int>embedding.shape[0]
    sampler.n_negatives = n_negatives
    sampler.rows = rows
    sampler.dim = dim
    if sampler.alias_prob == NULL:
        crowded_parents = <Py_ssize_t>ceil(CROWDED_SHARE * sampler.n_nodes) - 1

    first = start
    while first < stop:
        n_block = <int>min(<Py_ssize_t>RELATION_BLOCK, stop - first)
        _read_block(&sampler, &order[0], &weights[0], first, n_block, &block)
        for j in range(n_block):
            if block.weight[j] == 0.0:
                continue
            pos = first + j
            u = block.child[j]
            # Linear interpolation of the rate across this chunk.
            lr = lr_start + (lr_end - lr_start) * (<double>(pos - start) / n_chunk)
            if block.parents_stop[j] - block.parents_start[j] < crowded_parents:
                n_targets = _sample_targets(&sampler, u, block.parent[j],
                                            block.parents_start[j], block.parents_stop[j],
                                            &state, targets, related)
            else:
                n_targets = _sample_crowded_targets(
                    &sampler, u, block.parent[j], block.parents_start[j],
                    block.parents_stop[j], &state, targets)
            loss = _relation_gradients(manifold, rows, dim, u, targets, n_targets,
                                       block.weight[j], max_turn_scale, scratch, grad_u,
                                       grad_targets)
            if not isfinite(loss):
                return loss
            total_loss += loss
            # The update of the paper, x <- proj(R_x(-lr * grad_R(x))), for
            # every point of the relation (the Riemannian gradient grad_R is
            # ((1 - |x|^2)^2 / 4) grad_E in the ball; see _geometry.pxd).
            for k in range(n_targets):
                riemannian_step(manifold, rows + targets[k] * dim,
                                grad_targets + k * dim, lr, max_norm, dim)
            riemannian_step(manifold, rows + u * dim, grad_u, lr, max_norm, dim)
        first += n_block

    return total_loss


cdef inline Py_ssize_t _padded_row(Py_ssize_t n, Py_ssize_t item_size) noexcept:
    # whole cache lines, and one more: the array itself need not start on one
    cdef Py_ssize_t per_line = _CACHE_LINE // item_size
    return (n + per_line - 1) // per_line * per_line + per_line


def train_epoch(
    double[:, ::1] embedding,
    const int[::1] children,
    const int[::1] parents,
    const double[::1] weights,
    const int[::1] order,
    const int[::1] parent_indptr,
    const int[::1] parent_indices,
    const double[::1] alias_prob,
    const int[::1] alias_index,
    *,
    int manifold=POINCARE,
    const int[::1] child_indptr=None,
    const int[::1] child_indices=None,
    double subtree_share=0.0,
    double ancestor_share=0.0,
    double lr_start,
    double lr_end,
    int n_negatives,
    double max_norm,
    uint64_t seed,
    int n_threads=1,
    double max_turn_scale=1.0,
):
    """Run one epoch of Riemannian SGD in place; return the summed loss.

    ``order`` lists the relation indices to visit. The learning rate goes
    linearly from ``lr_start`` to ``lr_end`` along ``order``. One thread
    visits it in one pass; several take chunks of it as they free up (each
    chunk with its own random stream), so that a thread slowed down by
    other work on the machine does not hold the epoch back.
    Negatives are uniform over nodes when ``alias_prob`` is empty, otherwise
    drawn from the alias table (``alias_prob``, ``alias_index``); a share
    ``subtree_share`` of them comes instead from the children of the
    relation's parent in the CSR ``child_indptr``/``child_indices`` (on a
    transitive closure: its whole subtree) or, for a share ``ancestor_share``
    of the relations, from the children of a random parent of that parent.
    ``manifold`` is a code of ``MANIFOLD_CODES``; ``max_turn_scale`` bounds
    how much a step's turn about the origin is scaled up in the ball (1: not
    at all).
    Returns NaN when a non-finite loss was met (training stopped there).
    """
    cdef Py_ssize_t n = order.shape[0], dim = embedding.shape[1]
    cdef Py_ssize_t c, first, last, n_chunks, chunk
    cdef int t, n_workers = max(n_threads, 1)
    cdef double lr_step
    if subtree_share > 0.0 and (child_indptr is None or child_indices is None):
        raise ValueError("subtree_share > 0 needs child_indptr and child_indices")
    if child_indptr is None:
        child_indptr = np.zeros(1, dtype=np.intc)
        child_indices = np.zeros(1, dtype=np.intc)
    cdef uint64_t state = seed
    # Per-thread scratch, one row per thread, each row padded so that no
    # cache line holds two threads' rows (they are written every relation).
    cdef int[:, ::1] targets = np.empty(
        (n_workers, _padded_row(sklp_stride(n_negatives + 1), sizeof(int))), dtype=np.intc)
    cdef int[:, ::1] related = np.empty(
        (n_workers, _padded_row(n_negatives + 1, sizeof(int))), dtype=np.intc)
    cdef double[:, ::1] scratch = np.empty(
        (n_workers, _padded_row(_scratch_size(n_negatives, dim), sizeof(double))))

    # Chunks in order, taken as threads free up (Hogwild: threads share the
    # embedding without locks); one thread runs the whole order as one
    # chunk, with the stream of the seed: reproducible bit for bit. Each
    # chunk's rate continues the line from lr_start to lr_end, and its
    # stream depends on the chunk alone.
    if n_workers == 1:
        chunk = max(n, 1)
    else:
        chunk = max(_MIN_CHUNK, min(_MAX_CHUNK, n // (_CHUNKS_PER_THREAD * n_workers)))
    n_chunks = (n + chunk - 1) // chunk
    lr_step = (lr_end - lr_start) / max(n, 1)
    cdef double[::1] chunk_loss = np.zeros(max(n_chunks, 1))
    cdef uint64_t[::1] seeds = np.empty(max(n_chunks, 1), dtype=np.uint64)
    for c in range(n_chunks):
        state = seed + <uint64_t>c * _CHUNK_SEED_STRIDE
        seeds[c] = _next_random(&state)
    with nogil:
        for c in prange(n_chunks, num_threads=n_workers, schedule='dynamic', chunksize=1):
            t = threadid()
            first = c * chunk
            last = min(first + chunk, n)
            chunk_loss[c] = _train_chunk(
                manifold, embedding, children, parents, weights, order, first, last,
                parent_indptr, parent_indices, alias_prob, alias_index,
                child_indptr, child_indices, subtree_share, ancestor_share,
                lr_start + lr_step * first,
                lr_end if last == n else lr_start + lr_step * last,
                n_negatives, max_norm, max_turn_scale, seeds[c],
                &targets[t, 0], &related[t, 0], &scratch[t, 0])
    return float(np.sum(chunk_loss))


def relation_loss_and_gradients(const double[:, ::1] embedding, int u,
                                const int[::1] targets, double weight=1.0,
                                int manifold=POINCARE, double max_turn_scale=1.0):
    """Loss of one relation and its Riemannian gradients (for tests).

    ``targets[0]`` is the parent, the rest are the negatives. Runs the very
    function the training loop uses, whose steps go along these gradients
    (with their turns scaled by ``max_turn_scale``, as train_epoch's).
    Returns ``(loss, grad_u, grad_targets)``.
    """
    cdef Py_ssize_t dim = embedding.shape[1]
    cdef int n_targets = targets.shape[0]
    cdef int[::1] padded = np.empty(sklp_stride(n_targets), dtype=np.intc)
    cdef double[::1] scratch = np.empty(_relation_scratch_size(n_targets, dim))
    cdef double[::1] grad_u = np.empty(dim)
    cdef double[:, ::1] grad_targets = np.empty((n_targets, dim))
    padded[:n_targets] = targets
    cdef double loss = _relation_gradients(
        manifold, &embedding[0, 0], dim, u, &padded[0], n_targets, weight,
        max_turn_scale, &scratch[0], &grad_u[0], &grad_targets[0, 0])
    return loss, np.asarray(grad_u), np.asarray(grad_targets)


def take_step(double[::1] row, const double[::1] grad, double learning_rate,
              double max_norm, int manifold=POINCARE):
    """Apply one update to ``row`` in place, as training does (for tests)."""
    riemannian_step(manifold, &row[0], &grad[0], learning_rate, max_norm,
                    row.shape[0])
