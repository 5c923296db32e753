"""The How it works tab: the algorithm explained, its formula and what each setting does."""

from __future__ import annotations

import re

import streamlit as st

from mllib.i18n import N_, Translator
from ui import i18n
from ui.i18n import _
from ui.model_view.common import View

#: The words of the catalogue's formulas (inside ``\text{}``), translated where shown.
FORMULA_WORDS = (N_("margin"), N_("gain"), N_("gini"))


def formula_words(latex: str, tr: Translator) -> str:
    r"""A formula with the words inside its ``\text{…}`` in ``tr``'s language (symbols stay)."""
    return re.sub(r"\\text\{([^{}]*)\}", lambda m: rf"\text{{{tr.text(m.group(1))}}}", latex)


def how_tab(view: View) -> None:
    tr = i18n.tr()
    model = view.model
    spec = model.spec
    st.subheader(_("How it works: {algorithm}", algorithm=tr.text(spec.name)))
    st.markdown(tr.text(spec.explanation))
    if spec.formula:
        st.latex(formula_words(spec.formula, tr))
    params = [p for p in spec.params_for(model.task) if p.name in model.config.param_dict]
    if params:
        st.markdown(_("**What each setting does to the pictures**"))
        for param in params:
            current = tr.text(param.label_of(model.config.param_dict[param.name]))
            text = tr.text(param.effect or param.help)
            st.markdown(
                _(
                    "- **{setting}** (now {value}): {effect}",
                    setting=tr.text(param.label),
                    value=current,
                    effect=text,
                )
            )
    else:
        st.caption(_("This algorithm has no settings: what you see is the single best fit."))
    st.page_link(
        "pages/train.py",
        label=_("Change the settings on the Train page"),
        icon=":material/model_training:",
    )
