"""How many OpenMP threads an ``n_jobs`` value means.

joblib's ``effective_n_jobs`` answers for the active joblib backend: inside
``parallel_backend("dask")`` it counts the cluster's workers, and it may
turn ``None`` into more than one. The kernels run threads on this machine,
and ``n_jobs=None`` must mean one thread everywhere, so that a seeded fit is
reproducible on a laptop, in a joblib worker and on a Dask worker alike.
"""

from numbers import Integral

from joblib import cpu_count
from sklearn.utils._param_validation import Interval

# Parameter constraint of every n_jobs: joblib's convention, a positive count
# of threads, or -1, -2, ... for all cores but |n_jobs| - 1; 0 means nothing.
N_JOBS_CONSTRAINT = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]


def n_threads(n_jobs):
    """Threads for ``n_jobs``: None -> 1, -1 -> all cores, -2 -> all but one...

    >>> n_threads(None), n_threads(3)
    (1, 3)
    """
    if n_jobs is None:
        return 1
    if not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be None or a non-zero integer (-1: all cores), got {n_jobs!r}"
        )
    if n_jobs < 0:
        return max(cpu_count() + 1 + n_jobs, 1)
    return int(n_jobs)
