"""scikit-learn's estimator checks, with the checks that cannot apply.

Every expected failure below comes from the data the generic checks feed:
they are feature matrices (3 to 30 numeric columns, or integer pairs that
include self-loops), while PoincareEmbedder learns from relations, exactly
two columns of (child, parent) labels. Each entry says which of these it is.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklpoincare import PoincareEmbedder

_NOT_RELATIONS = (
    "fits on a numeric feature matrix with more than two columns; X must be "
    "(child, parent) relations, two columns"
)
_SELF_LOOPS = (
    "fits on integer pairs such as (3, 3): self-loops are rejected with a "
    "ValueError, a node cannot be its own parent"
)
_UNSEEN_LABELS = (
    "transforms rows whose float labels never appeared in fit; unknown labels "
    "raise by default (handle_unknown='error')"
)

EXPECTED_FAILED_CHECKS = {
    "check_fit_score_takes_y": _NOT_RELATIONS,
    "check_dont_overwrite_parameters": _NOT_RELATIONS,
    "check_n_features_in_after_fitting": _NOT_RELATIONS,
    "check_positive_only_tag_during_fit": _NOT_RELATIONS,
    "check_estimators_dtypes": _NOT_RELATIONS,
    "check_sample_weights_pandas_series": _NOT_RELATIONS,
    "check_sample_weights_list": _NOT_RELATIONS,
    "check_sample_weight_equivalence_on_dense_data": _NOT_RELATIONS,
    "check_sample_weight_equivalence_on_sparse_data": (
        "passes a non-square sparse feature matrix; a sparse X must be a square "
        "adjacency matrix (rows = children, columns = parents)"
    ),
    "check_estimator_sparse_tag": (
        "passes a non-square sparse feature matrix; square sparse adjacency "
        "matrices are accepted, so the sparse tag is True"
    ),
    "check_dtype_object": _NOT_RELATIONS,
    "check_pipeline_consistency": _NOT_RELATIONS,
    "check_estimators_nan_inf": (
        "fits on a clean three-column matrix before testing NaN; NaN and inf "
        "labels are rejected (tested in test_embedder.py)"
    ),
    "check_estimators_pickle": _NOT_RELATIONS,
    "check_f_contiguous_array_estimator": _NOT_RELATIONS,
    "check_transformer_data_not_an_array": _NOT_RELATIONS,
    "check_transformer_general": _NOT_RELATIONS,
    "check_transformer_preserve_dtypes": _NOT_RELATIONS,
    "check_methods_sample_order_invariance": _NOT_RELATIONS,
    "check_methods_subset_invariance": _NOT_RELATIONS,
    "check_fit2d_1sample": (
        "expects a one-row X to fail; one relation is a valid hierarchy, and "
        "the generic one-row X fails only because it has ten columns"
    ),
    "check_dict_unchanged": _NOT_RELATIONS,
    "check_fit2d_predict1d": _NOT_RELATIONS,
    "check_sample_weights_not_an_array": _SELF_LOOPS,
    "check_sample_weights_shape": _SELF_LOOPS,
    "check_sample_weights_not_overwritten": _SELF_LOOPS,
    "check_fit_idempotent": _UNSEEN_LABELS,
}


@parametrize_with_checks(
    [PoincareEmbedder(n_epochs=3, burn_in=1, n_negatives=5, random_state=0)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
