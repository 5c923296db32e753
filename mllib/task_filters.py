"""scikit-learn's parallel tasks without their race on Python's process-wide warning filters.

scikit-learn 1.9 runs each task of its ``Parallel`` (``GridSearchCV``, ``cross_validate``,
``learning_curve``, ``permutation_importance``…) through ``sklearn.utils.parallel._FuncWrapper``,
which enters ``warnings.catch_warnings()``, calls ``warnings.resetwarnings()`` and adds back the
filters that ``Parallel`` captured when it was called: the ``warnings.filters`` list object of
that moment, not a copy. Before Python 3.14 the filters are one list per process:
``catch_warnings`` swaps it in and out as a module attribute, and ``resetwarnings`` empties
whichever list is in place. With tasks on two threads at once (two searches, a search and a
cross-validation or a curve, two browser sessions), another thread's ``catch_warnings`` can put
a list back between a task's swap and its reset, so the reset empties a list that a
``Parallel`` captured, at times the task's own, which it then refills from nothing. Tasks that
read that list find it empty and warn "``sklearn.utils.parallel.delayed`` should be used with
``sklearn.utils.parallel.Parallel``" although it was (scikit-learn#32631); they also run with no
filters at all, and the unpaired swaps leave the process with another thread's filters.

A task running in the process that created it (on a worker thread, or in the calling thread
when a ``Parallel`` has one job) would only restore what it already sees: the caller's filters
are the process's. :func:`install` makes such tasks apply scikit-learn's configuration alone
(thread-local, with scikit-learn's own ``config_context``) and leave the filters untouched.
Tasks sent to other processes (loky workers, Dask) still restore the caller's filters with
scikit-learn's code, as does everything when the interpreter keeps warning filters per context
(``sys.flags.context_aware_warnings``, Python 3.14), where the swap is safe. A task created
without a configuration (``delayed`` with a plain ``joblib.Parallel``) keeps scikit-learn's
genuine warning. The wrapper is scikit-learn's own class, patched in place; if a scikit-learn
version no longer has the methods replaced here, nothing is patched
(tests/test_task_filters.py fails so the change is seen).
"""

from __future__ import annotations

import os
import sys
from typing import Any

_CREATED_IN = "_glassbox_created_in"  # on a task: the id of the process that made it
_PATCHED = "_glassbox_patched"  # on the wrapper class: install() has run


def applies() -> bool:
    """Whether this interpreter shares one warning filter list between threads."""
    return not getattr(sys.flags, "context_aware_warnings", False)


def install() -> bool:
    """Patch scikit-learn's task wrapper (once); whether the patch is in place."""
    from sklearn.utils import parallel as sk_parallel

    wrapper: Any = sk_parallel._FuncWrapper
    if getattr(wrapper, _PATCHED, False):
        return True
    if not applies():
        return False
    attach = getattr(wrapper, "with_config_and_warning_filters", None)
    call = wrapper.__call__
    if attach is None or not callable(call):
        return False
    config_context = sk_parallel.config_context

    def with_config_and_warning_filters(self: Any, config: Any, warning_filters: Any) -> Any:
        setattr(self, _CREATED_IN, os.getpid())
        return attach(self, config, warning_filters)

    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        config = getattr(self, "config", None)
        if config and getattr(self, _CREATED_IN, None) == os.getpid():
            with config_context(**config):
                return self.function(*args, **kwargs)
        return call(self, *args, **kwargs)

    wrapper.with_config_and_warning_filters = with_config_and_warning_filters
    wrapper.__call__ = run
    setattr(wrapper, _PATCHED, True)
    return True
