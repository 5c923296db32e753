"""Formulas with the model's own numbers in, as KaTeX: an equation, a split's gain."""

from __future__ import annotations

from mllib.charts.text import count_text
from mllib.explain import LinearFit
from mllib.i18n import DEFAULT, N_, Translator, translator
from mllib.splits import Criterion, SplitNumbers

#: The criterion words a formula writes in \text{…} (mllib.splits.CRITERIA's impurity, gain and
#: unit), marked here for extraction; the formula shows them in the reader's language.
FORMULA_WORDS = (
    N_("Gini impurity"),
    N_("Gini decrease"),
    N_("entropy"),
    N_("information gain"),
    N_("bits"),
    N_("variance"),
    N_("variance reduction"),
    N_("mean absolute deviation"),
    N_("absolute error reduction"),
    N_("Poisson deviance"),
    N_("deviance reduction"),
)


def equation_latex(
    fit: LinearFit, output: str, max_terms: int = 8, tr: Translator | None = None
) -> tuple[str, str]:
    """The fitted equation in LaTeX with real weights, largest (per SD) first.

    Returns (latex, note); the note (in ``tr``'s language) says how many smaller terms were
    left out. Feature, target and class names are data and stay as they are.
    """
    tr = tr or translator(DEFAULT)
    rows = fit.table[fit.table["output"] == output]
    rows = rows.reindex(rows["standardised"].abs().sort_values(ascending=False).index)
    # "+ …" standing for one term hides as much as it saves: only cut two or more
    shown = rows if len(rows) <= max_terms + 1 else rows.head(max_terms)
    if fit.kind == "value":
        left = _tex_text(fit.target)
    elif fit.kind == "log-odds":
        left = (
            rf"\log\dfrac{{P({_tex_text(output)})}}{{1 - P({_tex_text(output)})}}"
            if len(fit.intercepts) == 1
            else rf"z_{{{_tex_text(output)}}}"
        )
    else:
        left = rf"f_{{{_tex_text(output)}}}(x)"
    terms = [_number(fit.intercepts[output], first=True)]
    widths = [len(terms[0])]
    for _, row in shown.iterrows():
        number, name = _number(row["raw"]), _term_name(row["label"])
        terms.append(rf"{number}\,{_tex_text(name)}")
        widths.append(len(number) + 1 + len(name))
    left_out = len(rows) - len(shown)
    if left_out:
        terms.append(r"+ \dots")
        widths.append(3)
    body = r" \\ & ".join(_lines(terms, widths, _left_width(fit, output)))
    latex = rf"\begin{{aligned}} {left} = {{}} & {body} \end{{aligned}}"
    note = (
        tr("{n} smaller term(s) not shown; the chart below lists every weight.", n=left_out)
        if left_out
        else ""
    )
    return latex, note


#: Characters an equation line may hold (its left side included) before it is clipped in the
#: page's column: star98's long names put 84 on a line, and the last term was cut off.
LINE_CHARS = 70


def _left_width(fit: LinearFit, output: str) -> int:
    """About how many characters wide the equation's left side is drawn."""
    if fit.kind == "value":
        return len(str(fit.target)) + 3
    if fit.kind == "log-odds" and len(fit.intercepts) == 1:
        return len(str(output)) + 12  # log of a stacked fraction: P(output) over 1 - P(output)
    return len(str(output)) + 6


def _lines(terms: list[str], widths: list[int], left: int) -> list[str]:
    """The terms, at most three to a line and within :data:`LINE_CHARS` (at least one each)."""
    lines: list[list[str]] = [[]]
    used = left
    for term, width in zip(terms, widths, strict=True):
        if lines[-1] and (len(lines[-1]) == 3 or used + 1 + width > LINE_CHARS):
            lines.append([])
            used = left
        lines[-1].append(term)
        used += 1 + width
    return [" ".join(line) for line in lines]


def _term_name(label: str) -> str:
    return f"[{label}]" if " = " in label else label


def _number(value: float, first: bool = False) -> str:
    text = f"{abs(value):.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \times 10^{{{int(exponent)}}}"
    if first:
        return f"-{text}" if value < 0 else text
    return f"- {text}" if value < 0 else f"+ {text}"


def split_latex(
    numbers: SplitNumbers, words: Criterion, max_terms: int = 6, tr: Translator | None = None
) -> str:
    """One split's gain with its numbers filled in (KaTeX ``aligned``): each node's impurity
    from its class counts (Gini or entropy), then gain = parent − weighted children. The words
    inside the formula's text parts are in ``tr``'s language; the math symbols stay."""
    tr = tr or translator(DEFAULT)
    yes, no = _tex_words(tr("yes")), _tex_words(tr("no"))
    left = (numbers.n_left, numbers.left, 1)
    right = (numbers.n_right, numbers.right, 2)
    (n_yes, i_yes, k_yes), (n_no, i_no, k_no) = (
        (left, right) if numbers.yes_is_left else (right, left)
    )
    symbol = {"Gini impurity": "G", "entropy": "H", "variance": r"\operatorname{Var}"}.get(
        words.impurity, "I"
    )
    lines = []
    if numbers.counts and symbol in ("G", "H"):
        for name, k, value in (
            ("D", 0, numbers.parent),
            (rf"D_\text{{{yes}}}", k_yes, i_yes),
            (rf"D_\text{{{no}}}", k_no, i_no),
        ):
            lines.append(_impurity_line(symbol, name, numbers.counts[k], value, max_terms))
    unit = rf"\ \text{{{_tex_words(tr.text(words.unit))}}}" if words.unit else ""
    total = count_text(numbers.n)
    gain = _tex_words(tr.text(words.gain))
    lines.append(
        rf"\text{{{gain}}} &= {symbol}(D) - \Big(\tfrac{{|D_\text{{{yes}}}|}}{{|D|}}"
        rf"\,{symbol}(D_\text{{{yes}}}) + \tfrac{{|D_\text{{{no}}}|}}{{|D|}}"
        rf"\,{symbol}(D_\text{{{no}}})\Big) \\"
    )
    lines.append(
        rf"&= {latex_number(numbers.parent)} - "
        rf"\Big(\tfrac{{{count_text(n_yes)}}}{{{total}}} \cdot {latex_number(i_yes)} + "
        rf"\tfrac{{{count_text(n_no)}}}{{{total}}} \cdot {latex_number(i_no)}\Big) \\"
    )
    lines.append(rf"&= \mathbf{{{latex_number(numbers.gain)}}}{unit}")  # own line: fits 800 px
    if symbol == "I":
        lines.insert(0, rf"&\text{{I = {_tex_words(tr.text(words.impurity))}}} \\")
    return r"\begin{aligned}" + "\n".join(lines) + r"\end{aligned}"


def _impurity_line(
    symbol: str, name: str, counts: tuple[float, ...], value: float, max_terms: int
) -> str:
    total = sum(counts)
    present = [c for c in counts if c > 0]
    shown = present[:max_terms]
    more = r" + \dots" if len(present) > len(shown) else ""
    fractions = [rf"\tfrac{{{count_text(c)}}}{{{count_text(total)}}}" for c in shown]
    if symbol == "H":
        terms = " + ".join(rf"{f} \log_2 {f}" for f in fractions)
        body = rf"-\big({terms}{more}\big)"
    else:
        terms = " + ".join(rf"\big({f}\big)^2" for f in fractions)
        body = rf"1 - \big({terms}{more}\big)"
    return rf"{symbol}({name}) &= {body} = {latex_number(value)} \\"


def latex_number(value: float) -> str:
    """Numbers in formulas: four significant digits, 0 for (rounding-level) zero."""
    if abs(value) < 5e-13:
        return "0"
    text = f"{value:.4g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


def _tex_text(text: str) -> str:
    return rf"\text{{{_tex_words(text)}}}"


def _tex_words(text: str) -> str:
    """``text`` escaped for the inside of a LaTeX text part (``text`` command)."""
    escaped = str(text)
    for char, repl in (
        ("\\", r"\textbackslash "),
        ("{", r"\{"),
        ("}", r"\}"),
        ("_", r"\_"),
        ("#", r"\#"),
        ("$", r"\$"),
        ("%", r"\%"),
        ("&", r"\&"),
        ("^", r"\^{}"),
        ("~", r"\~{}"),
    ):
        escaped = escaped.replace(char, repl)
    return escaped
