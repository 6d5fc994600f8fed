"""Every word shown to users, in Vietnamese (default) and English, from one place.

>>> t("achieved"), t("achieved", "en")
('Đã đạt', 'Achieved')
"""

from __future__ import annotations

import math
import unicodedata

__all__ = ["LANGS", "TEXT", "t", "fmt_number"]

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
    "demo_note": ("số liệu tổng hợp, không phải số liệu chính thức", "synthetic figures, not official statistics"),
    "language": ("Ngôn ngữ", "Language"),
    "indicator": ("Chỉ tiêu", "Indicator"),
    "year": ("Năm", "Year"),
    "units": ("Đơn vị hành chính", "Administrative units"),
    "units_2020": ("161 xã (2020-6/2025)", "161 communes (2020-June 2025)"),
    "units_2025": ("56 xã, phường (từ 1/7/2025)", "56 communes and wards (from 1 July 2025)"),
    "commune": ("Xã", "Commune"),
    "code": ("Mã xã", "Commune code"),
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
    "view": ("Trang", "Page"),
    "view_indicators": ("Chỉ tiêu theo xã", "Indicators by commune"),
    "view_risk": ("Thiên tai và di dời dân cư", "Hazards and resettlement"),
    "basemap": ("Bản đồ nền", "Basemap"),
    "basemap_none": ("Không có", "None"),
    "basemap_osm": ("OpenStreetMap (cần Internet)", "OpenStreetMap (needs Internet)"),
    "basemap_local": ("Nguồn ảnh nền nội bộ", "Local tile source"),
    "theme": ("Lĩnh vực", "Theme"),
    "province_status": ("Tình trạng toàn tỉnh", "Province status"),
    "communes_leaving": ("Xã ra khỏi địa bàn ĐBKK", "Communes leaving the ĐBKK list"),
    "villages_leaving": ("Thôn ra khỏi địa bàn ĐBKK", "Villages leaving the ĐBKK list"),
    "of": ("trên", "of"),
    "resettled_share": ("Hộ đã bố trí, di dời (mục tiêu 60%)", "Households resettled (target 60%)"),
    "indicators_behind": ("Chỉ tiêu chậm tiến độ (toàn tỉnh)", "Indicators behind (province)"),
    "profile": ("Hồ sơ xã", "Commune profile"),
    "profile_hint": ("Bấm vào một xã trên bản đồ hoặc chọn ở đây.", "Click a commune on the map or choose it here."),
    "trajectory": ("Diễn biến so với lộ trình đến mục tiêu", "Values against the path to the target"),
    "path": ("Lộ trình", "Path"),
    "grid": ("Tất cả chỉ tiêu theo xã", "All indicators by commune"),
    "grid_hint": ("Mỗi ô là tình trạng của một xã với một chỉ tiêu; bấm tiêu đề cột để sắp xếp.",
                  "Each cell is a commune's status on one indicator; click a column header to sort."),
    "filters": ("Bộ lọc", "Filters"),
    "hazard_types": ("Loại thiên tai", "Hazard types"),
    "min_level": ("Mức nguy cơ từ", "Minimum hazard level"),
    "buffer_m": ("Vùng đệm (m)", "Buffer (m)"),
    "communes_filter": ("Xã", "Communes"),
    "all": ("Tất cả", "All"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "resettlement_status": ("Tình trạng di dời", "Resettlement status"),
    "at_risk_only": ("Chỉ hộ DTTS cư trú phân tán (đối tượng bố trí)", "Only scattered ethnic-minority households (the target group)"),
    "in_zones": ("Hộ trong vùng nguy cơ", "Households in hazard zones"),
    "at_risk": ("Hộ DTTS phân tán cần bố trí", "At-risk scattered DTTS households"),
    "done": ("Đã di dời hoặc ổn định", "Resettled or stabilised"),
    "needed": ("Còn cần để đạt 60%", "Still needed for 60%"),
    "progress": ("Tiến độ bố trí, di dời dân cư đến 60%", "Resettlement progress towards 60%"),
    "progress_by_commune": ("Theo xã (các xã còn thiếu nhiều nhất)", "By commune (most still needed first)"),
    "progress_by_year": ("Theo năm", "By year"),
    "progress_by_form": ("Theo hình thức", "By form"),
    "share": ("Tỷ lệ", "Share"),
    "line_60": ("Lộ trình đến 60%", "Path to 60%"),
    "flagged_table": ("Danh sách hộ theo bộ lọc", "Households under the filters"),
    "download_csv": ("Tải CSV", "Download CSV"),
    "site_errors": ("Điểm tái định cư nằm trong vùng nguy cơ: cần điều chỉnh", "Resettlement sites inside a hazard zone: to be fixed"),
    "household_record": ("Thông tin hộ", "Household record"),
    "map_points_note": ("Bản đồ gộp điểm khi có nhiều hộ; phóng to hoặc chọn xã để xem từng hộ.",
                        "Points are clustered when there are many; zoom in or choose a commune to see each household."),
    "level": ("Mức", "Level"),
    "export": ("Xuất bản đồ và dữ liệu cho báo cáo", "Export maps and data for reports"),
    "format": ("Định dạng", "Format"),
    "paper": ("Khổ giấy", "Paper"),
    "landscape": ("Khổ ngang", "Landscape"),
    "dpi": ("Độ phân giải (dpi, ảnh PNG)", "Resolution (dpi, PNG)"),
    "labels": ("Ghi tên xã", "Commune names"),
    "extent": ("Phạm vi bản đồ", "Map extent"),
    "extent_province": ("Toàn tỉnh", "Province"),
    "extent_selection": ("Các xã đang chọn", "Chosen communes"),
    "extent_view": ("Vùng đang xem trên bản đồ", "Current map view"),
    "download_map": ("Tải bản đồ", "Download map"),
    "download_data": ("Tải bảng dữ liệu", "Download table"),
    "personal_fields": ("Kèm thông tin cá nhân (họ tên, số định danh) — chỉ khi thật cần",
                        "Include personal fields (names, identity numbers) — only when really needed"),
    "data_source": ("Dữ liệu", "Data"),
    "source_demo": ("Dữ liệu minh họa", "Demo data"),
    "source_workspace": ("Kho dữ liệu của tỉnh", "Province workspace"),
    "view_import": ("Nhập dữ liệu", "Import data"),
    "workspace": ("Kho dữ liệu", "Workspace"),
    "import_kind": ("Loại dữ liệu", "Kind of data"),
    "kind_communes": ("Ranh giới xã", "Commune boundaries"),
    "kind_hazards": ("Vùng nguy cơ thiên tai", "Hazard zones"),
    "kind_households": ("Hộ dân", "Households"),
    "kind_sites": ("Điểm tái định cư", "Resettlement sites"),
    "kind_indicators": ("Số liệu chỉ tiêu", "Indicator values"),
    "encoding": ("Bảng mã chữ", "Text encoding"),
    "crs": ("Hệ tọa độ", "Coordinate system"),
    "crs_help": ("auto: đọc từ tệp, hoặc đoán từ giá trị tọa độ (kể cả X là tọa độ bắc)",
                 "auto: read from the file, or guessed from the coordinates (including X = northing)"),
    "gpkg_layer": ("Lớp (GeoPackage nhiều lớp)", "Layer (GeoPackage with several)"),
    "column_map": ("Ghép cột (TÊN=tên chuẩn, cách nhau bởi dấu phẩy)", "Map columns (NAME=canonical, comma-separated)"),
    "upload": ("Tệp: Shapefile nén zip, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, CSV, XLSX",
               "File: zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, CSV, XLSX"),
    "imported_by": ("Người nhập", "Imported by"),
    "import_refused": ("Không nhập được tệp", "The file cannot be imported"),
    "rows_in": ("Số dòng đọc được", "Rows read"),
    "rows_good": ("Dòng hợp lệ", "Good rows"),
    "rows_rejected": ("Dòng bị loại", "Rejected rows"),
    "download_rejects": ("Tải danh sách dòng bị loại", "Download the rejected rows"),
    "import_confirm": ("Nhập các dòng hợp lệ vào kho", "Import the good rows"),
    "import_cancel": ("Hủy", "Cancel"),
    "imported": ("Đã nhập", "Imported"),
    "import_history": ("Lịch sử nhập dữ liệu", "Import history"),
    "audit_trail": ("Nhật ký thay đổi tình trạng di dời", "Resettlement status changes"),
    "edit_status": ("Cập nhật tình trạng di dời của một hộ", "Update a household's resettlement status"),
    "changed_by": ("Người cập nhật", "Changed by"),
    "save": ("Lưu", "Save"),
    "saved": ("Đã lưu và ghi nhật ký", "Saved and recorded in the audit trail"),
    "status_conflict": ("Chưa lưu: trong lúc bạn xem, người khác đã đổi tình trạng của hộ {household} thành "
                        "«{current}» (bạn thấy «{expected}»). Lần thử này đã được ghi vào nhật ký. Hãy tải lại "
                        "trang, xem lại rồi quyết định.",
                        "Not saved: while you were looking, someone else changed household {household}'s status "
                        "to “{current}” (you saw “{expected}”). This attempt is recorded in the audit trail. "
                        "Reload the page, check, then decide again."),
    "first_admin": ("Lần đầu sử dụng: tạo tài khoản quản trị", "First use: create the administrator account"),
    "username": ("Tên đăng nhập", "User name"),
    "password": ("Mật khẩu", "Password"),
    "create": ("Tạo", "Create"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "role_viewer": ("xem", "viewer"),
    "role_planner": ("kế hoạch", "planner"),
    "role_officer": ("cán bộ", "officer"),
    "role_admin": ("quản trị", "admin"),
    "demo_mode": ("Chế độ minh họa: chưa có tài khoản nào, ứng dụng chỉ dùng dữ liệu minh họa.",
                  "Demo mode: no accounts are set up, so the app shows the demo data only."),
    "demo_mode_login": ("Đăng nhập để xem dữ liệu của tỉnh; khi chưa đăng nhập chỉ có dữ liệu minh họa.",
                        "Log in to see the province's data; until then only the demo data is shown."),
    "counts_by_commune": ("Số hộ theo xã (tổng hợp, không có thông tin từng hộ)",
                          "Households per commune (aggregated, no household detail)"),
    "counts_by_village": ("Số hộ theo thôn", "Households per village"),
    "login_sso": ("Đăng nhập bằng tài khoản của Sở (SSO)", "Log in with the department's account (SSO)"),
    "sso_no_account": ("Chưa có tài khoản trong công cụ cho địa chỉ thư này; nhờ quản trị tạo.",
                       "No account in this tool for that e-mail address; ask an administrator."),
    "accounts": ("Tài khoản", "Accounts"),
    "role": ("Vai trò", "Role"),
    "add_user": ("Thêm tài khoản", "Add account"),
    "remove_user": ("Xóa tài khoản", "Remove account"),
    "prepare": ("Chuẩn bị", "Prepare"),
    "preparing": ("Đang tạo tệp…", "Making the file…"),
    "atlas": ("Tải tập bản đồ theo xã (PDF)", "Download commune atlas (PDF)"),
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


def fmt_number(value: object, digits: int = 1) -> str:
    """A number for display: "–" when missing, "∞" for infinity, thousands separated.

    >>> fmt_number(1234.567), fmt_number(float("nan")), fmt_number(float("inf"))
    ('1,234.6', '–', '∞')
    """
    if value is None:
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return "–"
    if math.isinf(number):
        return "∞"
    return f"{number:,.{digits}f}"
