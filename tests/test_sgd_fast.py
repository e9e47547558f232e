"""The Cython SGD kernel: loss, Riemannian gradients and one training epoch."""

import numpy as np
import pytest
import scipy.sparse as sp

from sklpoincare._relations import alias_table, check_relations
from sklpoincare._sgd_fast import (
    MANIFOLD_CODES,
    relation_loss_and_gradients,
    take_step,
    train_epoch,
)

# ------------------------------------------------------------------ helpers


def _distance(x, y):
    sq = np.sum((x - y) ** 2)
    return np.arccosh(1.0 + 2.0 * sq / ((1.0 - x @ x) * (1.0 - y @ y)))


def _numpy_loss(embedding, u, targets, weight=1.0):
    d = np.array([_distance(embedding[u], embedding[t]) for t in targets])
    return weight * (d[0] + np.log(np.sum(np.exp(-d))))


def _random_ball(rng, n, dim, norms):
    direction = rng.normal(size=(n, dim))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    return direction * np.asarray(norms, dtype=float).reshape(-1, 1)


def _finite_difference(embedding, u, targets, weight, row, h):
    """Central differences of the NumPy loss w.r.t. the coordinates of ``row``."""
    grad = np.empty(embedding.shape[1])
    for i in range(embedding.shape[1]):
        plus, minus = embedding.copy(), embedding.copy()
        plus[row, i] += h
        minus[row, i] -= h
        grad[i] = (
            _numpy_loss(plus, u, targets, weight) - _numpy_loss(minus, u, targets, weight)
        ) / (2 * h)
    return grad


def _euclidean(riemannian_grad, x):
    """Undo the metric factor: Euclidean = Riemannian * 4 / (1 - |x|^2)^2."""
    return riemannian_grad * 4.0 / (1.0 - x @ x) ** 2


def _assert_gradient_close(got, expected, rtol=1e-5):
    scale = np.max(np.abs(expected))
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * scale)


# ------------------------------------------------ loss and gradients


@pytest.mark.parametrize("dim", [2, 5, 10])
@pytest.mark.parametrize("weight", [1.0, 2.5])
@pytest.mark.parametrize("max_norm", [0.9, 0.99, 0.999])
def test_relation_loss_and_riemannian_gradients_match_numpy(dim, weight, max_norm):
    rng = np.random.RandomState(dim * 100 + int(weight * 10) + int(max_norm * 1000))
    n_nodes = 12
    norms = rng.uniform(0, 0.9, size=n_nodes)
    norms[:4] = max_norm - rng.uniform(0, 1e-4, size=4)  # some near the boundary
    embedding = _random_ball(rng, n_nodes, dim, norms)
    order = rng.permutation(n_nodes)
    u = int(order[0])
    targets = order[1:8].astype(np.intc)

    loss, grad_u, grad_targets = relation_loss_and_gradients(embedding, u, targets, weight)
    assert grad_u.shape == (dim,)
    assert grad_targets.shape == (len(targets), dim)
    np.testing.assert_allclose(loss, _numpy_loss(embedding, u, targets, weight), rtol=1e-10)

    # step small compared with the distance to the boundary of the ball
    h = 1e-6 * (1.0 - max_norm) / 0.1
    _assert_gradient_close(
        _euclidean(grad_u, embedding[u]),
        _finite_difference(embedding, u, targets, weight, u, h),
    )
    for k, t in enumerate(targets):
        _assert_gradient_close(
            _euclidean(grad_targets[k], embedding[t]),
            _finite_difference(embedding, u, targets, weight, t, h),
        )


def test_relation_loss_u_near_boundary_and_targets_near_origin():
    rng = np.random.RandomState(5)
    dim = 3
    embedding = _random_ball(rng, 6, dim, [0.999, 0.0, 0.01, 0.5, 0.99, 0.3])
    targets = np.array([1, 2, 3, 4, 5], dtype=np.intc)
    loss, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)
    np.testing.assert_allclose(loss, _numpy_loss(embedding, 0, targets), rtol=1e-10)
    h = 1e-9
    _assert_gradient_close(
        _euclidean(grad_u, embedding[0]), _finite_difference(embedding, 0, targets, 1.0, 0, h)
    )
    for k, t in enumerate(targets):
        _assert_gradient_close(
            _euclidean(grad_targets[k], embedding[t]),
            _finite_difference(embedding, 0, targets, 1.0, t, h),
        )


def test_relation_loss_weight_scales_loss_and_gradients():
    rng = np.random.RandomState(6)
    embedding = _random_ball(rng, 8, 4, rng.uniform(0, 0.95, 8))
    targets = np.array([3, 1, 5, 7], dtype=np.intc)
    loss1, gu1, gt1 = relation_loss_and_gradients(embedding, 0, targets, 1.0)
    loss3, gu3, gt3 = relation_loss_and_gradients(embedding, 0, targets, 3.0)
    np.testing.assert_allclose(loss3, 3 * loss1, rtol=1e-14)
    np.testing.assert_allclose(gu3, 3 * gu1, rtol=1e-14)
    np.testing.assert_allclose(gt3, 3 * gt1, rtol=1e-14)


def test_relation_loss_parent_only_is_zero():
    # with no negative the softmax has one term: the loss is 0, no gradient
    rng = np.random.RandomState(7)
    embedding = _random_ball(rng, 3, 2, [0.3, 0.8, 0.5])
    loss, grad_u, grad_targets = relation_loss_and_gradients(
        embedding, 0, np.array([1], dtype=np.intc)
    )
    assert abs(loss) < 1e-12
    np.testing.assert_allclose(grad_u, 0.0, atol=1e-12)
    np.testing.assert_allclose(grad_targets, 0.0, atol=1e-12)


def test_relation_loss_target_at_same_point_as_child_has_zero_gradient():
    embedding = np.array([[0.2, 0.1], [0.2, 0.1], [-0.5, 0.3], [0.4, 0.4]])
    targets = np.array([2, 1, 3], dtype=np.intc)  # negative 1 sits on u
    loss, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)
    assert np.isfinite(loss)
    assert np.all(np.isfinite(grad_u)) and np.all(np.isfinite(grad_targets))
    np.testing.assert_allclose(loss, _numpy_loss(embedding, 0, targets), rtol=1e-12)
    np.testing.assert_array_equal(grad_targets[1], 0.0)
    # d(u, t) is a cone at t = u: central differences give its zero subgradient
    _assert_gradient_close(
        _euclidean(grad_u, embedding[0]),
        _finite_difference(embedding, 0, targets, 1.0, 0, 1e-7),
    )


def test_relation_loss_far_apart_points_stay_finite():
    # distances of ~25: exp(-d) terms ~1e-11, loss must not lose them
    rng = np.random.RandomState(8)
    direction = rng.normal(size=(5, 3))
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)
    embedding = direction * (1 - 1e-5)
    targets = np.array([1, 2, 3, 4], dtype=np.intc)
    loss, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)
    np.testing.assert_allclose(loss, _numpy_loss(embedding, 0, targets), rtol=1e-9)
    assert np.all(np.isfinite(grad_u)) and np.all(np.isfinite(grad_targets))


# ---------------------------------------------------------------- one epoch


def _graph(relations):
    graph, _ = check_relations(relations)
    return graph


def _tree_relations():
    """A small tree (depth 3, branching 2) and its transitive closure."""
    parent = {1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2}
    for child in range(7, 15):
        parent[child] = (child - 1) // 2
    relations = []
    for child in parent:
        ancestor = parent[child]
        while True:
            relations.append((child, ancestor))
            if ancestor == 0:
                break
            ancestor = parent[ancestor]
    return np.array(relations)


def _epoch(embedding, graph, *, lr, seed, order=None, n_negatives=5, max_norm=1 - 1e-5,
           n_threads=1, alias=None, lr_end=None, max_turn_scale=1.0):
    if order is None:
        order = np.arange(len(graph.children), dtype=np.intc)
    prob, index = alias if alias is not None else (np.empty(0), np.empty(0, dtype=np.intc))
    return train_epoch(
        embedding,
        graph.children,
        graph.parents,
        graph.weights,
        np.asarray(order, dtype=np.intc),
        graph.parent_indptr,
        graph.parent_indices,
        prob,
        index,
        lr_start=lr,
        lr_end=lr if lr_end is None else lr_end,
        n_negatives=n_negatives,
        max_norm=max_norm,
        seed=seed,
        n_threads=n_threads,
        max_turn_scale=max_turn_scale,
    )


@pytest.mark.parametrize("max_norm", [1 - 1e-5, 0.9])
def test_train_epoch_keeps_rows_inside_ball_with_huge_learning_rate(max_norm):
    # one thread: Hogwild threads may race on a row between step and projection
    graph = _graph(_tree_relations())
    rng = np.random.RandomState(0)
    embedding = rng.uniform(-1e-3, 1e-3, size=(graph.n_nodes, 4))
    for epoch in range(5):
        loss = _epoch(
            embedding, graph, lr=1e3, seed=epoch, order=rng.permutation(len(graph.children)),
            max_norm=max_norm, n_threads=1,
        )
        assert np.isfinite(loss)
        norms = np.linalg.norm(embedding, axis=1)
        assert np.all(np.isfinite(embedding))
        assert np.all(norms < 1.0)
        assert np.all(norms <= max_norm * (1 + 4 * np.finfo(float).eps))
    # the huge steps did push points to the border, not leave them in place
    assert norms.max() > max_norm * (1 - 1e-9)


def test_train_epoch_same_seed_is_bitwise_reproducible():
    graph = _graph(_tree_relations())
    rng = np.random.RandomState(1)
    start = rng.uniform(-0.1, 0.1, size=(graph.n_nodes, 3))
    order = rng.permutation(len(graph.children))
    a, b, c = start.copy(), start.copy(), start.copy()
    loss_a = _epoch(a, graph, lr=0.1, seed=42, order=order)
    loss_b = _epoch(b, graph, lr=0.1, seed=42, order=order)
    loss_c = _epoch(c, graph, lr=0.1, seed=43, order=order)
    assert loss_a == loss_b
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, start)
    assert not np.array_equal(a, c)
    assert loss_a != loss_c


def test_train_epoch_seed_beyond_int64_is_accepted():
    graph = _graph(_tree_relations())
    embedding = np.full((graph.n_nodes, 2), 0.01)
    loss = _epoch(embedding, graph, lr=0.1, seed=np.iinfo(np.uint64).max)
    assert np.isfinite(loss)



@pytest.mark.parametrize("n_threads", [1, 2, 3])
def test_train_epoch_visits_every_relation_once_with_its_weight(n_threads):
    # Every point at the origin: each relation's loss is its weight times
    # log(1 + n_negatives) (all distances 0), whatever the draws. So the
    # summed loss tells whether the threads' chunks covered the order once,
    # with no relation skipped or visited twice (9,001 relations: several
    # chunks, the last one short).
    n_relations, n_negatives = 9001, 5
    relations = np.column_stack([np.arange(n_relations), n_relations + np.arange(n_relations) % 50])
    graph, _ = check_relations(relations, 1.0 + np.arange(n_relations) % 7)
    embedding = np.zeros((graph.n_nodes, 3))
    order = np.random.RandomState(0).permutation(n_relations)
    loss = _epoch(embedding, graph, lr=0.0, seed=0, order=order, n_negatives=n_negatives,
                  n_threads=n_threads)
    np.testing.assert_allclose(loss, np.log(1 + n_negatives) * graph.weights.sum(), rtol=1e-12)
    assert not np.any(embedding)

def test_train_epoch_tiny_learning_rate_decreases_loss():
    # Negatives depend only on the seed, never on the coordinates: an epoch
    # with lr=0 with the same seed evaluates the very same sampled losses.
    graph = _graph(_tree_relations())
    rng = np.random.RandomState(2)
    start = rng.uniform(-0.3, 0.3, size=(graph.n_nodes, 2))
    order = rng.permutation(len(graph.children))
    for seed in range(3):
        frozen = start.copy()
        loss_before = _epoch(frozen, graph, lr=0.0, seed=seed, order=order)
        np.testing.assert_array_equal(frozen, start)  # lr=0 moves nothing
        moved = start.copy()
        loss_during = _epoch(moved, graph, lr=1e-4, seed=seed, order=order)
        loss_after = _epoch(moved.copy(), graph, lr=0.0, seed=seed, order=order)
        assert not np.array_equal(moved, start)
        np.testing.assert_allclose(loss_during, loss_before, rtol=1e-2)
        assert loss_after < loss_before


@pytest.mark.parametrize("n_other_parents", [1, 40])
def test_train_epoch_never_draws_child_or_its_parents_as_negatives(n_other_parents):
    # every non-parent of child 0 sits at one point: whichever negatives are
    # drawn, the loss is known; a drawn parent or u itself would change it.
    # 41 parents take the kernel's search for long parent lists; five times
    # as many candidates keep every draw of 6 negatives within its tries.
    n_nodes = 6 * (n_other_parents + 2)
    embedding = np.zeros((n_nodes, 2))
    embedding[0] = [0.1, 0.0]   # the child
    embedding[1] = [0.5, 0.2]   # parent, the relation trained
    others = np.arange(2, 2 + n_other_parents)
    embedding[others] = [-0.6, 0.1]  # other parents of 0: never negatives
    candidates = 2 + n_other_parents
    embedding[candidates:] = [0.0, -0.4]  # the candidates
    # the candidates take part in no relation: a sparse matrix keeps them as nodes
    A = sp.lil_matrix((n_nodes, n_nodes))
    A[0, 1] = 1.0
    A[0, others] = 1.0
    graph = _graph(A.tocsr())
    relation = int(np.nonzero((graph.children == 0) & (graph.parents == 1))[0][0])
    n_negatives = 6
    targets = np.array([1] + [candidates] * n_negatives, dtype=np.intc)
    expected = relation_loss_and_gradients(embedding, 0, targets)[0]
    for seed in range(20):
        for alias in (None, alias_table(np.arange(1, n_nodes + 1, dtype=float))):
            loss = _epoch(
                embedding.copy(), graph, lr=0.0, seed=seed, order=[relation],
                n_negatives=n_negatives, alias=alias,
            )
            np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_train_epoch_leaves_a_slot_empty_when_every_draw_is_a_parent():
    # child 0's parents are every other node: no slot finds a negative, and
    # the relation trains with its parent alone, whose softmax
    # loss is 0 (to rounding; one negative would add log(1 + ...) > 1e-3)
    A = sp.lil_matrix((3, 3))
    A[0, 1] = A[0, 2] = 1.0
    graph = _graph(A.tocsr())
    relation = int(np.nonzero((graph.children == 0) & (graph.parents == 1))[0][0])
    embedding = np.array([[0.1, 0.0], [0.5, 0.2], [-0.6, 0.1]])
    start = embedding.copy()
    loss = _epoch(embedding, graph, lr=0.1, seed=0, order=[relation], n_negatives=5)
    assert abs(loss) < 1e-12
    np.testing.assert_array_equal(embedding[2], start[2])  # never drawn


def _crowded_epoch(embedding, u, v, parent_lists, *, lr, seed, n_negatives):
    """One epoch of the single relation (u, v), with the parents that
    ``parent_lists`` gives each node (u among its own, as in a cycle, too)."""
    indptr = np.zeros(len(parent_lists) + 1, dtype=np.intc)
    indptr[1:] = np.cumsum([len(p) for p in parent_lists])
    indices = np.array([x for p in parent_lists for x in sorted(p)], dtype=np.intc)
    one = np.array([u], dtype=np.intc)
    return train_epoch(
        embedding, one, np.array([v], dtype=np.intc), np.ones(1), np.zeros(1, dtype=np.intc),
        indptr, indices, np.empty(0), np.empty(0, dtype=np.intc), lr_start=lr, lr_end=lr,
        n_negatives=n_negatives, max_norm=1 - 1e-5, seed=seed,
    )


def test_a_node_deep_in_a_chain_fills_every_slot_with_a_node_below_it():
    # node 90 of a chain of 100 has every earlier node as a parent, 91 % of
    # the nodes: 20 uniform tries would leave about one slot in seven
    # empty. Every node below it sits at one point and its parents at
    # another, so the loss says how many slots were filled, and with what.
    n_nodes, u, v = 100, 90, 89
    embedding = np.zeros((n_nodes, 2))
    embedding[:u] = [-0.6, 0.1]       # its parents: never negatives
    embedding[v] = [0.5, 0.2]         # the parent of the relation
    embedding[u] = [0.1, 0.0]
    embedding[u + 1:] = [0.0, -0.4]   # the nodes below it
    n_negatives = 50
    expected = relation_loss_and_gradients(
        embedding, u, np.array([v] + [u + 1] * n_negatives, dtype=np.intc))[0]
    parents = [list(range(i)) for i in range(n_nodes)]
    for seed in range(20):
        loss = _crowded_epoch(embedding.copy(), u, v, parents, lr=0.0, seed=seed,
                              n_negatives=n_negatives)
        np.testing.assert_allclose(loss, expected, rtol=1e-12)


@pytest.mark.parametrize("seed", range(6))
def test_a_crowded_node_draws_every_other_node_and_no_parent(seed):
    # random parent sets of 8 to 24 of 30 nodes, u anywhere among them or
    # (a cycle) one of them: over a few epochs every other node is drawn,
    # so moves, and no parent but v does. Drawing into the others from one
    # random number in their count, all drawn and none excluded means each
    # is drawn with the same chance.
    rng = np.random.RandomState(seed)
    n_nodes = 30
    u = int(rng.randint(n_nodes))
    parents = set(rng.choice(n_nodes, size=rng.randint(8, 25), replace=False).tolist())
    parents.discard(u) if seed % 2 else parents.add(u)
    v = min(parents - {u})
    parent_lists = [[] for _ in range(n_nodes)]
    parent_lists[u] = sorted(parents)
    embedding = _random_ball(rng, n_nodes, 2, rng.uniform(0.1, 0.5, n_nodes))
    start = embedding.copy()
    for epoch in range(4):
        _crowded_epoch(embedding, u, v, parent_lists, lr=0.01, seed=epoch, n_negatives=20)
    moved = set(np.flatnonzero(np.any(embedding != start, axis=1)).tolist())
    assert moved == set(range(n_nodes)) - parents | {u, v}


def test_train_epoch_zero_weight_relation_is_skipped():
    A = np.array([[0, 1], [2, 1]])
    graph, _ = check_relations(A, sample_weight=[0.0, 1.0])
    rng = np.random.RandomState(3)
    start = rng.uniform(-0.3, 0.3, size=(graph.n_nodes, 2))
    zero = int(np.nonzero(graph.weights == 0)[0][0])
    embedding = start.copy()
    loss = _epoch(embedding, graph, lr=1.0, seed=0, order=[zero], n_negatives=1)
    assert loss == 0.0
    np.testing.assert_array_equal(embedding, start)


@pytest.mark.parametrize("max_turn_scale", [1.0, 3.0])
def test_train_epoch_update_matches_relation_gradients(max_turn_scale):
    # one relation, no projection: every target and u move by -lr * its
    # gradient, with the turn scaled as relation_loss_and_gradients scales it
    embedding = np.array([[0.1, 0.2], [0.9, -0.1], [-0.4, 0.3]])
    graph = _graph(np.array([[0, 1]]))
    lr = 1e-3
    # 1 negative among the nodes not u and not a parent: node 2, always
    expected_loss, grad_u, grad_targets = relation_loss_and_gradients(
        embedding, 0, np.array([1, 2], dtype=np.intc), max_turn_scale=max_turn_scale
    )
    moved = embedding.copy()
    loss = _epoch(moved, graph, lr=lr, seed=9, n_negatives=1, max_turn_scale=max_turn_scale)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-14)
    expected = embedding.copy()
    expected[1] -= lr * grad_targets[0]
    expected[2] -= lr * grad_targets[1]
    expected[0] -= lr * grad_u
    np.testing.assert_allclose(moved, expected, rtol=1e-13, atol=1e-16)
    if max_turn_scale > 1.0:
        plain = embedding.copy()
        _epoch(plain, graph, lr=lr, seed=9, n_negatives=1)
        assert np.abs(moved - plain).max() > 1e-6  # 0.9 is at sinh(r) = 9.5 > 3


@pytest.mark.parametrize("max_turn_scale", [1.0, 1e3])
@pytest.mark.parametrize("lr", [1e-3, 30.0])
def test_a_negative_drawn_again_takes_its_gradient_at_its_row_as_it_was(lr, max_turn_scale):
    # The ball steps each target as soon as its gradient is known. Here the
    # only negative, node 2, is drawn three times: every gradient is still
    # taken at the rows before the relation's steps, and node 2's steps
    # follow one another, the same bits as gradients first and steps after
    # (at lr 30 the steps end at the norm bound and are projected).
    embedding = np.array([[0.1, 0.2, -0.3], [0.6, -0.1, 0.2], [-0.4, 0.3, 0.85]])
    graph = _graph(np.array([[0, 1]]))
    max_norm = 1 - 1e-5
    targets = np.array([1, 2, 2, 2], dtype=np.intc)
    expected_loss, grad_u, grad_targets = relation_loss_and_gradients(
        embedding, 0, targets, max_turn_scale=max_turn_scale)
    expected = embedding.copy()
    for k, t in enumerate(targets):
        take_step(expected[t], grad_targets[k], lr, max_norm)
    take_step(expected[0], grad_u, lr, max_norm)
    moved = embedding.copy()
    loss = _epoch(moved, graph, lr=lr, seed=3, n_negatives=3, max_norm=max_norm,
                  max_turn_scale=max_turn_scale)
    assert loss == expected_loss
    np.testing.assert_array_equal(moved, expected)
    if lr > 1:
        assert np.linalg.norm(moved[2]) == pytest.approx(max_norm, abs=1e-15)
    # each of node 2's steps counts
    once = embedding.copy()
    take_step(once[2], grad_targets[1], lr, max_norm)
    assert np.abs(moved[2] - once[2]).max() > 1e-9


def _scaled_turn(row, grad, max_scale):
    """``grad`` at the ball point ``row`` with its part perpendicular to
    ``row`` times min(max_scale, sinh r), at least 1."""
    sinh_r = np.sinh(2 * np.arctanh(np.linalg.norm(row)))
    radial = (row @ grad) / (row @ row) * row
    return radial + max(1.0, min(max_scale, sinh_r)) * (grad - radial)


@pytest.mark.parametrize("max_scale", [3.0, 1e3])
@pytest.mark.parametrize("norms", [[0.3, 0.5, 0.2], [0.999, 0.9, 0.99], [1 - 1e-7, 0.95, 0.6]])
def test_relation_gradients_scale_their_turn_by_sinh_of_the_radius(max_scale, norms):
    # each point's gradient, u's (a sum over the targets) and the targets'
    # (scaled in their coefficients), against the plain gradient scaled in
    # NumPy; at 0.2 and 0.3 sinh(r) < 1 and nothing is scaled
    rng = np.random.RandomState(0)
    embedding = _random_ball(rng, 3, 5, norms)
    targets = np.array([1, 2], dtype=np.intc)
    loss, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)
    scaled_loss, scaled_u, scaled_targets = relation_loss_and_gradients(
        embedding, 0, targets, max_turn_scale=max_scale)
    assert scaled_loss == loss
    _assert_gradient_close(scaled_u, _scaled_turn(embedding[0], grad_u, max_scale), 1e-12)
    for k, t in enumerate(targets):
        _assert_gradient_close(
            scaled_targets[k], _scaled_turn(embedding[t], grad_targets[k], max_scale), 1e-12)
    if max(norms) > 0.5:
        assert np.abs(scaled_u - grad_u).max() > 1e-3 * np.abs(grad_u).max()


def test_relation_gradients_are_the_same_bits_at_scale_one():
    rng = np.random.RandomState(2)
    embedding = _random_ball(rng, 6, 4, [0.99, 0.5, 0.9, 0.999, 0.1, 0.7])
    targets = np.arange(1, 6, dtype=np.intc)
    plain = relation_loss_and_gradients(embedding, 0, targets)
    at_one = relation_loss_and_gradients(embedding, 0, targets, max_turn_scale=1.0)
    for got, expected in zip(at_one[1:], plain[1:]):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("parent", [[0.3, 0.0, 0.0], [0.0, 0.0, 0.0]])
def test_a_radial_gradient_is_not_scaled(parent):
    # u and its parent on one ray from the origin, or the parent at the
    # origin (where every direction is radial): every gradient is radial,
    # with no turn to scale
    embedding = np.array([[0.6, 0.0, 0.0], parent])
    targets = np.array([1], dtype=np.intc)
    _, grad_u, grad_targets = relation_loss_and_gradients(embedding, 0, targets)
    _, scaled_u, scaled_targets = relation_loss_and_gradients(embedding, 0, targets,
                                                              max_turn_scale=1e3)
    np.testing.assert_allclose(scaled_u, grad_u, rtol=1e-13)
    np.testing.assert_allclose(scaled_targets, grad_targets, rtol=1e-13)


@pytest.mark.parametrize("manifold", ["lorentz", "euclidean"])
def test_gradients_outside_the_ball_are_not_scaled(manifold):
    embedding = np.array([[3.0, -5.0, 6.0], [1.0, 2.0, -3.0], [-4.0, 0.0, 2.0]])
    targets = np.array([1, 2], dtype=np.intc)
    plain = relation_loss_and_gradients(embedding, 0, targets,
                                        manifold=MANIFOLD_CODES[manifold])
    scaled = relation_loss_and_gradients(embedding, 0, targets,
                                         manifold=MANIFOLD_CODES[manifold], max_turn_scale=1e3)
    for got, expected in zip(scaled[1:], plain[1:]):
        np.testing.assert_array_equal(got, expected)


def test_train_epoch_learning_rate_starts_at_lr_start():
    # the rate goes linearly from lr_start (first relation) towards lr_end
    embedding = np.array([[0.1, 0.2], [0.3, -0.1], [-0.4, 0.0]])
    graph = _graph(np.array([[0, 1]]))
    _, grad_u, _ = relation_loss_and_gradients(embedding, 0, np.array([1, 2], dtype=np.intc))
    moved = embedding.copy()
    _epoch(moved, graph, lr=0.0, lr_end=5.0, seed=0, n_negatives=1)
    np.testing.assert_array_equal(moved, embedding)
    moved = embedding.copy()
    _epoch(moved, graph, lr=1e-3, lr_end=5.0, seed=0, n_negatives=1)
    np.testing.assert_allclose(moved[0], embedding[0] - 1e-3 * grad_u, rtol=1e-13)


def _subtree_draw_losses(embedding, graph, relation, n_negatives, ancestor_share):
    """Loss of one relation's step (rate 0) with every negative a subtree
    draw, over 20 seeds."""
    child_indptr, child_indices = graph.child_csr()
    return [
        train_epoch(
            embedding.copy(), graph.children, graph.parents, graph.weights,
            np.array([relation], dtype=np.intc), graph.parent_indptr,
            graph.parent_indices, np.empty(0), np.empty(0, dtype=np.intc),
            child_indptr=child_indptr, child_indices=child_indices,
            subtree_share=1.0, ancestor_share=ancestor_share, lr_start=0.0,
            lr_end=0.0, n_negatives=n_negatives, max_norm=1 - 1e-5, seed=seed,
        )
        for seed in range(20)
    ]


def test_train_epoch_subtree_negatives_come_from_the_parents_subtree():
    # v = 1 has the descendants u = 0, 2, 3 and 4 (4 through u); 5..9 are
    # unrelated. With subtree_share=1 every negative of (0, 1) is one of
    # 2, 3, 4 -- never u, never the parent -- so with those three at one
    # point the loss is known whatever is drawn.
    A = sp.lil_matrix((10, 10))
    for child, parent in [(0, 1), (2, 1), (3, 1), (4, 0), (4, 1)]:
        A[child, parent] = 1.0
    graph = _graph(A.tocsr())
    embedding = np.zeros((10, 2))
    embedding[0] = [0.1, 0.0]
    embedding[1] = [0.5, 0.2]
    embedding[[2, 3, 4]] = [-0.3, 0.3]
    embedding[5:] = [0.0, -0.4]
    relation = int(np.nonzero((graph.children == 0) & (graph.parents == 1))[0][0])
    n_negatives = 5
    expected = relation_loss_and_gradients(
        embedding, 0, np.array([1] + [2] * n_negatives, dtype=np.intc)
    )[0]
    losses = _subtree_draw_losses(embedding, graph, relation, n_negatives, 0.0)
    np.testing.assert_allclose(losses, expected, rtol=1e-12)


def test_child_csr_lists_sorted_children():
    graph = _graph(np.array([[3, 0], [1, 0], [2, 1], [3, 1], [2, 0]]))
    indptr, indices = graph.child_csr()
    assert indptr[-1] == len(graph.children)
    for i in range(graph.n_nodes):
        expected = sorted(graph.children[graph.parents == i].tolist())
        assert indices[indptr[i]:indptr[i + 1]].tolist() == expected


@pytest.mark.parametrize("seed", range(3))
def test_child_csr_matches_a_sort_by_parent_then_child(seed):
    # also for a graph read back from an adjacency whose rows are unsorted
    from sklpoincare._growth import graph_from_adjacency

    rng = np.random.RandomState(seed)
    pairs = rng.randint(40, size=(300, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    graph = _graph(pairs)
    adjacency = graph.parent_matrix()
    for row in range(graph.n_nodes):  # reverse each row's parents
        start, end = adjacency.indptr[row], adjacency.indptr[row + 1]
        adjacency.indices[start:end] = adjacency.indices[start:end][::-1].copy()
        adjacency.data[start:end] = adjacency.data[start:end][::-1].copy()
    for g in (graph, graph_from_adjacency(graph.nodes, adjacency)):
        indptr, indices = g.child_csr()
        order = np.lexsort((g.children, g.parents))
        assert indptr.dtype == indices.dtype == np.int32
        np.testing.assert_array_equal(indices, g.children[order])
        np.testing.assert_array_equal(np.diff(indptr), np.bincount(g.parents, minlength=g.n_nodes))


def test_train_epoch_ancestor_subtree_negatives_come_from_an_ancestors_subtree():
    # g = 1 has the children v = 2, c = 3 and their descendants u = 0 (of v)
    # and d = 4 (of c); 5..9 are unrelated. For (u, v) with subtree_share=1
    # and ancestor_share=1, every negative comes from the subtree of g, the
    # only parent of v: not u, not its parents v and g, so one of c and d,
    # u's uncle and cousin -- never a sibling-only draw from v's subtree.
    A = sp.lil_matrix((10, 10))
    for child, parent in [(2, 1), (3, 1), (0, 2), (0, 1), (4, 3), (4, 1)]:
        A[child, parent] = 1.0
    graph = _graph(A.tocsr())
    embedding = np.zeros((10, 2))
    embedding[0] = [0.1, 0.0]
    embedding[1] = [0.0, 0.05]
    embedding[2] = [0.5, 0.2]
    embedding[[3, 4]] = [-0.3, 0.3]
    embedding[5:] = [0.0, -0.4]
    relation = int(np.nonzero((graph.children == 0) & (graph.parents == 2))[0][0])
    n_negatives = 5
    expected = relation_loss_and_gradients(
        embedding, 0, np.array([2] + [3] * n_negatives, dtype=np.intc)
    )[0]
    losses = _subtree_draw_losses(embedding, graph, relation, n_negatives, 1.0)
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
