"""Hyperparameters as data (:class:`Param`: range, default, scale, help, when it applies,
what it does to the pictures), and the parameters several algorithms share, declared
once: a spec specialises their wording with :func:`dataclasses.replace`."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mllib.i18n import N_, Message, msg
from mllib.vocab import Task

Kind = Literal["int", "float", "choice", "bool"]
R, C = Task.REGRESSION, Task.CLASSIFICATION
BOTH = frozenset({R, C})


@dataclass(frozen=True)
class Param:
    """One hyperparameter, described well enough to draw its widget and validate its value.

    ``choices`` are ``(label, value)`` pairs. ``specials`` are extra ``(label, value)`` options
    around a numeric range, e.g. ``("unlimited", None)`` for ``max_depth``. ``when`` maps another
    parameter's name to the values under which this one matters (``degree`` only for ``poly``).
    A parameter several algorithms share (``C``, ``alpha``, ``class_weight``) is declared once
    below and specialised with :func:`dataclasses.replace` where its wording differs.
    ``label``, ``help``, ``effect`` and the option labels are English msgids marked with
    ``N_()``; a page shows them through its translator (``tr.text(param.label)``).
    """

    name: str
    label: str
    kind: Kind
    default: Any
    help: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    choices: tuple[tuple[str, Any], ...] = ()
    specials: tuple[tuple[str, Any], ...] = ()
    when: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    tasks: frozenset[Task] = BOTH
    # The number a text special stands for, from facts about the model's input ("columns":
    # input columns after preprocessing), so a slider can place it where it belongs.
    special_values: Callable[[Mapping[str, float]], Mapping[Any, float]] | None = None
    # What changing it does to the pictures on the "See the model" page ("How it works").
    effect: str = ""

    def options(self, facts: Mapping[str, float] | None = None) -> list[Any]:
        """Every value the widget offers, in order (numeric grids include the specials).

        Text specials come first unless ``facts`` let :attr:`special_values` place them
        among the numbers: a slider must grow monotonically (γ "auto" is about 1/columns, so
        it sits between 0.2 and 0.5 for four columns, not before 0.0001).
        """
        if self.kind == "choice":
            return [value for _, value in self.choices]
        if self.kind == "bool":
            return [False, True]
        assert self.low is not None and self.high is not None
        grid: list[Any]
        if self.log:
            grid = log_grid(self.low, self.high)
        elif self.kind == "int":
            grid = list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        else:
            step = self.step or (self.high - self.low) / 100
            count = round((self.high - self.low) / step)
            grid = [round(self.low + i * step, 10) for i in range(count + 1)]
        specials = [value for _, value in self.specials]
        texts = [v for v in specials if isinstance(v, str)]
        rest = [v for v in specials if not isinstance(v, str)]
        if facts is None or self.special_values is None or not texts:
            return texts + grid + rest
        numbers = self.special_values(facts)
        placed: list[Any] = list(grid)
        for text in texts:
            value = numbers.get(text)
            at = (
                0
                if value is None
                else sum(1 for v in placed if isinstance(v, float | int) and v <= value)
            )
            placed.insert(at, text)
        return placed + rest

    def label_of(self, value: Any) -> str:
        for label, v in (*self.choices, *self.specials):
            if v == value and type(v) is type(value):
                return label
        if isinstance(value, bool):  # a toggle reads "on"/"off", not Python's True/False
            return N_("on") if value else N_("off")
        if isinstance(value, float):
            return f"{value:g}"
        return str(value)

    def applies(self, task: Task, values: Mapping[str, Any]) -> bool:
        if task not in self.tasks:
            return False
        return all(values.get(other) in allowed for other, allowed in self.when.items())

    def validate(self, value: Any) -> Any:
        """Return ``value`` if allowed, else raise ``ValueError`` naming the range (its
        argument a :class:`~mllib.i18n.Message`, so a lesson link can say it translated)."""
        label, shown = Message(self.label), repr(value)
        if any(value == v and type(value) is type(v) for _, v in self.specials):
            return value
        if self.kind == "choice":
            if value not in self.options():
                raise ValueError(
                    msg(
                        "{label} must be one of {options}, not {value}",
                        label=label,
                        options=str(self.options()),
                        value=shown,
                    )
                )
            return value
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ValueError(
                    msg("{label} must be true or false, not {value}", label=label, value=shown)
                )
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValueError(msg("{label} must be a number, not {value}", label=label, value=shown))
        assert self.low is not None and self.high is not None
        if not self.low <= value <= self.high:
            raise ValueError(
                msg(
                    "{label} must be between {low} and {high}",
                    label=label,
                    low=f"{self.low:g}",
                    high=f"{self.high:g}",
                )
            )
        if self.kind == "int" and not float(value).is_integer():
            raise ValueError(
                msg("{label} must be a whole number, not {value}", label=label, value=shown)
            )
        return int(value) if self.kind == "int" else float(value)


def log_grid(low: float, high: float) -> list[float]:
    """1-2-5 steps per decade: a slider that spans decades without losing resolution."""
    values: list[float] = []
    exponent = math.floor(math.log10(low))
    while True:
        for mantissa in (1, 2, 5):
            value = float(f"{mantissa}e{exponent}")
            if value > high * (1 + 1e-9):
                return values
            if value >= low * (1 - 1e-9):
                values.append(value)
        exponent += 1


# --- parameters several algorithms share, declared once ---------------------------------------

SOLVER_NOTE = N_(
    "Changes the picture only when the solver stopped early (a warning on the Train page)."
)
MAX_ITER = Param(
    "max_iter",
    N_("Max iterations"),
    "int",
    2000,
    N_("Raise it if the solver reports that it did not converge."),
    low=100,
    high=20000,
    step=100,
    effect=SOLVER_NOTE,
)
ALPHA = Param(
    "alpha",
    N_("Regularisation strength α"),
    "float",
    1.0,
    N_("Larger α shrinks the weights."),
    low=1e-4,
    high=1e3,
    log=True,
)
C_PENALTY = Param(
    "C",
    N_("C (penalty for errors)"),
    "float",
    1.0,
    N_("Large C: fewer training errors, narrower margin."),
    low=1e-3,
    high=1e3,
    log=True,
)
CLASS_WEIGHT = Param(
    "class_weight",
    N_("Class weights"),
    "choice",
    None,
    N_("“balanced” gives rare classes as much total weight as common ones."),
    choices=((N_("equal"), None), (N_("balanced"), "balanced")),
    tasks=frozenset({C}),
    effect=N_(
        "“balanced” moves the boundary into the common class's territory, so the rare "
        "class's coloured region grows; its recall in the confusion matrix rises."
    ),
)
EPSILON = Param(
    "epsilon",
    N_("ε (tube width)"),
    "float",
    0.1,
    N_(
        "Errors smaller than ε (in standard deviations of the target) cost nothing: a wider "
        "tube, fewer support vectors."
    ),
    low=0.0,
    high=2.0,
    step=0.05,
    tasks=frozenset({R}),
)
