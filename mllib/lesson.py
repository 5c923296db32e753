"""Lesson links: a view of Glassbox written into a URL's query, and read back.

A teacher's link names a bundled sample, an algorithm and its settings, the split, the open tab
of "See the model" and a few of its controls (tree depth, axes, threshold…). Opening it on any
Glassbox server rebuilds the same model and picture, without a saved project. ``lesson=1``
turns on lesson mode (no upload, no export) and ``lock`` names settings a class may not move.

Query keys (all owned here; ``project`` belongs to :mod:`ui.persistence`): ``sample``,
``algo``, ``p.<parameter>`` (its value: ``none``, ``true``/``false``, a number or a word),
``seed``, ``test`` (test share in percent), ``tab``, ``w.<control>`` (a JSON value),
``lesson`` and ``lock`` (comma-separated parameter names, or ``algorithm``). A link also
carries the reader's language as ``lang`` (owned by the app's language choice, not by lessons).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mllib.catalogue import CATALOGUE, Param, get_spec
from mllib.errors import GlassboxError
from mllib.i18n import Message, language_of, msg
from mllib.profile import detect_task
from mllib.samples import SAMPLES, load_sample
from mllib.vocab import Task

#: Controls of "See the model" a link may set (widget key → what it is), nothing else.
VIEW_CONTROLS = (
    "tree_depth",
    "tree_row",
    "split_node",
    "boundary_x",
    "boundary_y",
    "show_residuals",
    "coef_units",
    "equation_class",
    "cm_normalise",
    "pd_feature",
    "dual_pair",
    "dual_row",
    "threshold",
)
TABS = ("Model", "Boundary", "Prediction map", "Evaluation", "Importance", "How it works")
OWN_KEYS = ("sample", "algo", "seed", "test", "tab", "lesson", "lock")
LANGUAGE_KEY = "lang"


@dataclass(frozen=True)
class LessonLink:
    """Everything a link fixes. ``params`` are validated values for ``algorithm``."""

    sample: str
    algorithm: str
    params: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    test_pct: int | None = None
    tab: str | None = None
    controls: dict[str, Any] = field(default_factory=dict)
    lesson: bool = False
    locked: tuple[str, ...] = ()
    # the language the link opens in; not part of what the link shows, so not compared
    language: str | None = field(default=None, compare=False)

    @property
    def task(self) -> Task:
        return sample_task(self.sample)


@functools.lru_cache(maxsize=len(SAMPLES))
def sample_task(sample: str) -> Task:
    """The task of a bundled sample, detected from its target column as the Data page does."""
    info = SAMPLES[sample]
    return detect_task(load_sample(sample).frame[info.target]).task


def encode(link: LessonLink) -> dict[str, str]:
    """The query parameters of ``link`` (insertion-ordered, plain text values)."""
    query = {"sample": link.sample, "algo": link.algorithm}
    for name, value in link.params.items():
        query[f"p.{name}"] = _text(value)
    query["seed"] = str(link.seed)
    if link.test_pct is not None:
        query["test"] = str(link.test_pct)
    if link.tab:
        query["tab"] = link.tab
    for name, value in link.controls.items():
        if name in VIEW_CONTROLS and value is not None:
            query[f"w.{name}"] = json.dumps(value, allow_nan=False)
    if link.lesson:
        query["lesson"] = "1"
    if link.locked:
        query["lock"] = ",".join(link.locked)
    if link.language:
        query[LANGUAGE_KEY] = link.language
    return query


def is_link(query: Mapping[str, str]) -> bool:
    """True when the query holds a lesson link (it names a sample and an algorithm)."""
    return "sample" in query and "algo" in query


def decode(query: Mapping[str, str]) -> LessonLink:
    """Read a link back; every value is checked against the samples and the catalogue.

    Raises :class:`GlassboxError` naming the first thing that is wrong.
    """
    sample = str(query.get("sample", ""))
    if sample not in SAMPLES:
        raise GlassboxError(
            msg(
                "This link names a sample “{sample}” that Glassbox does not have.",
                sample=sample[:40],
            ),
            msg("Known samples: {samples}.", samples=", ".join(SAMPLES)),
        )
    algorithm = str(query.get("algo", ""))
    if algorithm not in CATALOGUE:
        raise GlassboxError(
            msg("This link names an unknown algorithm “{algorithm}”.", algorithm=algorithm[:40])
        )
    spec = get_spec(algorithm)
    task = sample_task(sample)
    if task not in spec.tasks:
        raise GlassboxError(
            msg(
                "{name} does not do {value}, which this sample needs.",
                name=Message(spec.name),
                value=Message(task.value),
            )
        )
    params = {p.name: p for p in spec.params_for(task)}
    raw: dict[str, Any] = {}
    for key, text in query.items():
        if not key.startswith("p."):
            continue
        name = key[2:]
        if name not in params:
            raise GlassboxError(
                msg(
                    "{algorithm} has no setting “{name}”.",
                    algorithm=Message(spec.name),
                    name=name[:40],
                )
            )
        raw[name] = parse_value(params[name], str(text))
    try:
        values = spec.clean(task, raw)
    except ValueError as err:
        said = err.args[0] if err.args and isinstance(err.args[0], Message) else str(err)
        raise GlassboxError(msg("This link's settings are not valid: {err}.", err=said)) from err
    controls = {}
    for key, text in query.items():
        if key.startswith("w.") and key[2:] in VIEW_CONTROLS:
            try:
                controls[key[2:]] = json.loads(str(text))
            except json.JSONDecodeError as err:
                raise GlassboxError(msg("This link's “{key}” is not readable.", key=key)) from err
    tab = query.get("tab")
    if tab is not None and tab not in TABS:
        raise GlassboxError(msg("This link opens an unknown tab “{value}”.", value=str(tab)[:40]))
    locked = tuple(n for n in str(query.get("lock", "")).split(",") if n)
    unknown = [n for n in locked if n not in params and n != "algorithm"]
    if unknown:
        raise GlassboxError(
            msg("This link locks unknown settings: {value}.", value=", ".join(unknown)[:80])
        )
    return LessonLink(
        sample,
        algorithm,
        values,
        _int(query.get("seed", "0"), "seed", 0, 10_000),
        _int(query["test"], "test", 5, 50) if "test" in query else None,
        tab,
        controls,
        str(query.get("lesson", "")) in ("1", "true", "yes"),
        locked,
        language_of(query.get(LANGUAGE_KEY)),
    )


def parse_value(param: Param, text: str) -> Any:
    """A parameter value from its link text, matched against what the parameter accepts."""
    lowered = text.strip().lower()
    for _, value in (*param.choices, *param.specials):
        if _text(value).lower() == lowered:
            return value
    if param.kind == "bool":
        if lowered in ("true", "false"):
            return lowered == "true"
        raise GlassboxError(
            msg("“{label}” must be true or false in a link.", label=Message(param.label))
        )
    if param.kind in ("int", "float"):
        try:
            number = float(lowered)
        except ValueError:
            raise GlassboxError(
                msg("“{label}” must be a number in a link.", label=Message(param.label))
            ) from None
        if not math.isfinite(number):
            raise GlassboxError(
                msg("“{label}” must be a finite number in a link.", label=Message(param.label))
            )
        return int(number) if param.kind == "int" and number.is_integer() else number
    raise GlassboxError(
        msg("“{label}” has no option “{text}”.", label=Message(param.label), text=text[:40])
    )


def _text(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    return str(value)


def _int(text: Any, name: str, low: int, high: int) -> int:
    try:
        value = int(str(text))
    except ValueError:
        raise GlassboxError(
            msg("This link's “{name}” must be a whole number.", name=name)
        ) from None
    if not low <= value <= high:
        raise GlassboxError(
            msg(
                "This link's “{name}” must be between {low} and {high}.",
                name=name,
                low=low,
                high=high,
            )
        )
    return value
