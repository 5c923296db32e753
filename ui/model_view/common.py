"""What the See-the-model tabs share: the View, caches by training key, chart and table helpers."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from mllib import explain, ols
from mllib.explain import Boundary, ModelData
from mllib.training import TrainedModel
from ui import i18n
from ui.i18n import _


@dataclass(frozen=True)
class View:
    """What every tab needs: the model, its rows and the cache key that names them."""

    model: TrainedModel
    data: ModelData
    key: str

    @property
    def classes(self) -> list[str] | None:
        return None if self.model.classes is None else [str(c) for c in self.model.classes]

    @property
    def target(self) -> str:
        return self.model.config.target


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_boundary(key: str, x: str, y: str, fixed: str, _view: View) -> Boundary:
    return explain.decision_boundary(
        _view.model, _view.data.X_train, _view.data.y_train, x, y, json.loads(fixed)
    )


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_path(key: str, _view: View) -> tuple[pd.DataFrame, str]:
    return explain.coefficient_path(_view.model, _view.data.X_train, _view.data.y_train)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_linear(key: str, _view: View) -> explain.LinearFit:
    return explain.linear_fit(_view.model, _view.data.X_train)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_inference(key: str, _view: View) -> ols.OLSInference:
    return ols.model_inference(_view.model, _view.data)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_permutation(key: str, _view: View) -> tuple[pd.DataFrame, int]:
    return explain.permutation_table(_view.model, _view.data.X_test, _view.data.y_test)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def cached_dependence(key: str, feature: str, _view: View) -> tuple[pd.DataFrame, int]:
    return explain.partial_dependence_table(_view.model, _view.data.X_train, feature)


@st.cache_resource(max_entries=8, ttl=3600, show_spinner=False)
def cached_tree(key: str, _view: View) -> pd.DataFrame:
    return explain.tree_table(_view.model)


@st.cache_data(max_entries=16, ttl=3600, show_spinner=False)
def cached_curve(key: str, _view: View) -> explain.CurveView:
    return explain.curve_view(_view.model, _view.data)


def chart(figure: Any) -> None:
    st.altair_chart(figure, width="stretch")


def rare_named(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """Feature labels with scikit-learn's group of infrequent categories ("region = a rare
    category", see :data:`explain.RARE_CATEGORY`) named in the reader's language."""
    shown = i18n.text(explain.RARE_CATEGORY)
    if shown == explain.RARE_CATEGORY:
        return frame
    return frame.assign(
        **{c: frame[c].map(lambda v: str(v).replace(explain.RARE_CATEGORY, shown)) for c in columns}
    )


def fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals as the reader's locale writes it; "nan" when undefined
    (precision with no row predicted positive)."""
    return i18n.tr().number(value, digits) if math.isfinite(value) else "nan"


def sentences(*parts: str) -> str:
    """Sentences one after another: a space between them in English, none in Chinese."""
    shown = [p for p in parts if p]
    text = shown[0] if shown else ""
    for part in shown[1:]:
        text = _("{sentence} {next}", sentence=text, next=part)
    return text


def table(
    frame: pd.DataFrame | Any,
    names: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    **kwargs: Any,
) -> None:
    """A table whose column names are Glassbox's words, shown in the reader's language (``names``
    gives the headers that hold data, such as a feature's name); ``formats`` and a
    ``column_config`` are keyed by the English names."""
    tr = i18n.tr()
    headers = {str(c): tr.text(str(c)) for c in frame.columns}
    headers.update(names or {})
    shown = frame.rename(columns=headers)
    if "column_config" in kwargs:
        kwargs["column_config"] = {headers[k]: v for k, v in kwargs["column_config"].items()}
    if formats:
        shown = shown.style.format({headers[k]: v for k, v in formats.items()})
    st.dataframe(shown, hide_index=True, **kwargs)
