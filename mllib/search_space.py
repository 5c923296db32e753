"""The space a hyperparameter search explores, read from the catalogue's Param records.

A grid picks a few values of each chosen parameter (geometric when its range spans decades,
plus its default and special values such as "unlimited"); random search samples their full
option lists; a parameter that matters only under some values of another (``degree`` only for
the polynomial kernel) appears only in the sub-grids where it matters. Every candidate is
cleaned by its spec, so settings that differ only in ignored parameters are searched once.
:mod:`mllib.tuning` runs the search over these candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from mllib.catalogue import ModelSpec, Param
from mllib.errors import GlassboxError
from mllib.i18n import Message, msg
from mllib.vocab import Task

MAX_CANDIDATES = 1_000


def tunable_params(spec: ModelSpec, task: Task) -> list[Param]:
    """Parameters worth searching: each offers at least two values."""
    return [p for p in spec.params_for(task) if len(p.options()) > 1]


def default_search(spec: ModelSpec, task: Task) -> list[str]:
    """The parameters a search varies unless the user picks others: the spec's ``search`` (the
    ones that move the score most), else the first three tunable ones."""
    names = [p.name for p in tunable_params(spec, task)]
    chosen = [n for n in spec.search if n in names]
    return chosen or [n for n in names if n != "max_iter"][:3]


def grid_values(param: Param, count: int) -> list[Any]:
    """``count`` values spread over ``param``'s range (geometric when it spans decades), plus
    its default and special values such as "unlimited"; choices and switches give all options.
    """
    if param.kind in ("choice", "bool"):
        return param.options()
    specials = [v for _, v in param.specials]
    core = [v for v in param.options() if not any(v is s or v == s for s in specials)]
    assert param.low is not None and param.high is not None
    if param.log or (param.low >= 1 and param.high / param.low >= 10):
        targets = np.geomspace(max(param.low, 1e-12), param.high, count)
        position = [int(np.argmin(np.abs(np.log(np.asarray(core)) - np.log(t)))) for t in targets]
    else:
        targets = np.linspace(param.low, param.high, count)
        position = [int(np.argmin(np.abs(np.asarray(core) - t))) for t in targets]
    picked = sorted({core[i] for i in position} | ({param.default} - set(specials) - {None}))
    picked = [v for v in picked if v in core]
    return (
        [s for s in specials if isinstance(s, str)]
        + picked
        + [s for s in specials if not isinstance(s, str)]
    )


def search_space(
    spec: ModelSpec,
    task: Task,
    names: Sequence[str],
    base: Mapping[str, Any],
    count: int | None = None,
) -> list[dict[str, list[Any]]]:
    """Sub-grids (scikit-learn's list-of-dicts form) for the parameters ``names``.

    ``count`` values per numeric parameter for a grid; ``None`` means every option (for random
    sampling). A parameter that applies only under some values of another (``gamma`` only for
    some kernels) appears only in the sub-grids where it matters: one sub-grid per value of
    such a controlling parameter.
    """
    params = {p.name: p for p in spec.params_for(task)}
    unknown = [n for n in names if n not in params]
    if unknown:
        raise _unknown(spec, unknown)
    values = {
        n: (params[n].options() if count is None else grid_values(params[n], count)) for n in names
    }
    controllers = [n for n in names if any(n in params[m].when for m in names)]
    others = [n for n in names if n not in controllers]
    grids = []
    for combo in _product(controllers, values):
        fixed = dict(zip(controllers, combo, strict=True))
        merged = {**spec.defaults(task), **base, **fixed}
        grid = {name: [value] for name, value in fixed.items()}
        grid.update({n: list(values[n]) for n in others if params[n].applies(task, merged)})
        grids.append(grid)
    return grids


def _unknown(spec: ModelSpec, names: Sequence[str]) -> GlassboxError:
    """A search asked for parameters the algorithm does not have (names are code)."""
    return GlassboxError(
        msg(
            "{algorithm} has no parameter(s) {names} to tune.",
            algorithm=Message(spec.name),
            names=", ".join(names),
        )
    )


def _product(names: list[str], values: Mapping[str, list[Any]]) -> list[tuple[Any, ...]]:
    combos: list[tuple[Any, ...]] = [()]
    for name in names:
        combos = [(*c, v) for c in combos for v in values[name]]
    return combos


def grid_candidates(
    spec: ModelSpec, task: Task, names: Sequence[str], base: Mapping[str, Any], count: int
) -> list[dict[str, Any]]:
    """Every combination of the grid, merged into ``base`` and cleaned (duplicates dropped)."""
    out: list[dict[str, Any]] = []
    for sub in search_space(spec, task, names, base, count):
        keys = list(sub)
        for combo in _product(keys, sub):
            out.append(dict(zip(keys, combo, strict=True)))
            if len(out) > MAX_CANDIDATES:
                raise GlassboxError(
                    msg("This grid has more than {n:,} combinations.", n=MAX_CANDIDATES),
                    msg("Search fewer parameters, fewer values each, or use randomized search."),
                )
    return _clean_unique(spec, task, base, out)


def random_candidates(
    spec: ModelSpec,
    task: Task,
    names: Sequence[str],
    base: Mapping[str, Any],
    n_candidates: int,
    seed: int,
) -> list[dict[str, Any]]:
    """Up to ``n_candidates`` distinct settings, each parameter drawn uniformly from its options
    (so log-scaled ones are drawn evenly per decade). Inapplicable draws are dropped by
    ``clean``, which is what makes the sampling conditional."""
    params = {p.name: p for p in spec.params_for(task)}
    unknown = [n for n in names if n not in params]
    if unknown:
        raise _unknown(spec, unknown)
    rng = np.random.default_rng(seed)
    options = {n: params[n].options() for n in names}
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(n_candidates * 20):
        if len(out) >= n_candidates:
            break
        draw = {n: opts[int(rng.integers(len(opts)))] for n, opts in options.items()}
        (cleaned,) = _clean_unique(spec, task, base, [draw])
        key = repr(sorted(cleaned.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            out.append(cleaned)
    return out


def _clean_unique(
    spec: ModelSpec, task: Task, base: Mapping[str, Any], drafts: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    out, seen = [], set()
    for draft in drafts:
        cleaned = spec.clean(task, {**base, **draft})
        key = repr(sorted(cleaned.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            out.append(cleaned)
    return out
