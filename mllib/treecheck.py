"""Check a fitted decision tree's node arrays in a ``.skops`` file before scikit-learn builds it.

``sklearn.tree._tree.Tree`` trusts its arrays: a child index past the end, a cycle, a feature
index past the input width or a wrong ``max_depth`` make its C code read or write out of bounds
(skops' documentation warns about this type). This module reads the tree's description from
the file's ``schema.json`` and its ``.npy`` arrays (``allow_pickle=False``) and refuses any tree
that is not exactly what scikit-learn itself would have written: sizes agree, every internal
node's children come after it (so there is no cycle) and inside the array, feature indices are
inside the input, thresholds and values are finite, and ``max_depth`` is the real depth.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from mllib.errors import GlassboxError
from mllib.i18n import N_, msg

TREE_TYPE = ("sklearn.tree._tree", "Tree")
NODE_FIELDS = (
    "left_child",
    "right_child",
    "feature",
    "threshold",
    "impurity",
    "n_node_samples",
    "weighted_n_node_samples",
    "missing_go_to_left",
)
LEAF = -1


class TreeRefused(GlassboxError):
    """A tree whose arrays scikit-learn could not use safely."""


def tree_nodes(schema: Any) -> Iterator[dict[str, Any]]:
    """Every ``Tree`` node in a skops schema (depth first, iteratively: no recursion limit)."""
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if (node.get("__module__"), node.get("__class__")) == TREE_TYPE:
                yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def check_trees(schema: Any, files: Mapping[str, bytes]) -> int:
    """Validate every tree in ``schema``; return how many there were, raise :class:`TreeRefused`."""
    count = 0
    for node in tree_nodes(schema):
        check_tree(node, files)
        count += 1
    return count


def _json_int(node: Any, what: str) -> int:
    try:
        if node.get("__loader__") == "JsonNode":
            value = json.loads(node["content"])
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    except (AttributeError, KeyError, TypeError, ValueError):
        pass
    raise TreeRefused(msg("a decision tree in the file has an unreadable {what}", what=msg(what)))


def _array(node: Any, files: Mapping[str, bytes], what: str) -> np.ndarray:
    try:
        if node.get("__loader__") != "NdArrayNode" or node.get("type") != "numpy":
            raise ValueError("not a stored array")
        return np.asarray(np.load(io.BytesIO(files[node["file"]]), allow_pickle=False))
    except (AttributeError, KeyError, TypeError, ValueError, OSError) as err:
        raise TreeRefused(
            msg(
                "a decision tree in the file has an unreadable {what} ({error})",
                what=msg(what),
                error=str(err),
            )
        ) from err


def check_tree(node: Mapping[str, Any], files: Mapping[str, bytes]) -> None:
    """Refuse one tree unless its arrays are consistent (see the module docstring)."""
    try:
        args = node["__reduce__"]["args"]["content"]
        state = node["content"]["content"]
        n_features_node, n_classes_node, n_outputs_node = args
    except (KeyError, TypeError, ValueError) as err:
        raise TreeRefused(
            msg("a decision tree in the file is not stored the way skops stores one")
        ) from err
    n_features = _json_int(n_features_node, N_("input width"))
    n_outputs = _json_int(n_outputs_node, N_("output count"))
    n_classes = _array(n_classes_node, files, N_("class counts"))
    max_depth = _json_int(state.get("max_depth"), N_("depth"))
    node_count = _json_int(state.get("node_count"), N_("node count"))
    nodes = _array(state.get("nodes"), files, N_("node table"))
    values = _array(state.get("values"), files, N_("leaf values"))
    if not 1 <= n_features <= 10_000_000 or not 1 <= n_outputs <= 10_000:
        raise TreeRefused(
            msg("a decision tree in the file has an impossible input or output count")
        )
    if n_classes.shape != (n_outputs,) or n_classes.dtype.kind not in "iu":
        raise TreeRefused(msg("a decision tree in the file has class counts of the wrong shape"))
    if (n_classes < 1).any():
        raise TreeRefused(msg("a decision tree in the file has a class count below 1"))
    if nodes.dtype.names != NODE_FIELDS or nodes.ndim != 1:
        raise TreeRefused(msg("a decision tree in the file has a node table of an unknown layout"))
    if not 1 <= node_count == len(nodes):
        raise TreeRefused(
            msg(
                "a decision tree in the file says it has {n} nodes but stores {stored}",
                n=node_count,
                stored=len(nodes),
            )
        )
    if values.shape != (node_count, n_outputs, int(n_classes.max())):
        raise TreeRefused(msg("a decision tree in the file has leaf values of the wrong shape"))
    if values.dtype.kind != "f" or not np.isfinite(values).all():
        raise TreeRefused(
            msg("a decision tree in the file has leaf values that are not finite numbers")
        )
    left = nodes["left_child"].astype(np.int64)
    right = nodes["right_child"].astype(np.int64)
    index = np.arange(node_count)
    leaf = left == LEAF
    if not np.array_equal(leaf, right == LEAF):
        raise TreeRefused(msg("a decision tree in the file has a node with only one child"))
    inner = ~leaf
    for child in (left, right):
        if ((child[inner] <= index[inner]) | (child[inner] >= node_count)).any():
            raise TreeRefused(
                msg("a decision tree in the file points to nodes outside it or back up the tree")
            )
    seen = np.bincount(np.concatenate([left[inner], right[inner]]), minlength=node_count)
    if seen[0] != 0 or (seen[1:] != 1).any():
        raise TreeRefused(msg("a decision tree in the file is not a tree (a node has two parents)"))
    feature = nodes["feature"].astype(np.int64)
    if ((feature[inner] < 0) | (feature[inner] >= n_features)).any():
        raise TreeRefused(
            msg("a decision tree in the file splits on a feature the model does not have")
        )
    if not np.isfinite(nodes["threshold"][inner]).all():
        raise TreeRefused(
            msg("a decision tree in the file has a split threshold that is not finite")
        )
    depth = np.zeros(node_count, dtype=np.int64)
    for i in np.flatnonzero(inner):  # children come after their parent: one pass is enough
        depth[left[i]] = depth[right[i]] = depth[i] + 1
    if int(depth.max()) != max_depth:
        raise TreeRefused(
            msg(
                "a decision tree in the file says it is {depth} levels deep but is {actual}",
                depth=max_depth,
                actual=int(depth.max()),
            )
        )
