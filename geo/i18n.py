"""Every word shown to users, in Vietnamese (default) and English, from one place.

>>> t("achieved"), t("achieved", "en")
('Đã đạt', 'Achieved')
"""

from __future__ import annotations

import unicodedata

__all__ = ["LANGS", "TEXT", "t"]

LANGS = ("vi", "en")

TEXT: dict[str, tuple[str, str]] = {
    # statuses of an indicator
    "achieved": ("Đã đạt", "Achieved"),
    "on_track": ("Đúng tiến độ", "On track"),
    "behind": ("Chậm tiến độ", "Behind"),
    "no_data": ("Chưa có số liệu", "No data"),
    "not_applicable": ("Không áp dụng", "Not applicable"),
    # hazards
    "landslide": ("Sạt lở đất", "Landslide"),
    "flash_flood": ("Lũ quét", "Flash flood"),
    "tube_flood": ("Lũ ống", "Tube flood"),
    "level_1": ("Rất thấp", "Very low"),
    "level_2": ("Thấp", "Low"),
    "level_3": ("Trung bình", "Medium"),
    "level_4": ("Cao", "High"),
    "level_5": ("Rất cao", "Very high"),
    # resettlement
    "not_planned": ("Chưa có kế hoạch", "Not planned"),
    "planned": ("Đã có kế hoạch", "Planned"),
    "moving": ("Đang di dời", "Moving"),
    "resettled": ("Đã di dời", "Resettled"),
    "stabilised": ("Đã ổn định tại chỗ", "Stabilised in place"),
    "concentrated": ("Tập trung", "Concentrated"),
    "interspersed": ("Xen ghép", "Interspersed"),
    "in_place": ("Ổn định tại chỗ", "Stabilised in place"),
    # themes
    "income_poverty": ("Thu nhập và giảm nghèo", "Income and poverty"),
    "infrastructure": ("Hạ tầng", "Infrastructure"),
    "settlement": ("Dân cư, đất đai", "Settlement and land"),
    "education": ("Giáo dục, đào tạo", "Education and training"),
    "health": ("Y tế", "Health"),
    "culture": ("Văn hóa, xã hội", "Culture and society"),
    "cadres": ("Cán bộ", "Cadres"),
    # app
    "app_title": ("Theo dõi Chương trình DTTS&MN tỉnh Cao Bằng 2021-2025",
                  "Cao Bằng ethnic-minority programme tracker 2021-2025"),
    "demo_banner": ("Dữ liệu minh họa: số liệu tổng hợp, không phải số liệu chính thức.",
                    "Demo data: synthetic figures, not official statistics."),
    "language": ("Ngôn ngữ", "Language"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "year": ("Năm", "Year"),
    "units": ("Đơn vị hành chính", "Administrative units"),
    "units_2020": ("161 xã (2020-6/2025)", "161 communes (2020-June 2025)"),
    "units_2025": ("56 xã, phường (từ 1/7/2025)", "56 communes and wards (from 1 July 2025)"),
    "commune": ("Xã", "Commune"),
    "district": ("Huyện", "District"),
    "value": ("Giá trị", "Value"),
    "target": ("Mục tiêu 2025", "2025 target"),
    "expected": ("Mức cần đạt năm nay", "Expected this year"),
    "status": ("Tình trạng", "Status"),
    "gap": ("Còn thiếu", "Gap"),
    "years_needed": ("Số năm cần thêm", "Years still needed"),
    "province": ("Toàn tỉnh", "Province"),
    "communes_by_status": ("Số xã theo tình trạng", "Communes by status"),
    "furthest_behind": ("Các xã chậm nhất", "Communes furthest behind"),
    "map_title": ("Tình trạng thực hiện chỉ tiêu", "Indicator status"),
    "households": ("Hộ dân", "Households"),
    "sites": ("Điểm tái định cư", "Resettlement sites"),
    "site_unsafe": ("nằm trong vùng nguy cơ thiên tai", "lies inside a hazard zone"),
    "risk_legend": ("Mức độ nguy cơ / Tình trạng di dời", "Hazard level / Resettlement status"),
}


def t(key: str, lang: str = "vi") -> str:
    """The text for ``key`` in ``lang`` ("vi" or "en"), NFC-normalised.

    Raises
    ------
    KeyError
        For an unknown key, so that a missing translation is found in tests.
    """
    vi, en = TEXT[key]
    return unicodedata.normalize("NFC", vi if lang == "vi" else en)
