"""Tables as people read them: headers, codes, yes/no, dates and numbers in the user's language.

The same table goes to the screen, the exports and the command line, so a
column reads the same everywhere: :func:`readable` turns codes into words and
column names into headers, :func:`number_formats` gives each numeric column its
display format, and :func:`styled` applies both for ``st.dataframe``.

>>> import pandas as pd
>>> frame = pd.DataFrame({"household_id": ["H1"], "poor": [True], "resettlement_status": ["resettled"],
...                       "resettlement_date": ["2024-03-05"], "members": [5]})
>>> readable(frame).iloc[0].to_dict()
{'Mã hộ': 'H1', 'Hộ nghèo': 'Có', 'Tình trạng di dời': 'Đã di dời', 'Ngày di dời': '05/03/2024', 'Số khẩu': 5}
>>> list(readable(frame, "en").columns)
['Household id', 'Poor', 'Resettlement status', 'Resettlement date', 'Members']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from geo.i18n import TEXT, fmt_date, fmt_number, header, t

__all__ = ["CODE_COLUMNS", "BOOLEAN_COLUMNS", "DATE_COLUMNS", "readable", "in_words", "number_formats",
           "styled", "record_card", "markdown_text"]

#: Columns holding codes, and the i18n key of each code (``{}`` is the code).
CODE_COLUMNS: dict[str, str] = {
    "status": "{}",
    "resettlement_status": "{}",
    "old_status": "{}",
    "new_status": "{}",
    "expected_status": "{}",
    "resettlement_form": "{}",
    "form": "{}",
    "hazard_type": "{}",
    "impact_level": "level_{}",
    "status_before": "{}",
    "status_after": "{}",
    "change": "{}",
    "role": "role_{}",
    "kind": "kind_{}",
    "assignment": "assign_{}",
    "outcome": "outcome_{}",
    "reason": "reason_{}",  # why a household of a plan proposal is not placed (geo.placement)
}
#: Columns holding yes/no.
BOOLEAN_COLUMNS = ("poor", "scattered", "dtts", "mismatch", "official", "present", "within_target", "safe")
#: Columns holding dates (shown dd/mm/yyyy) and times (dd/mm/yyyy hh:mm).
DATE_COLUMNS = ("resettlement_date", "created_at", "imported_at", "changed_at")
#: Numeric columns shown as whole numbers without a thousands separator.
_PLAIN_INTEGERS = ("year", "value_year", "version")


def in_words(column: str, values: pd.Series, lang: str = "vi") -> pd.Series:
    """The values of one column as a user reads them (codes, yes/no and dates in words).

    >>> import pandas as pd
    >>> in_words("hazard_type", pd.Series(["landslide", "mudflow", None]), "en").tolist()
    ['Landslide', 'mudflow', '–']
    """
    if column in CODE_COLUMNS:
        pattern = CODE_COLUMNS[column]
        words = {code: (t(pattern.format(code), lang) if pattern.format(code) in TEXT else str(code))
                 for code in values.dropna().unique()}
        return values.map(words).astype(object).where(values.notna(), "–")
    if column in BOOLEAN_COLUMNS:
        truth = _truths(values)
        return truth.map({True: t("yes", lang), False: t("no", lang)}).astype(object).where(truth.notna(), "–")
    if column in DATE_COLUMNS:
        if pd.api.types.is_datetime64_any_dtype(values):  # the whole column at once, as fmt_date writes each
            text = values.dt.strftime("%d/%m/%Y %H:%M" if column.endswith("_at") else "%d/%m/%Y")
            return text.astype(object).where(values.notna(), "–")
        return values.map(lambda v: fmt_date(v, lang, time=column.endswith("_at")))
    if column == "communes":
        return values.map(lambda v: t("all", lang) if v in ("*", None) or pd.isna(v) else str(v).replace(";", ", "))
    return values


#: How a yes/no column's texts are read (case and surrounding spaces aside).
_YES, _NO = ("true", "1", "yes", "có"), ("false", "0", "no", "không")


def _truths(values: pd.Series) -> pd.Series:
    """Each value as True, False or None (unknown), as :func:`_truth` reads it; whole columns of booleans,
    numbers or texts at once.

    >>> _truths(pd.Series(["Có", " no ", "1", "?", None])).tolist(), _truths(pd.Series([2.0, 0, None])).tolist()
    ([True, False, True, None, None], [True, False, None])
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "boolean":
        return values.astype(object).where(values.notna(), None)
    if kind in ("integer", "floating", "mixed-integer-float") and pd.api.types.is_numeric_dtype(values.dtype):
        return (values != 0).astype(object).where(values.notna(), None)
    if kind == "string":
        text = values.astype("string").str.strip().str.lower()
        out = pd.Series(np.full(len(values), None, dtype=object), index=values.index)
        out[text.isin(_YES).fillna(False).to_numpy(bool)] = True
        out[text.isin(_NO).fillna(False).to_numpy(bool)] = False
        return out
    return values.map(_truth).astype(object).where(lambda v: v.notna(), None)


def _truth(value: object) -> bool | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in _YES else False if text in _NO else None
    return bool(value)


def readable(frame: pd.DataFrame, lang: str = "vi", keep: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with codes in words and headers in ``lang`` (geometry dropped; numbers stay numbers).

    ``keep`` renames columns with headers of the caller's own (e.g. a commune name column).
    """
    columns = {}  # built whole (inserting columns one by one copies the frame each time); a header met twice: the last
    for column in frame.columns:
        if column != "geometry" and not str(column).startswith("_"):
            columns[(keep or {}).get(column) or header(str(column), lang)] = in_words(str(column), frame[column], lang)
    return pd.DataFrame(columns, index=frame.index)


def number_formats(frame: pd.DataFrame, lang: str = "vi", digits: Mapping[str, int] | None = None,
                   default_digits: int = 1) -> dict[str, Callable[[object], str]]:
    """A display function per numeric column: years plain, counts grouped, others at ``digits``.

    >>> import pandas as pd
    >>> f = number_formats(pd.DataFrame({"Năm": [2020], "Giá trị": [46.4876], "Số hộ": [9178]}),
    ...                    digits={"Số hộ": 0})
    >>> f["Năm"](2020), f["Giá trị"](46.4876), f["Số hộ"](9178)
    ('2020', '46,5', '9.178')
    """
    plain = {header(c, lang) for c in _PLAIN_INTEGERS} | set(_PLAIN_INTEGERS)
    out: dict[str, Callable[[object], str]] = {}
    for column in frame.columns:
        series = frame[column]
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        if column in plain:
            out[column] = lambda v: "–" if pd.isna(v) else str(int(v))
            continue
        whole = pd.api.types.is_integer_dtype(series)
        n = (digits or {}).get(column, 0 if whole else default_digits)
        out[column] = lambda v, n=n: fmt_number(v, n, lang)
    return out


def styled(frame: pd.DataFrame, lang: str = "vi", digits: Mapping[str, int] | None = None,
           default_digits: int = 1) -> pd.DataFrame | Styler:
    """A :func:`readable` table for a data grid: numbers in ``lang``'s format, "–" when missing.

    Complete numeric columns stay numbers (sorted as numbers, shown formatted by
    a Styler); a numeric column with gaps becomes its formatted text, since a
    grid shows a missing number as "None" whatever the format says. Columns that
    read the same in every language (small whole numbers, years) are left alone,
    and a table too large for a Styler gets its formatted columns as text.

    >>> import pandas as pd
    >>> table = styled(pd.DataFrame({"Giá trị": [46.4876, None], "Số hộ": [9178, 12], "Xã": ["A", None]}))
    >>> table.data.to_dict("list")
    {'Giá trị': ['46,5', '–'], 'Số hộ': [9178, 12], 'Xã': ['A', '–']}
    >>> table.to_html().count("9.178")
    1
    >>> type(styled(pd.DataFrame({"Số khẩu": [5, 7]}))).__name__  # nothing to format: the frame itself
    'DataFrame'
    """
    plain = {header(c, lang) for c in _PLAIN_INTEGERS} | set(_PLAIN_INTEGERS)
    formats = {c: f for c, f in number_formats(frame, lang, digits, default_digits).items()
               if c not in plain and (pd.api.types.is_float_dtype(frame[c]) or frame[c].abs().max() >= 1000)}
    as_text = [c for c in formats if frame[c].isna().any()]
    if frame.size > pd.get_option("styler.render.max_elements"):
        as_text = list(formats)
    out = frame.assign(**{c: frame[c].map(formats[c]) for c in as_text})
    text = out.select_dtypes(include=["object", "string"]).columns
    out[text] = out[text].astype(object).where(out[text].notna(), "–")
    rest = {c: f for c, f in formats.items() if c not in as_text}
    return out.style.format(rest, na_rep="–") if rest else out


def record_card(record: pd.Series, lang: str = "vi", names: Mapping[str, str] | None = None) -> str:
    """One record as labelled Markdown lines (codes in words, dates dd/mm/yyyy, "–" when missing).

    ``names`` gives commune names for the commune-code fields.

    >>> import pandas as pd
    >>> print(record_card(pd.Series({"household_id": "H1", "poor": False, "members": 5.0, "ma_xa": "01267"}),
    ...                   names={"01267": "Sông Hiến"}))
    **Mã hộ**: H1  
    **Hộ nghèo**: Không  
    **Số khẩu**: 5  
    **Mã xã**: Sông Hiến (01267)
    """
    lines = []
    for column, value in record.items():
        if column == "geometry":
            continue
        text = in_words(str(column), pd.Series([value], dtype=object), lang).iloc[0]
        if text is value and isinstance(value, (int, float)) and not isinstance(value, bool):
            digits = 0 if float(value).is_integer() else 1
            text = fmt_number(value, digits, lang)
        elif str(column).startswith("ma_xa") and names and value in names:
            text = f"{names[value]} ({value})"
        elif text is None or (not isinstance(text, str) and pd.isna(text)):
            text = "–"
        lines.append(f"**{header(str(column), lang)}**: {markdown_text(str(text))}")
    return "  \n".join(lines)


def markdown_text(text: object) -> str:
    r"""Text from a file for a Markdown element: its special characters escaped, so it is shown as typed.

    >>> print(markdown_text("[bấm](http://x) *đậm* <b>"))
    \[bấm\](http://x) \*đậm\* \<b\>
    """
    text = " ".join(str(text).splitlines())  # one line: a newline in a name never starts a heading or list
    return "".join("\\" + c if c in "\\`*_[]<>#|~$" else c for c in text)
