"""Read indicator annexes of government reports ("Biểu", "Phụ lục") into a long table.

Offices send indicators as report annexes rather than tables: title rows, a
header two or three rows deep with merged cells (indicator names over their
year columns), district heading rows, sub-totals, a province total, notes and a
signature block. :func:`read_annex` finds the table on every sheet and returns
an :class:`Annex`: one value per (commune row, indicator column), which column
became which indicator and year, every row it left out with a reason, and the
headers it could not place.

Rules
-----
* **Header**: the first row (of the first 40) with a commune column ("Tên xã",
  "Xã, phường, thị trấn", "Đơn vị", ...) starts it; it goes down as far as the
  left labels are merged, then over the rows whose commune and STT cells are
  empty. A row of column numbers ("A", "B", "1", "(2)", ...) under it is part
  of it. Merged cells are filled with their top-left value. A column's header is
  its levels top to bottom, repeats dropped, joined " / ".
* **Indicator** of a column: a level naming a catalogue id ("Chỉ tiêu 12",
  "CT 3a", "3a") or a level whose words (accents, case, spacing and common
  abbreviations such as DTTS, ĐBKK, BHYT ignored) all belong to one indicator's
  label or wording, the most specific (lowest) level first. Columns with years
  only take the sheet's indicator: its name, else a title row naming an id or
  holding every word of a label. **Year**: a level "2021", "Năm 2021",
  "Ước 2025", "TH 2024", "Dự kiến 2025", else the only year of the title rows
  ("NĂM 2024"; ranges "2021-2025" do not count). **Unit**: a level or trailing
  parenthesis that is a unit ("%", "(triệu đồng/người/năm)", "(hộ)"), else the
  title line "Đơn vị tính: ...", else the most common entry of an "ĐVT" column.
* **Unknown columns**: no indicator, no year, a plan level ("Kế hoạch", "KH",
  "Mục tiêu"), or an (indicator, year) an earlier column of the sheet already
  has. They are listed with the nearest indicator as a suggestion; their values
  are not read. STT, commune, district, ĐVT, "Mã xã" and "Ghi chú" columns are
  not value columns.
* **Rows** below the header: a district heading (roman STT, or "Huyện ...",
  "Thành phố ...") gives the district to the communes under it (a "Huyện"
  column wins when filled); "Cộng huyện X", "Tổng X" (X a district) are
  sub-totals, "Toàn tỉnh", "Tổng cộng", "Tổng số" totals ("Cộng" alone is a
  sub-total once a district heading was seen). The table ends at a note
  ("Ghi chú", "Nguồn", "- ...", "(1) ...") or a signature line ("Người lập
  biểu", "Thủ trưởng đơn vị", "..., ngày ... tháng ... năm ..."): every row after
  it is a note or signature (a signature line counts only where the commune
  cell is empty or is itself that line, so a commune's remark in a "Ghi chú"
  column does not end the table). A row without a commune name is "empty" (or a
  "note" when it holds text). Blank rows above the header are not listed.
* **Values**: "-", "x", "", "…", "KCS" (không có số liệu) and the like are
  missing (no value). Text numbers: "%" and spaces dropped; a comma is the
  decimal mark ("45,2" -> 45.2) and dots before it group thousands
  ("1.234,5" -> 1234.5), except English "1,234.5"; without a comma, dots that
  each precede exactly three digits group thousands ("1.234" -> 1234,
  "12.345.678"), any other dot is a decimal point ("1.5" -> 1.5, "45.25").
  Text that is none of these is kept with value NaN, so the importer can
  reject it with its row.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> book = openpyxl.Workbook()
>>> sheet = book.active
>>> for row in (["UBND TỈNH CAO BẰNG"], ["STT", "Tên xã", "Tỷ lệ hộ nghèo DTTS (%)", None],
...             [None, None, "Năm 2020", "Ước 2025"], [1, "Cốc Pàng", "45,2", "x"], [None, "Toàn tỉnh", 30, 20]):
...     sheet.append(row)
>>> for cells in ("A2:A3", "B2:B3", "C2:D2"):
...     sheet.merge_cells(cells)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "bieu.xlsx"
>>> book.save(path)
>>> annex = read_annex(path)
>>> annex.values[["row", "commune_name", "indicator_id", "year", "value"]].to_numpy().tolist()
[[4, 'Cốc Pàng', '2', 2020, 45.2]]
>>> annex.columns[["column", "indicator_id", "year", "unit"]].to_numpy().tolist()
[['C', '2', 2020, '%'], ['D', '2', 2025, '%']]
>>> annex.skipped[["row", "reason"]].to_numpy().tolist()
[[1, 'title'], [2, 'header'], [3, 'header'], [5, 'total']]
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from rapidfuzz import fuzz, process

from geo.catalogue import Indicator, load_catalogue
from geo.columns import map_columns
from geo.safefiles import check_file
from geo.text import loose_key, nfc, strip_unit_type
from geo.units import communes

__all__ = ["REASONS", "Annex", "read_annex", "parse_numbers"]

#: Why a row was not read as a commune's values.
REASONS = ("title", "header", "district", "subtotal", "total", "signature", "note", "empty")

_HEADER_SEARCH = 40  # rows searched for the header
_MISSING = frozenset({"", "-", "–", "—", "x", "…", "...", "..", "kcs", "k/c", "n/a", "na", "/", "?"})
_COMMUNE_KEYS = frozenset({"xa", "tenxa", "xaphuong", "xaphuongthitran", "tenxaphuongthitran", "xathitran",
                           "donvi", "tendonvi", "donvihanhchinh", "diaban", "tendiaban", "commune"})
_DISTRICT_KEYS = frozenset({"huyen", "tenhuyen", "huyenthanhpho", "huyenthixathanhpho", "huyentp", "district"})
_STT_KEYS = frozenset({"stt", "tt", "sott", "sothutu"})
_UNIT_KEYS = frozenset({"dvt", "donvitinh"})
_OTHER_KEYS = frozenset({"ghichu", "maxa", "maso", "ma", "madonvi"})
_UNIT_WORDS = frozenset({"", "%", "dong", "ho", "nguoi", "xa", "thon", "cap", "km", "km2", "lan", "muc", "luot"})
_UNIT_START = ("trieu", "tr.", "tr ", "nghin", "ngan", "ty dong")
_ABBREVIATIONS = (  # (long form, abbreviation), both as loose keys
    ("dong bao dan toc thieu so", "dtts"), ("dan toc thieu so", "dtts"), ("dac biet kho khan", "dbkk"),
    ("bao hiem y te", "bhyt"), ("trung hoc co so", "thcs"), ("trung hoc pho thong", "thpt"),
    ("hoc sinh", "hs"), ("can bo cong chuc vien chuc", "cbccvc"), ("kinh te xa hoi", "ktxh"),
)
_STOP = frozenset({"ty", "le", "so", "cac", "nhung", "duoc", "co", "cua", "va", "ve", "trong", "tren", "duoi",
                   "nam", "chi", "tieu", "ct", "uoc", "th", "thuc", "hien", "dat", "tai", "o", "voi", "cho",
                   "theo", "tong", "di"})
_ID = re.compile(r"\b(?:chi tieu|ct)\s*(?:so\s*)?(\d{1,2}[a-d]?)\b")
_BARE_ID = re.compile(r"\d{1,2}[a-d]?")
_YEAR = re.compile(r"(?:(?:nam|uoc|uoc th|uoc thuc hien|th|thuc hien|so lieu|du kien|kh|ke hoach|muc tieu)"
                   r"\s*(?:nam\s*)?)?((?:19|20)\d\d)(?:\.0)?")
_PLAN = re.compile(r"\b(?:kh|ke hoach|muc tieu|chi tieu giao)\b")
_RANGE = re.compile(r"(?:19|20)\d\d\s*[-–—]\s*(?:19|20)\d\d")
_UNIT_LINE = re.compile(r"(?:đơn vị tính|đvt)\s*:\s*(.+)", re.IGNORECASE)
_TRAILING_PARENS = re.compile(r"\s*\(([^()]*)\)\s*$")
_NUMBERING = re.compile(r"\(?\s*(?:[a-z]|\d{1,2})\s*\)?")
_ROMAN = re.compile(r"[IVXL]+\.?")
_ROMAN_PREFIX = re.compile(r"^[IVXL]+[.)]?\s+")
_DISTRICT_PREFIX = re.compile(r"^(?:huyen|thanh pho|tp\.?|thi xa|quan)\s+\S")
_TOTAL = re.compile(r"^(?:toan tinh|tong cong|tong so|ca tinh|tinh cao bang|total)\b|^(?:tong|cong)\s*:?$")
_BARE_TOTAL = re.compile(r"^(?:tong|cong)\s*:?$")
_SUBTOTAL_PREFIX = re.compile(r"^(?:tong cong|tong so|cong chung|cong|tong)\s*:?\s*")
_NOTE = re.compile(r"^(?:ghi chu|chu thich|chu y|luu y|nguon|\*|[-+•]\s|\(\d+\)\s|\d+\)\s)")
_SIGNATURE = re.compile(r"^(?:nguoi lap|thu truong|\(ky|ky ten|ky,|t/?m\.?\s|kt\.?\s|giam doc|pho giam doc|chu tich"
                        r"|pho chu tich|truong phong|truong ban|ke toan|xac nhan|noi nhan)"
                        r"|ngay\s*\S*\s*thang\s*\S*\s*nam")


@dataclass
class Annex:
    """What :func:`read_annex` read from a workbook; row numbers and column letters are Excel's."""

    values: pd.DataFrame  # sheet, row, commune_name, district_name (or None), indicator_id, year, value, text
    columns: pd.DataFrame  # sheet, column, header, indicator_id, indicator_label, year, unit
    skipped: pd.DataFrame  # sheet, row, label, reason (one of REASONS)
    unknown_columns: pd.DataFrame  # sheet, column, header, suggestion (indicator id or None)


_VALUES = ["sheet", "row", "commune_name", "district_name", "indicator_id", "year", "value", "text"]
_COLUMNS = ["sheet", "column", "header", "indicator_id", "indicator_label", "year", "unit"]
_SKIPPED = ["sheet", "row", "label", "reason"]
_UNKNOWN = ["sheet", "column", "header", "suggestion"]


def _text(value: object) -> str:
    """A cell as text: "" for empty, integral numbers without ".0", text in NFC."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value))


def _is_unit(text: str) -> bool:
    """"%", "hộ", "triệu đồng/người/năm", "Tr.đ": a unit, not a label or a qualifier such as "ước"."""
    key = loose_key(text)
    return key in _UNIT_WORDS or "%" in key or "/" in key or key.startswith(_UNIT_START)


def _compact(text: str) -> str:
    """Letters and digits of ``text`` without accents, for matching column labels."""
    return re.sub(r"[^a-z0-9]", "", loose_key(text))


def parse_numbers(cells: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read cells as numbers by the module's rules; return (value, missing).

    ``missing`` marks empty cells and no-data markers; ``value`` is NaN there
    and for text that is not a number.

    Examples
    --------
    >>> value, missing = parse_numbers(pd.Series(["45,2%", "1.234", "1.5", "1.234,5", 7, "x", "KCS", "đạt"]))
    >>> value.tolist()[:5], missing.tolist()[5:]
    ([45.2, 1234.0, 1.5, 1234.5, 7.0], [True, True, False])
    """
    numeric = cells.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and v == v)
    raw = cells.map(lambda v: "" if pd.isna(v) else str(v))
    text = raw.str.replace(r"[\s\u00a0%]", "", regex=True)
    missing = ~numeric & text.str.lower().isin(_MISSING)
    english = text.str.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+\.\d+")
    comma = text.str.contains(",", regex=False) & ~english
    thousands = text.str.fullmatch(r"[+-]?\d{1,3}(?:\.\d{3})+")
    plain = text.mask(english, text.str.replace(",", "", regex=False))
    plain = plain.mask(comma, text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    plain = plain.mask(thousands, text.str.replace(".", "", regex=False))
    value = pd.to_numeric(plain.where(~numeric & ~missing), errors="coerce")
    value = value.mask(numeric, pd.to_numeric(cells.where(numeric), errors="coerce"))
    return value.astype(float), missing


class _Matcher:
    """Places header text on a catalogue indicator (see the module's rules)."""

    def __init__(self, catalogue: Mapping[str, Indicator]) -> None:
        self.catalogue = catalogue
        self.names = {k: self.words(ind.name_vi) for k, ind in catalogue.items()}
        self.vocab = {k: self.names[k] | self.words(ind.text_vi) for k, ind in catalogue.items()}

    @staticmethod
    def words(text: str) -> set[str]:
        """Content words of ``text``: loose keys, abbreviations applied, stop words and numbers left out."""
        key = " " + re.sub(r"[^a-z0-9]+", " ", loose_key(_TRAILING_PARENS.sub("", text))) + " "
        for long, short in _ABBREVIATIONS:
            key = key.replace(f" {long} ", f" {short} ")
        return {w for w in key.split() if w not in _STOP and not w.isdigit()}

    def _covered(self, word: str, vocab: set[str]) -> bool:
        return word in vocab or (len(word) >= 5 and process.extractOne(word, vocab, scorer=fuzz.ratio,
                                                                       score_cutoff=85) is not None)

    def by_id(self, text: str) -> tuple[str | None, str | None] | None:
        """(id, id) when ``text`` names a catalogue id, (None, nearest id) for an id not in it, else None."""
        key = loose_key(text)
        found = _ID.search(key)
        ident = found.group(1) if found else (key if _BARE_ID.fullmatch(key) else None)
        if ident is None:
            return None
        if ident in self.catalogue:
            return ident, ident
        near = [k for k in self.catalogue if k.rstrip("abcd") == ident.rstrip("abcd")]
        return None, (near[0] if near else None)

    def match(self, text: str, title: bool = False) -> tuple[str | None, str | None]:
        """(indicator id or None, suggestion or None) for a header level or, with ``title``, a title line.

        A header's words must all belong to one indicator's label or wording and cover half its
        label; a title must hold every word of a label. When several fit, the one whose label is
        covered most wins; a tie is no match.
        """
        by_id = self.by_id(text)
        if by_id is not None:
            return by_id
        words = self.words(text)
        if not words:
            return None, None
        scores = []
        for ident, name in self.names.items():
            share = len(name & words) / max(len(name), 1)
            fits = share == 1 if title else (share >= 0.5 and all(self._covered(w, self.vocab[ident]) for w in words))
            ratio = fuzz.token_sort_ratio(" ".join(sorted(words)), " ".join(sorted(name)))
            scores.append((fits, share, ratio, ident))
        scores.sort(reverse=True)
        fitting = [s for s in scores if s[0]]
        if fitting and (len(fitting) == 1 or fitting[1][1] < fitting[0][1]):
            return fitting[0][3], fitting[0][3]
        best = scores[0]
        return None, (best[3] if best[1] >= 0.5 or best[2] >= 60 else None)


def _grid(sheet) -> tuple[pd.DataFrame, list[tuple[int, int, int, int]]]:
    """The sheet's cells (index: Excel rows, columns: 1-based numbers), merged ranges filled."""
    rows = list(sheet.iter_rows(min_row=1, min_col=1, max_row=max(sheet.max_row, 1),
                                max_col=max(sheet.max_column, 1), values_only=True))
    grid = pd.DataFrame(rows, dtype=object)
    grid.index = np.arange(1, len(grid) + 1)
    grid.columns = np.arange(1, grid.shape[1] + 1)
    merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges]
    for r0, c0, r1, c1 in merged:
        grid.loc[r0:r1, c0:c1] = grid.at[r0, c0]
    filled = grid.map(lambda v: v is not None and not (isinstance(v, str) and not v.strip()))
    last = filled.any(axis=1)
    return grid.loc[: last[last].index.max() if last.any() else 0], merged


def _row_texts(grid: pd.DataFrame, row: int) -> list[str]:
    """Non-empty texts of a row, left to right, a merged value once."""
    out: list[str] = []
    for value in grid.loc[row]:
        text = _text(value)
        if text and (not out or out[-1] != text):
            out.append(text)
    return out


def _header_top(grid: pd.DataFrame) -> tuple[int, int] | None:
    """(row, column) of the first commune-column label."""
    for row in grid.index[:_HEADER_SEARCH]:
        for column, value in grid.loc[row].items():
            if isinstance(value, str) and _compact(value) in _COMMUNE_KEYS:
                return row, column
    return None


def _is_numbering(grid: pd.DataFrame, row: int) -> bool:
    texts = [loose_key(_text(v)) for v in grid.loc[row] if _text(v)]
    return len(texts) >= 2 and all(_NUMBERING.fullmatch(t) for t in texts)


@dataclass
class _Column:
    number: int
    header: str
    indicator_id: str | None = None
    year: int | None = None
    unit: str | None = None
    suggestion: str | None = None


class _Sheet:
    """One sheet's table: where its header is, what its columns are, what its rows are."""

    def __init__(self, name: str, grid: pd.DataFrame, merged: list[tuple[int, int, int, int]],
                 matcher: _Matcher, districts: set[str]) -> None:
        self.name, self.grid, self.matcher, self.districts = name, grid, matcher, districts
        self.skipped: list[tuple[str, int, str, str]] = []
        self.top, self.commune = _header_top(grid) or (0, 0)
        self.stt: int | None = None
        if not self.top:
            return
        self.bottom = max([self.top] + [r1 for r0, c0, r1, _ in merged if r0 == self.top and c0 <= self.commune])
        self.stt = next((c for c, h in self._headers().items() if _compact(h) in _STT_KEYS), None)
        last = grid.index.max()
        while self.bottom < last and self._header_like(self.bottom + 1):
            self.bottom += 1
        self.body_start = self.bottom + 1 + (self.bottom < last and _is_numbering(grid, self.bottom + 1))
        for row in grid.index[grid.index < self.body_start]:
            texts = _row_texts(grid, row)
            if texts:
                self.skipped.append((name, row, texts[0], "title" if row < self.top else "header"))
        self.titles = [" ".join(_row_texts(grid, r)) for r in grid.index[grid.index < self.top]]
        headers = self._headers()
        roles = {c: _compact(h) for c, h in headers.items()}
        self.district = next((c for c, k in roles.items() if k in _DISTRICT_KEYS
                              or map_columns([headers[c]]).get(headers[c]) == "district_name"), None)
        self.unit_column = next((c for c, k in roles.items() if k in _UNIT_KEYS), None)
        self.value_columns = [_Column(c, h) for c, h in headers.items()
                              if h and c not in (self.commune, self.stt, self.district, self.unit_column)
                              and roles[c] not in _OTHER_KEYS | _COMMUNE_KEYS | _STT_KEYS]

    def _header_like(self, row: int) -> bool:
        """A row next to the header whose commune and STT cells are empty and which holds text."""
        cells = self.grid.loc[row]
        left = [_text(cells[c]) for c in (self.commune, self.stt) if c is not None]
        return not any(left) and bool(_row_texts(self.grid, row)) and not _is_numbering(self.grid, row)

    def _headers(self) -> dict[int, str]:
        """Column number -> header levels joined " / " (a level repeated below itself once)."""
        block = self.grid.loc[self.top: self.bottom]
        out = {}
        for column in block.columns:
            levels: list[str] = []
            for value in block[column]:
                text = _text(value)
                if text and (not levels or levels[-1] != text):
                    levels.append(text)
            out[column] = " / ".join(levels)
        return out

    def place_columns(self) -> None:
        """Give each value column its indicator, year and unit, or a suggestion when it cannot be placed."""
        sheet_indicator: tuple[str | None, str | None] | None = None
        title_units = [m.group(1).strip() for t in self.titles if (m := _UNIT_LINE.search(t))]
        years = {int(y) for t in self.titles for y in re.findall(r"\b((?:19|20)\d\d)\b", _RANGE.sub("", t))}
        title_year = years.pop() if len(years) == 1 else None
        unit_mode = None
        if self.unit_column is not None:
            entries = self.grid.loc[self.body_start:, self.unit_column].map(_text)
            entries = entries[entries != ""]
            unit_mode = entries.mode().iloc[0] if len(entries) else None
        seen: set[tuple[str, int]] = set()
        for column in self.value_columns:
            texts, plan = [], False
            for level in column.header.split(" / "):
                parens = _TRAILING_PARENS.search(level)
                core = _TRAILING_PARENS.sub("", level).strip()
                if parens and _is_unit(parens.group(1)):
                    column.unit = parens.group(1).strip()
                key = loose_key(core)
                year = _YEAR.fullmatch(key)
                if year:
                    column.year, plan = int(year.group(1)), plan or bool(_PLAN.search(key))
                elif _PLAN.fullmatch(key):
                    plan = True
                elif (unit := _UNIT_LINE.search(core)) or _is_unit(core):
                    column.unit = (unit.group(1).strip() if unit else core) or column.unit
                elif core:
                    texts.append(core)
            for level in reversed(texts):
                found, suggestion = self.matcher.match(level)
                column.suggestion = column.suggestion or suggestion
                if found:
                    column.indicator_id = found
                    break
            if not texts:
                sheet_indicator = sheet_indicator or self._sheet_indicator()
                column.indicator_id, column.suggestion = sheet_indicator
            column.year = column.year or title_year
            column.unit = column.unit or (title_units[0] if title_units else unit_mode)
            pair = (column.indicator_id, column.year)
            if plan or pair in seen or not (column.indicator_id and column.year):
                column.suggestion, column.indicator_id = column.indicator_id or column.suggestion, None
            else:
                seen.add(pair)

    def _sheet_indicator(self) -> tuple[str | None, str | None]:
        """The indicator named by the sheet's name or a title row, else (None, suggestion)."""
        found, suggestion = self.matcher.match(self.name)
        if found:
            return found, found
        for text in self.titles:
            by_id = self.matcher.by_id(text)
            if by_id and by_id[0]:
                return by_id
        for text in self.titles:
            found, near = self.matcher.match(text, title=True)
            if found:
                return found, found
            suggestion = suggestion or near
        return None, suggestion

    def rows(self) -> pd.DataFrame:
        """Commune rows (row, commune_name, district_name); the other rows go to ``skipped``."""
        out = []
        ended, district, seen_district = "", None, False
        for row in self.grid.index[self.grid.index >= self.body_start]:
            cells = self.grid.loc[row]
            texts = _row_texts(self.grid, row)
            name = _text(cells[self.commune])
            stt = _text(cells[self.stt]) if self.stt is not None else ""
            label = name or (texts[0] if texts else "")
            key = loose_key(label)
            reason = ""
            if not texts:
                reason = "empty"
            elif ended == "signature" or ((not name or _SIGNATURE.search(key))
                                          and any(_SIGNATURE.search(loose_key(t)) for t in texts)):
                reason = ended = "signature"
            elif ended or _NOTE.match(key):
                reason = ended = "note"
            elif self._subtotal(key) or (seen_district and _BARE_TOTAL.match(key)):
                reason = "subtotal"
            elif _TOTAL.match(key):
                reason = "total"
            elif _ROMAN.fullmatch(stt) or _DISTRICT_PREFIX.match(key) or _ROMAN_PREFIX.match(name):
                reason, seen_district = "district", True
                district = _ROMAN_PREFIX.sub("", name) or None
            elif not name:
                reason = "note" if any(isinstance(v, str) and v.strip() for v in cells) else "empty"
            if reason:
                self.skipped.append((self.name, row, label, reason))
                continue
            given = _text(cells[self.district]) if self.district is not None else ""
            out.append((row, name, given or district))
        return pd.DataFrame(out, columns=["row", "commune_name", "district_name"])

    def _subtotal(self, key: str) -> bool:
        """"Cộng huyện X", "Tổng Hà Quảng": a total word followed by a district."""
        prefix = _SUBTOTAL_PREFIX.match(key)
        if not prefix or prefix.end() == len(key):
            return False
        rest = key[prefix.end():]
        return bool(_DISTRICT_PREFIX.match(rest)) or loose_key(strip_unit_type(rest)) in self.districts


def _plain_table(book) -> bool:
    """True when the first sheet's first row is a table the importer reads (indicator id and years)."""
    first = next(book.worksheets[0].iter_rows(min_row=1, max_row=1, values_only=True), ())
    headers = [_text(v) for v in first if _text(v)]
    names = set(map_columns(headers).values())
    return "indicator_id" in names and ("year" in names or any(re.fullmatch(r"\d{4}", h) for h in headers))


def read_annex(path: str | Path, catalogue: Mapping[str, Indicator] | None = None) -> Annex | None:
    """Read a report annex workbook (.xlsx) into an :class:`Annex`.

    None when the workbook is a plain table (headers on its first row with an
    indicator-id/year/value or commune column layout the importer already reads).

    Raises
    ------
    ValueError
        When no sheet has a commune column to read, or the file is not a safe .xlsx.
    """
    path = Path(path)
    kind = check_file(path)
    if kind != "xlsx":
        raise ValueError(f"{path.name}: is {kind}, not an Excel workbook; save it as .xlsx")
    catalogue = load_catalogue() if catalogue is None else catalogue
    book = openpyxl.load_workbook(path, data_only=True)
    if _plain_table(book):
        return None
    matcher = _Matcher(catalogue)
    districts = set(communes(2020)["district_vi"].map(lambda d: loose_key(strip_unit_type(d))))
    values, columns, skipped, unknown = [], [], [], []
    tables = 0
    for worksheet in book.worksheets:
        grid, merged = _grid(worksheet)
        table = _Sheet(worksheet.title, grid, merged, matcher, districts)
        if not table.top:
            continue
        tables += 1
        table.place_columns()
        rows = table.rows()
        skipped += sorted(table.skipped, key=lambda s: s[1])
        placed = [c for c in table.value_columns if c.indicator_id and c.year]
        for c in table.value_columns:
            if c in placed:
                columns.append((table.name, get_column_letter(c.number), c.header, c.indicator_id,
                                catalogue[c.indicator_id].name_vi, c.year, c.unit))
            else:
                unknown.append((table.name, get_column_letter(c.number), c.header, c.suggestion))
        if not placed or rows.empty:
            continue
        cells = grid.loc[rows["row"], [c.number for c in placed]]
        cells.columns = range(len(placed))
        long = cells.assign(row=rows["row"].to_numpy()).melt(id_vars="row", var_name="position", value_name="cell")
        value, missing = parse_numbers(long["cell"])
        written = long["cell"].map(lambda v: v if isinstance(v, str) else _text(v))
        long = long.assign(value=value, text=written).loc[~missing.to_numpy()]
        place = pd.DataFrame({"indicator_id": [c.indicator_id for c in placed], "year": [c.year for c in placed],
                              "number": [c.number for c in placed]})
        long = long.join(place, on="position").merge(rows, on="row")
        values.append(long.sort_values(["row", "number"]).assign(sheet=table.name)[_VALUES])
    if not tables:
        raise ValueError(f"{path.name}: no sheet has a commune column (Tên xã / Xã, phường, thị trấn) "
                         f"in its first {_HEADER_SEARCH} rows")
    frame = pd.concat(values, ignore_index=True) if values else pd.DataFrame(columns=_VALUES)
    frame = frame.astype({"row": int, "year": int, "value": float})
    frame["district_name"] = frame["district_name"].astype(object).where(frame["district_name"].notna(), None)
    return Annex(
        values=frame.reset_index(drop=True),
        columns=pd.DataFrame(columns, columns=_COLUMNS, dtype=object).astype({"year": int}),
        skipped=pd.DataFrame(skipped, columns=_SKIPPED, dtype=object).astype({"row": int}),
        unknown_columns=pd.DataFrame(unknown, columns=_UNKNOWN, dtype=object),
    )
