"""Decision trees: every node with its split gain, one row's path in words, rules, importances."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from sklearn.tree import export_text

from mllib import splits
from mllib.explain.limits import RULES_CHARS
from mllib.explain.rows import category_label, model_columns, transform
from mllib.i18n import N_, Translator, translator
from mllib.profile import DATE_PART_NAMES, DATE_PARTS, date_part, parse_dates
from mllib.training import TrainedModel
from mllib.vocab import Task, data_number


def tree_table(model: TrainedModel) -> pd.DataFrame:
    """One row per node of the fitted tree, with the gain of each split.

    ``gain`` is the textbook decrease I(t) − N_L/N_t · I(L) − N_R/N_t · I(R) (information gain
    in bits for entropy, Gini decrease, variance reduction); ``share`` is N_t/N · gain
    normalised over the tree: what ``feature_importances_`` adds up per feature (see
    :mod:`mllib.splits`). Sample counts are weighted, as scikit-learn computes them.
    """
    estimator = model.estimator
    tree = estimator.tree_
    columns = model_columns(model)
    n = tree.node_count
    left, right = tree.children_left, tree.children_right
    weights = tree.weighted_n_node_samples
    leaf = left == -1
    inner = np.flatnonzero(~leaf)
    l_idx, r_idx = left[inner], right[inner]
    parent = np.full(n, -1)
    parent[l_idx], parent[r_idx] = inner, inner
    side = np.full(n, None, dtype=object)
    side[l_idx], side[r_idx] = "left", "right"
    depth = np.zeros(n, dtype=int)
    frontier, level = np.array([0]), 0
    while frontier.size:  # level by level: vectorised even for millions of nodes
        depth[frontier] = level
        children = np.concatenate([left[frontier], right[frontier]])
        frontier, level = children[children != -1], level + 1
    gain = splits.impurity_decrease(tree.impurity, weights, left, right)
    descendants = np.zeros(n, dtype=int)
    for level in range(int(depth.max()), -1, -1):  # bottom-up, one level at a time
        nodes = inner[depth[inner] == level]
        descendants[nodes] = 2 + descendants[left[nodes]] + descendants[right[nodes]]
    used = np.where(leaf, 0, tree.feature)

    def per_split(values: list[Any], empty: Any) -> np.ndarray:
        return np.where(leaf, empty, np.asarray(values, dtype=object)[used])

    table = pd.DataFrame(
        {
            "node": np.arange(n),
            "parent": parent,
            "side": side,
            "depth": depth,
            "leaf": leaf,
            "left": left,
            "right": right,
            "feature": per_split([c.name for c in columns], None),
            "source": per_split([c.source for c in columns], None),
            "category": per_split([c.category or "" for c in columns], ""),
            "one_hot": per_split([c.category is not None for c in columns], False).astype(bool),
            "threshold": np.where(leaf, np.nan, tree.threshold),
            "impurity": tree.impurity,
            "samples": tree.n_node_samples,
            "weighted_samples": weights,
            "gain": gain,
            "share": splits.share_of_importance(gain, weights),
            "descendants": descendants,
        }
    )
    values = tree.value[:, 0, :]
    if model.task == Task.CLASSIFICATION:
        classes = np.asarray([str(c) for c in estimator.classes_], dtype=object)
        shares = values / np.maximum(values.sum(axis=1, keepdims=True), 1e-300)
        table["counts"] = list(np.round(shares * weights[:, None], 1))
        table["prediction"] = classes[shares.argmax(axis=1)]
        table["purity"] = shares.max(axis=1)
    else:
        table["prediction"] = values[:, 0]
    return table


def tree_criterion(model: TrainedModel) -> splits.Criterion:
    """How the tree's split criterion reads: impurity and gain names, unit, formula."""
    return splits.criterion(str(model.estimator.criterion))


def shown_depth(table: pd.DataFrame, wanted: int, max_nodes: int = 127) -> int:
    """The deepest level ≤ ``wanted`` whose diagram stays under ``max_nodes`` drawn nodes."""
    counts = table.groupby("depth").size().cumsum()
    depth = min(wanted, int(table["depth"].max()))
    while depth > 0 and int(counts.get(depth, counts.iloc[-1])) > max_nodes:
        depth -= 1
    return max(depth, 0)


def decision_path(model: TrainedModel, row: pd.DataFrame) -> list[int]:
    """The node ids one row passes through, root first."""
    Z = transform(model, row.iloc[:1])
    return [int(i) for i in model.estimator.decision_path(Z).indices]


def longest_path_row(model: TrainedModel, X: pd.DataFrame) -> int:
    """The first row whose path is deepest: the most telling one to follow by default."""
    if len(X) == 0:
        return 0
    depth = np.asarray(model.estimator.decision_path(transform(model, X)).sum(axis=1)).ravel()
    return int(np.argmax(depth))


def split_question(node: Any, tr: Translator | None = None) -> tuple[str, str]:
    """A split node's question as (what, test): ``("region", "= north?")`` for a category,
    ``("age", "≤ 42.5?")`` for a number. ``node`` is a row of :func:`tree_table` (a Series or a
    dict); the path table and the tree diagram both show this text (``tr`` names the rare
    categories' group)."""
    if node["one_hot"]:
        return str(node["source"]), f"= {category_label(node['category'], tr)}?"
    return str(node["feature"]), f"≤ {data_number(float(node['threshold']))}?"


def split_answer(node: Any, went_left: bool) -> str:
    """The answer that leads to a child: scikit-learn sends "≤" (yes) left, and a one-hot
    category's 0 side (no) left."""
    yes, no = N_("yes"), N_("no")  # English here; the diagram and the page translate them
    if node["one_hot"]:
        return no if went_left else yes
    return yes if went_left else no


#: The path table's column names (keys; translated where the table is shown).
PATH_COLUMNS = (N_("node"), N_("question"), N_("this row"), N_("answer"))
LEAF_STEP = N_("leaf: predict")


def path_steps(
    table: pd.DataFrame, path: list[int], row: pd.DataFrame, tr: Translator | None = None
) -> pd.DataFrame:
    """The path in words: each question, this row's value, and the answer (the words in the
    cells in ``tr``'s language; the column names stay keys, see :data:`PATH_COLUMNS`)."""
    tr = tr or translator("en")
    values = row.iloc[0]
    steps = []
    for node, child in itertools.pairwise(path):
        info = table.iloc[node]
        steps.append(
            {
                "node": node,
                "question": " ".join(split_question(info, tr)),
                "this row": _row_value(info, values, tr),
                "answer": tr.text(split_answer(info, int(info["left"]) == child)),
            }
        )
    leaf = table.iloc[path[-1]]
    steps.append(
        {
            "node": path[-1],
            "question": tr.text(LEAF_STEP),
            "this row": "",
            "answer": display_value(leaf["prediction"], tr),
        }
    )
    return pd.DataFrame(steps)


def _row_value(info: pd.Series, values: pd.Series, tr: Translator) -> str:
    """The row's value the question reads: a date question asks about one part of the date,
    so the part is shown beside the date ("2015/12/07 (year 2015)")."""
    raw = values.get(info["source"])
    feature, source = str(info["feature"]), str(info["source"])
    part = feature[len(source) + 1 :] if feature.startswith(f"{source}_") else ""
    if not info["one_hot"] and part in DATE_PARTS and raw is not None:
        parsed = parse_dates(pd.Series([raw]))
        if parsed.notna().all():
            value = int(date_part(parsed, part).iloc[0])
            return tr(
                "{date} ({part} {value})",
                date=display_value(raw, tr),
                part=tr.text(DATE_PART_NAMES[part]),
                value=value,
            )
    return display_value(raw, tr)


MISSING = N_("missing")


def display_value(value: Any, tr: Translator | None = None) -> str:
    """A value as a table cell shows it; a missing one is named (in ``tr``'s language)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return tr.text(MISSING) if tr is not None else MISSING
    return data_number(value)


def tree_rules(
    model: TrainedModel,
    max_depth: int,
    max_chars: int = RULES_CHARS,
    tr: Translator | None = None,
) -> str:
    """The tree as indented if/else text (``export_text``), cut to ``max_chars`` (the note
    saying so in ``tr``'s language)."""
    names = [c.name for c in model_columns(model)]
    text: str = export_text(model.estimator, feature_names=names, max_depth=max_depth, decimals=3)
    if len(text) > max_chars:
        cut = text[:max_chars].rsplit("\n", 1)[0]
        tr = tr or translator("en")
        note = tr(
            "… cut at {n} characters; lower the depth to see all of it.", n=tr.number(max_chars)
        )
        return f"{cut}\n{note}"
    return text


def tree_importances(model: TrainedModel) -> pd.DataFrame:
    """Impurity-based importances (the share of all gain each column earned), largest first."""
    columns = model_columns(model)
    table = pd.DataFrame(
        {
            "feature": [c.label for c in columns],
            "importance": model.estimator.feature_importances_,
        }
    )
    return table.sort_values("importance", ascending=False, ignore_index=True)
