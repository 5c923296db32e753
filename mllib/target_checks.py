"""Whether a target column can be trained on: missing or infinite values, too few classes or
rows per class, a constant target, and which of these block training and which only warn.

:func:`check_target` is what the Data page shows under the target picker and what training
checks first; :mod:`mllib.profile` re-exports both names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mllib.errors import DataError
from mllib.i18n import msg
from mllib.vocab import Task, is_numeric


def typed_value(value: object) -> str:
    """A value as the user typed it: ``'UK'`` or ``7``, never numpy's ``np.int64(7)``."""
    return repr(value.item() if isinstance(value, np.generic) else value)


@dataclass(frozen=True)
class TargetCheck:
    """What is wrong with a target column, and whether it blocks training."""

    missing: int = 0
    infinite: int = 0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # classes with a single row (classification): one of the errors, which dropping their
    # rows (drop_rare_classes) fixes; the page offers that by this count, not by the wording
    rare_classes: int = 0

    @property
    def bad_rows(self) -> int:
        return self.missing + self.infinite


def check_target(frame: pd.DataFrame, target: str, task: Task) -> TargetCheck:
    if target not in frame.columns:
        raise DataError(msg("The target column “{target}” is not in the table.", target=target))
    series = frame[target]
    missing = int(series.isna().sum())
    infinite = 0
    numeric = is_numeric(series)
    if numeric:
        infinite = int(np.isinf(series.to_numpy(dtype=float)).sum())
    errors: list[str] = []
    warns: list[str] = []
    rare_classes = 0
    valid = series.dropna()
    if numeric:
        valid = valid[np.isfinite(valid.to_numpy(dtype=float))]
    if missing or infinite:
        said = {
            (True, False): msg("{missing} missing", missing=missing),
            (False, True): msg("{infinite} infinite", infinite=infinite),
            (True, True): msg(
                "{missing} missing and {infinite} infinite", missing=missing, infinite=infinite
            ),
        }[(bool(missing), bool(infinite))]
        warns.append(
            msg(
                "The target “{target}” has {counts} value(s); those rows cannot be used for "
                "training.",
                target=target,
                counts=said,
            )
        )
    distinct = valid.nunique()
    if distinct <= 1:
        errors.append(
            msg(
                "The target “{target}” has a single value ({value}): there is nothing to "
                "predict. Choose another target.",
                target=target,
                value=typed_value(valid.iloc[0]),
            )
            if len(valid)
            else msg(
                "The target “{target}” has a single value: there is nothing to predict. Choose "
                "another target.",
                target=target,
            )
        )
    elif task == Task.CLASSIFICATION:
        if numeric and not (valid % 1 == 0).all():
            errors.append(
                msg(
                    "The target “{target}” holds decimal numbers ({distinct} distinct values), "
                    "which are not classes. Choose the regression task instead.",
                    target=target,
                    distinct=distinct,
                )
            )
        else:
            counts = valid.value_counts()
            rare = counts[counts < 2]
            rare_classes = len(rare)
            if len(rare):
                listed = ", ".join(map(str, rare.index[:5])) + ("…" if len(rare) > 5 else "")
                quantity = numeric and distinct > 20
                errors.append(
                    msg(
                        "{n} class(es) of “{target}” have a single row ({listed}); a model "
                        "cannot both learn and be tested on them. With {distinct} different "
                        "numbers, “{target}” looks like a quantity: the regression task fits it "
                        "better.",
                        n=len(rare),
                        target=target,
                        listed=listed,
                        distinct=distinct,
                    )
                    if quantity
                    else msg(
                        "{n} class(es) of “{target}” have a single row ({listed}); a model "
                        "cannot both learn and be tested on them. Drop those rows below.",
                        n=len(rare),
                        target=target,
                        listed=listed,
                    )
                )
            if distinct > 50:
                warns.append(
                    msg(
                        "The target has {distinct} classes; with so many, regression may fit "
                        "better.",
                        distinct=distinct,
                    )
                )
    elif task == Task.REGRESSION:
        if not numeric:
            kind = msg("true/false") if pd.api.types.is_bool_dtype(series) else msg("text")
            errors.append(
                msg(
                    "The target “{target}” is {kind}, which regression cannot predict. Choose "
                    "the classification task instead.",
                    target=target,
                    kind=kind,
                )
            )
        elif (valid % 1 == 0).all() and distinct <= 10:
            warns.append(
                msg(
                    "The target has only {distinct} whole-number values; if they are codes for "
                    "categories, classification is the right task.",
                    distinct=distinct,
                )
            )
    return TargetCheck(missing, infinite, tuple(errors), tuple(warns), rare_classes)
