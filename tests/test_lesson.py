"""Lesson links: encoded and decoded without loss, and every bad value refused with a reason."""

from __future__ import annotations

import pytest

from mllib import lesson
from mllib.catalogue import CATALOGUE
from mllib.errors import GlassboxError
from mllib.lesson import LessonLink
from mllib.profile import Task
from mllib.samples import SAMPLES


def test_round_trip_of_every_algorithm_with_non_default_settings() -> None:
    for spec in CATALOGUE.values():
        for sample in SAMPLES:
            task = lesson.sample_task(sample)
            if task not in spec.tasks:
                continue
            values = {}
            for param in spec.params_for(task):
                options = param.options()
                values[param.name] = options[-1] if options[-1] != param.default else options[0]
            link = LessonLink(
                sample,
                spec.key,
                spec.clean(task, values),
                seed=7,
                test_pct=30,
                tab="Evaluation",
                controls={"tree_depth": 2, "boundary_x": "x1", "show_residuals": True},
                lesson=True,
                locked=("algorithm", spec.params_for(task)[0].name)
                if spec.params_for(task)
                else ("algorithm",),
            )
            assert lesson.decode(lesson.encode(link)) == link, (spec.key, sample)


def test_special_values_read_back_exactly() -> None:
    query = {"sample": "iris", "algo": "tree", "p.max_depth": "none", "p.max_features": "sqrt"}
    link = lesson.decode(query)
    assert link.params["max_depth"] is None and link.params["max_features"] == "sqrt"
    svm = lesson.decode({"sample": "moons", "algo": "svm", "p.gamma": "scale", "p.C": "10"})
    assert svm.params["gamma"] == "scale" and svm.params["C"] == 10.0
    assert lesson.sample_task("diabetes") == Task.REGRESSION
    assert lesson.sample_task("iris") == Task.CLASSIFICATION


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"sample": "nope", "algo": "tree"}, "sample"),
        ({"sample": "iris", "algo": "nope"}, "unknown algorithm"),
        ({"sample": "iris", "algo": "lasso"}, "does not do classification"),
        ({"sample": "iris", "algo": "tree", "p.depth": "3"}, "no setting"),
        ({"sample": "iris", "algo": "tree", "p.max_depth": "99"}, "between"),
        ({"sample": "iris", "algo": "tree", "p.max_depth": "deep"}, "number"),
        ({"sample": "iris", "algo": "svm", "p.C": "nan"}, "finite"),
        ({"sample": "iris", "algo": "svm", "p.kernel": "magic"}, "no option"),
        ({"sample": "iris", "algo": "tree", "tab": "Secrets"}, "tab"),
        ({"sample": "iris", "algo": "tree", "seed": "x"}, "whole number"),
        ({"sample": "iris", "algo": "tree", "test": "90"}, "between"),
        ({"sample": "iris", "algo": "tree", "lock": "everything"}, "locks unknown"),
        ({"sample": "iris", "algo": "tree", "w.tree_depth": "{"}, "not readable"),
    ],
)
def test_bad_links_are_refused_with_a_reason(query: dict[str, str], message: str) -> None:
    with pytest.raises(GlassboxError, match=message):
        lesson.decode(query)


def test_only_known_view_controls_travel() -> None:
    link = lesson.decode(
        {"sample": "iris", "algo": "tree", "w.tree_depth": "2", "w.secret": "1", "project": "x"}
    )
    assert link.controls == {"tree_depth": 2}
    assert not lesson.is_link({"project": "abc"})
