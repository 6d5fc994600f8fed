"""Every word shown to users, in Vietnamese (default) and English, from one place.

>>> t("achieved"), t("achieved", "en")
('Đã đạt', 'Achieved')
"""

from __future__ import annotations

import math
import unicodedata

import pandas as pd

from geo.hazardtypes import HAZARD_VOCAB

__all__ = ["LANGS", "TEXT", "COLUMN_TEXT", "Refusal", "t", "header", "message", "fmt_number", "fmt_count",
           "fmt_percent", "fmt_date", "fmt_value", "unit_text", "UNIT_DIGITS"]

LANGS = ("vi", "en")

# The hazard types' names and level headers come from data/hazards.yaml (geo.hazardtypes).
_HAZARD_CODES = [h.code for h in HAZARD_VOCAB]
_HAZARD_BAR = "|".join(_HAZARD_CODES)
_HAZARD_OR_VI = ", ".join(_HAZARD_CODES[:-1]) + " hoặc " + _HAZARD_CODES[-1]  # "a, b hoặc c"
_HAZARD_OR_EN = ", ".join(_HAZARD_CODES[:-1]) + " or " + _HAZARD_CODES[-1]

#: The import report: per-row reasons and warnings ("imp_<code>") and their
#: grouped lines at the top of the report ("imp_g_<code>", with the count ``n``).
IMPORT_TEXT: dict[str, tuple[str, str]] = {
    # rows left out
    "imp_no_id": ("không có {what}", "no {what}"),
    "imp_g_no_id": ("{n} dòng không có {what}", "{n} rows have no {what}"),
    "imp_duplicate": ("{what} {value} trùng (giữ dòng đầu tiên)", "duplicate {what} {value} (first occurrence kept)"),
    "imp_g_duplicate": ("{n} dòng trùng {what} (giữ dòng đầu tiên)", "{n} rows repeat a {what} (first occurrence kept)"),
    "imp_not_number": ("cột '{column}': {value} không phải là số", "column '{column}': {value} is not a number"),
    "imp_g_not_number": ("{n} dòng có tọa độ hoặc số không đọc được", "{n} rows have a coordinate or number that is not a number"),
    "imp_no_location": ("không có vị trí", "no location"),
    "imp_g_no_location": ("{n} dòng không có vị trí", "{n} rows have no location"),
    "imp_outside": ("vị trí nằm ngoài tỉnh Cao Bằng (kiểm tra hệ tọa độ hoặc thứ tự X/Y)",
                    "location outside Cao Bằng (check the coordinate system or the X/Y order)"),
    "imp_g_outside": ("{n} dòng nằm ngoài tỉnh Cao Bằng (kiểm tra hệ tọa độ hoặc thứ tự X/Y)",
                      "{n} rows lie outside Cao Bằng (check the coordinate system or the X/Y order)"),
    "imp_not_polygon": ("không phải vùng (polygon)", "not a polygon"),
    "imp_g_not_polygon": ("{n} đối tượng không phải vùng (polygon)", "{n} features are not polygons"),
    "imp_unknown_value": ("cột '{column}': chưa hiểu giá trị {value}{hint}", "column '{column}': {value} not understood{hint}"),
    "imp_g_unknown_value": ("{n} dòng có giá trị chưa hiểu, chờ khai báo nghĩa (bảng giá trị bên dưới; dòng lệnh: --value 'GIÁ TRỊ=NGHĨA')",
                            "{n} rows hold a value not understood, waiting for its meaning (the values below; command line: --value 'VALUE=MEANING')"),
    "imp_unknown_indicator": ("chỉ tiêu chưa biết {value}", "unknown indicator {value}"),
    "imp_g_unknown_indicator": ("{n} giá trị thuộc chỉ tiêu chưa biết", "{n} values belong to an unknown indicator"),
    "imp_year": ("năm ngoài khoảng {first}-{last}: {value}", "year outside {first}-{last}: {value}"),
    "imp_g_year": ("{n} giá trị có năm ngoài khoảng 2020-2025", "{n} values have a year outside 2020-2025"),
    "imp_no_value": ("không có giá trị (hoặc tử số và mẫu số)", "no value (nor numerator and denominator)"),
    "imp_g_no_value": ("{n} dòng không có giá trị", "{n} rows have no value"),
    # the data contract of each indicator (data/indicators.yaml: needs, population, counts_from, changes)
    "imp_value_only": ("chỉ tiêu {value}: chỉ có tỷ lệ, không có mẫu số: giữ tình trạng của đơn vị nhưng không cộng "
                       "được vào tỷ lệ của xã sau sắp xếp, của tỉnh",
                       "indicator {value}: a share without its denominator: the unit keeps its status but cannot be "
                       "added into a merged unit's or the province's share"),
    "imp_g_value_only": ("{n} dòng chỉ có tỷ lệ (không có mẫu số): không cộng được vào tỷ lệ toàn tỉnh",
                         "{n} rows give a share only (no denominator): not added into the province share"),
    "imp_no_reference": ("chỉ tiêu {value}: không có tỷ lệ tham chiếu (tử số, mẫu số tham chiếu hoặc tỷ lệ DTTS "
                         "trong dân số): tình trạng sẽ là chưa có số liệu",
                         "indicator {value}: no reference share (reference numerator and denominator, or the DTTS "
                         "share of the population): its status will be no data"),
    "imp_g_no_reference": ("{n} dòng thiếu tỷ lệ tham chiếu: chưa đánh giá được",
                           "{n} rows lack the reference share: cannot be judged"),
    "imp_contract_missing": ("chỉ tiêu {id}: bảng thiếu {columns} mà quy tắc cần: chưa đánh giá được",
                             "indicator {id}: the table lacks {columns}, which the rule needs: it cannot be judged"),
    "imp_contract_value_only": ("chỉ tiêu {id}: bảng chỉ có tỷ lệ, không có tử số và mẫu số: mỗi đơn vị giữ tình "
                                "trạng riêng nhưng tỷ lệ của tỉnh chỉ tính từ các đơn vị có tử số, mẫu số",
                                "indicator {id}: the table gives shares only, no numerator and denominator: each unit "
                                "keeps its status but the province share counts only units that give both"),
    "imp_contract_dtts": ("chỉ tiêu {id}: chỉ tính đồng bào DTTS: tử số và mẫu số đều chỉ đếm người (hộ) DTTS, "
                          "không chia cho toàn bộ dân số",
                          "indicator {id}: ethnic minorities (DTTS) only: numerator = {numerator}; denominator = "
                          "{denominator} (never the whole population)"),
    "imp_contract_before": ("chỉ tiêu {id}: tử số năm 2020 ({n} hộ) được hiểu là đã làm trước năm {first}: tính "
                            "riêng, không vào chỉ tiêu giai đoạn",
                            "indicator {id}: the 2020 numerator ({n} households) is read as done before {first}: "
                            "counted apart, not towards the programme's target"),
    "imp_contract_change": ("chỉ tiêu {id}: {note}", "indicator {id}: {note}"),
    "imp_reference_share": ("{n} dòng có tỷ lệ DTTS trong dân số thay cho tử số, mẫu số tham chiếu: tỷ lệ tham "
                            "chiếu của tỉnh được gộp theo mẫu số của từng đơn vị (số cán bộ), không theo dân số",
                            "{n} rows give the DTTS share of the population instead of reference numerator and "
                            "denominator: the province's reference is combined weighted by each unit's denominator "
                            "(cadres), not by population"),
    "imp_share": ("tỷ lệ phải từ 0 đến 100%: {value}", "a share must be between 0 and 100%: {value}"),
    "imp_g_share": ("{n} tỷ lệ nằm ngoài 0-100%", "{n} shares lie outside 0-100%"),
    "imp_numerator": ("tử số lớn hơn mẫu số", "numerator above denominator"),
    "imp_g_numerator": ("{n} dòng có tử số lớn hơn mẫu số", "{n} rows have a numerator above the denominator"),
    "imp_no_unit": ("không xác định được xã của giá trị này: {value}{hint}", "no commune for this value: {value}{hint}"),
    "imp_g_no_unit": ("{n} giá trị không xác định được xã", "{n} values name no commune the tool knows"),
    # rows kept, with a warning
    "imp_commune_before_2020": ("ghi xã trước năm 2020 {value}: xã được xác định theo tọa độ",
                                "names a commune from before 2020, {value}: located by its coordinates"),
    "imp_g_commune_before_2020": ("{n} dòng ghi tên xã trước năm 2020: xã được xác định theo tọa độ",
                                  "{n} rows name a commune from before 2020: located by their coordinates"),
    "imp_commune_unknown": ("ghi xã không có trong danh mục {value}{hint}: xã được xác định theo tọa độ",
                            "names a commune not in any list, {value}{hint}: located by its coordinates"),
    "imp_g_commune_unknown": ("{n} dòng ghi tên xã không có trong danh mục: xã được xác định theo tọa độ",
                              "{n} rows name a commune in no official list: located by their coordinates"),
    "imp_commune_ambiguous": ("tên xã {value} trùng ở nhiều huyện, không ghi huyện: xã được xác định theo tọa độ",
                              "{value} is a commune name several districts share, and no district is given: located by its coordinates"),
    "imp_g_commune_ambiguous": ("{n} dòng ghi tên xã trùng ở nhiều huyện: xã được xác định theo tọa độ",
                                "{n} rows name a commune several districts share: located by their coordinates"),
    "imp_commune_differs": ("ghi xã {declared} nhưng tọa độ nằm ở xã {located}: giữ cả hai, dùng xã theo tọa độ",
                            "declares {declared} but its point lies in {located}: both kept, the point's commune used"),
    "imp_g_commune_differs": ("{n} dòng ghi một xã nhưng tọa độ nằm ở xã khác: giữ cả hai, dùng xã theo tọa độ",
                              "{n} rows declare one commune but lie in another: both kept, the point's commune used"),
    "imp_value_defaulted": ("cột '{column}': chưa hiểu giá trị {value}, tạm lấy '{used}'",
                            "column '{column}': {value} not understood, taken as '{used}'"),
    "imp_g_value_defaulted": ("{n} dòng có giá trị chưa hiểu, tạm lấy giá trị mặc định (xem bảng giá trị bên dưới)",
                              "{n} rows hold a value not understood, taken as the default (see the values below)"),
    "imp_members": ("số khẩu {value} không phải số nguyên 1-30: để trống", "members {value} is not a whole number 1-30: left empty"),
    "imp_g_members": ("{n} dòng có số khẩu không hợp lệ: để trống", "{n} rows have an invalid number of members: left empty"),
    "imp_date": ("ngày {value} không đọc được: để trống", "date {value} not readable: left empty"),
    "imp_g_date": ("{n} dòng có ngày không đọc được: để trống", "{n} rows have an unreadable date: left empty"),
    "imp_repaired": ("hình học không hợp lệ đã được sửa (make_valid)", "invalid geometry repaired (make_valid)"),
    "imp_g_repaired": ("{n} hình học không hợp lệ đã được sửa", "{n} invalid geometries repaired"),
    "imp_unit_unmatched": ("không khớp với danh mục: giữ làm đơn vị riêng của tệp ({value})",
                           "matches no official unit: kept as the file's own unit ({value})"),
    "imp_g_unit_unmatched": ("{n} vùng không khớp với danh mục: giữ làm đơn vị riêng của tệp",
                             "{n} polygons match no official unit: kept as the file's own units"),
    "imp_unit_location": ("{value} không có trong danh mục: gắn với xã {located} có trung tâm nằm trong vùng",
                          "{value} is in no list: linked to {located}, whose centre the polygon holds"),
    "imp_g_unit_location": ("{n} vùng không khớp tên: gắn theo vị trí với xã có trung tâm nằm trong vùng",
                            "{n} polygons matched no name: linked to the commune whose centre they hold"),
    "imp_code_name_differs": ("mã {gso} là {official} trong danh mục, không phải {value}: khớp theo tên",
                              "code {gso} is {official} in the official list, not {value}: matched by name"),
    "imp_g_code_name_differs": ("{n} vùng có mã không khớp với tên: khớp theo tên",
                                "{n} polygons have a code that disagrees with their name: matched by name"),
    "what_household_id": ("mã hộ", "household id"),
    "what_site_id": ("mã điểm tái định cư", "site id"),
    "what_unit_year": ("(xã, chỉ tiêu, năm)", "(unit, indicator, year)"),
    "from_ethnicity": ("theo dân tộc", "from the ethnicity"),
    # report sections and notes
    "imp_summary": ("{file}: {kind}, đọc {rows} dòng, {good} dòng hợp lệ, {rejected} dòng bị loại, {warned} dòng có cảnh báo -> lớp {layer}",
                    "{file}: {kind}, {rows} rows read, {good} good, {rejected} rejected, {warned} with warnings -> layer {layer}"),
    "imp_problems": ("Dòng bị loại:", "Rows left out:"),
    "imp_warnings": ("Cảnh báo (các dòng vẫn được nhập):", "Warnings (these rows are imported):"),
    "imp_values": ("Giá trị chưa hiểu (khai báo một lần, kho sẽ ghi nhớ):", "Values not understood (map them once; the workspace remembers):"),
    "imp_value_line": ("  {column}: {value} ({count} dòng){hint}", "  {column}: {value} ({count} rows){hint}"),
    "imp_suggest": (" -> gợi ý: --value '{value}={meaning}'", " -> suggested: --value '{value}={meaning}'"),
    "imp_notes": ("Ghi chú:", "Notes:"),
    "imp_row": ("  dòng {row}: {reason}", "  row {row}: {reason}"),
    "imp_more": ("  ... và {n} dòng nữa (tải toàn bộ bằng nút «Tải danh sách dòng bị loại»; dòng lệnh: --rejects TỆP.csv)", "  ... and {n} more (all of them with «Download the rejected rows»; command line: --rejects FILE.csv)"),
    "imp_columns": ("cột được nhận ra: {pairs}", "columns recognised: {pairs}"),
    "imp_columns_content": ("cột nhận ra theo nội dung: {pairs}", "columns recognised by their content: {pairs}"),
    "imp_hazard_type_given": ("tệp không có cột loại thiên tai: mọi vùng là '{value}' (theo lựa chọn)",
                              "no hazard type column: every zone is '{value}' (as given)"),
    "imp_values_used": ("giá trị đã khai báo được dùng: {pairs}", "value mappings used: {pairs}"),
    "imp_vintage_2019": ("khớp với 199 xã trước năm 2020 (gộp vào 161 xã 2020-2025 theo NQ 864 và 897/NQ-UBTVQH14)",
                         "matched to the 199 communes before 2020 (combined into the 161 of 2020-2025 by Resolutions 864 and 897/NQ-UBTVQH14)"),
    "imp_vintage_2020": ("khớp với 161 xã giai đoạn 2020-2025", "matched to the 161 communes of 2020-2025"),
    "imp_vintage_2025": ("khớp với 56 đơn vị từ 1/7/2025", "matched to the 56 units from 1 July 2025"),
    "imp_matches": ("khớp: {pairs}", "matches: {pairs}"),
    "imp_no_boundaries": ("kho chưa có ranh giới xã: xã lấy theo tên ghi trong tệp cho đến khi nhập ranh giới",
                          "the workspace has no commune boundaries yet: communes are taken from the records until boundaries are imported"),
    "imp_located": ("xã của mỗi hộ được xác định theo tọa độ ({n} nằm trong một xã, {gap} ở khe hở giữa các xã)",
                    "each row's commune is the one its point lies in ({n} inside a commune, {gap} in gaps between communes)"),
    "imp_no_dtts": ("không có cột DTTS: hộ DTTS là mọi dân tộc khác Kinh", "no DTTS column: ethnic minority = every ethnicity other than Kinh"),
    "imp_no_column": ("không có cột '{column}': mọi hộ lấy là không", "no '{column}' column: every household taken as 'no'"),
    "imp_decimal_commas": ("cột '{column}': {n} dấu phẩy thập phân được đọc là dấu chấm", "column '{column}': {n} decimal commas read as decimal points"),
    "crs_no_points": ("không có tọa độ nào để định vị", "No coordinates to place"),
    "crs_none_fits": ("không hệ tọa độ nào đặt được các điểm vào Cao Bằng (gần nhất: {best})",
                      "No candidate CRS places the points in Cao Bằng (best: {best})"),
    "crs_fits": ("{reading}: {share} số điểm nằm trong Cao Bằng", "{reading}: {share} of points in Cao Bằng"),
    "crs_also_fits": ("; cũng khớp: {others}: hỏi lại nơi cung cấp dữ liệu để xác nhận hệ tọa độ",
                      "; also fits {others}: confirm the CRS with the data's source"),
    "crs_x_north": ("X = tọa độ hướng Bắc", "X = northing"),
    "crs_x_east": ("X = tọa độ hướng Đông", "X = easting"),
    "crs_lat_lon": ("các cột là (vĩ độ, kinh độ)", "columns are (lat, lon)"),
    "crs_lon_lat": ("các cột là (kinh độ, vĩ độ)", "columns are (lon, lat)"),
    "imp_crs_guessed": ("hệ tọa độ được đoán: {value} (chọn khác ở ô «Hệ tọa độ»; dòng lệnh: --crs)", "coordinate system guessed: {value} (choose another in «Coordinate system»; command line: --crs)"),
    "imp_swapped": ("X là tọa độ bắc và Y là tọa độ đông (thứ tự bản đồ Việt Nam): đã đổi chỗ",
                    "X holds the northing and Y the easting (Vietnamese survey order): swapped"),
    "imp_encoding": ("cột '{column}': chữ được chuyển từ {value} sang Unicode", "column '{column}': text converted from {value} to Unicode"),
    "imp_header_encoding": ("tên cột được chuyển từ {value} sang Unicode", "column names converted from {value} to Unicode"),
    "imp_kobo_id": ("không có cột mã hộ: dùng '{column}' của biểu mẫu", "no household id column: the form's '{column}' is used"),
    "imp_annex": ("biểu báo cáo: {sheets} trang, {values} giá trị; cột -> chỉ tiêu và năm: {pairs}",
                  "report annex: {sheets} sheets, {values} values; columns -> indicator and year: {pairs}"),
    "imp_annex_skipped": ("bỏ qua {n} dòng không phải xã (tiêu đề, cộng huyện, toàn tỉnh, chữ ký)",
                          "{n} rows that are not communes left aside (titles, district sub-totals, province total, signatures)"),
    "imp_annex_unknown": ("cột chưa nhận ra chỉ tiêu, không nhập: {pairs}", "columns not placed as an indicator, not imported: {pairs}"),
    "imp_wide": ("bảng theo năm: các năm {value} đọc thành dòng", "wide table: years {value} read as rows"),
    "rows_warned": ("Dòng có cảnh báo", "Rows with warnings"),
    "row_in_file": ("Dòng trong tệp", "Row in the file"),
    "reason": ("Lý do", "Reason"),
    "remark": ("Cảnh báo", "Warning"),
    "single_hazard": ("Bản đồ một loại thiên tai (tệp không có cột loại)", "Single-hazard map (no type column)"),
    "single_hazard_none": ("Tệp có cột loại thiên tai", "The file has a type column"),
    "column": ("Cột", "Column"),
    "rows": ("Số dòng", "Rows"),
    "meaning": ("Nghĩa", "Meaning"),
    "apply_values": ("Áp dụng và kiểm tra lại", "Apply and check again"),
    "dry_run_done": ("chạy thử: chưa ghi gì", "dry run: nothing written"),
    "imported_into": ("đã nhập vào {path}: lớp {layer}, phiên bản {version}", "imported into {path}: layer {layer}, version {version}"),
    # what the readers had to guess or change
    "rd_header_row": ("tên cột ở dòng {row} (các dòng trên là tiêu đề)", "column names on row {row} (the rows above are titles)"),
    "rd_no_prj": ("không có tệp .prj: hệ tọa độ được đoán từ tọa độ", "no .prj file: coordinate system guessed from the coordinates"),
    "rd_no_cpg": ("không có tệp .cpg: bảng mã chữ được nhận ra từ nội dung", "no .cpg file: text encoding detected from the content"),
    "rd_neutral": ("bảng MapInfo có charset Neutral: bảng mã chữ được nhận ra từ nội dung",
                   "MapInfo table with charset Neutral: text encoding detected from the content"),
    "rd_legacy_lines": ("{n} dòng không phải UTF-8: đọc dạng 8-bit, bảng mã cũ được nhận ra từ nội dung",
                        "{n} lines are not UTF-8: read as 8-bit text, legacy encodings detected from the content"),
    "rd_non_earth": ("hệ tọa độ của tệp ({name}) không gắn với mặt đất: hệ tọa độ được đoán từ tọa độ",
                     "the file's coordinate system ({name}) places nothing on the earth: coordinate system guessed from the coordinates"),
    "rd_vn2000": ("hệ tọa độ {name} được đọc là {crs}, có tham số chuyển đổi VN-2000",
                  "coordinate system {name} read as {crs}, with the VN-2000 datum shift"),
    "rd_kobo_groups": ("bỏ tên nhóm KoboToolbox khỏi {n} tên cột (ví dụ {example})",
                       "KoboToolbox group paths dropped from {n} column names (e.g. {example})"),
    "rd_geopoint_unused": ("không dùng điểm GPS {name}: tệp đã có cột kinh độ/vĩ độ",
                           "geopoint {name} not used: the file has its own latitude/longitude columns"),
    "rd_geopoint_parts": ("cột điểm GPS '{lat}' và '{lon}' được dùng làm vĩ độ và kinh độ",
                          "geopoint columns '{lat}' and '{lon}' used as lat and lon"),
    "rd_geopoint_split": ("cột điểm GPS {name} được tách thành vĩ độ và kinh độ", "geopoint column {name} split into lat and lon"),
    "rd_geopoint_others": ("các điểm GPS khác giữ nguyên: {names}", "other geopoints kept as they are: {names}"),
    "rd_err_quote": ("{file}: dòng {row} mở dấu ngoặc kép (\") mà không đóng, nên phần còn lại của tệp sẽ thành một ô; sửa dòng đó rồi nhập lại",
                     "{file}: row {row} opens a double quote (\") that is never closed, so the rest of the file would be one cell; fix that row and import again"),
    # whole-file refusals
    "imp_err_no_crs": ("tệp không khai báo hệ tọa độ và không hệ nào đặt các điểm vào Cao Bằng; chọn ở ô «Hệ tọa độ» (dòng lệnh: --crs EPSG:XXXX; EPSG:9210 là VN-2000 / TM-3 105-45)",
                       "no coordinate system declared and none puts the points in Cao Bằng; choose it in «Coordinate system» (command line: --crs EPSG:XXXX; EPSG:9210 is VN-2000 / TM-3 105-45)"),
    "imp_err_crs_ambiguous": ("tọa độ khớp với nhiều hệ: {value}; chọn ở ô «Hệ tọa độ» (dòng lệnh: --crs EPSG:XXXX)",
                              "the coordinates fit more than one system: {value}; choose it in «Coordinate system» (command line: --crs EPSG:XXXX)"),
    "imp_err_kind": ("loại dữ liệu phải là một trong {value}, không phải {kind}", "kind must be one of {value}, got {kind}"),
    "imp_err_crs": ("--crs phải là mã EPSG như EPSG:9210, không phải {value}", "--crs must be an EPSG code such as EPSG:9210, got {value}"),
    "imp_err_crs_unknown": ("--crs {value}: không có mã EPSG này", "--crs {value}: no such EPSG code"),
    "imp_err_not_found": ("{value}: không tìm thấy tệp", "{value}: file not found"),
    "imp_err_no_rows": ("{value}: không có dòng hợp lệ nào để nhập", "{value}: no good rows to import"),
    "imp_err_no_geometry": ("không có hình học và không có cột tọa độ (Kinh độ/Vĩ độ, hoặc X/Y)",
                            "no geometry and no coordinate columns (lon/lat, Kinh độ/Vĩ độ, or X/Y)"),
    "imp_err_id_column": ("không có cột {what} ({vietnamese} / {column}); chỉ định ở ô «Ghép cột» (TÊN_CỘT={column}; dòng lệnh: --column 'TÊN_CỘT={column}')",
                          "no {what} column ({vietnamese} / {column}); name it in «Map columns» (NAME={column}; command line: --column 'NAME={column}')"),
    "imp_err_hazard_type": ("không có cột loại thiên tai: nếu cả tệp là một loại, chọn loại đó (ô «Bản đồ một loại thiên tai»; dòng lệnh: --hazard-type " + _HAZARD_BAR + "), hoặc chỉ định cột (ô «Ghép cột»; dòng lệnh: --column 'TÊN_CỘT=hazard_type')",
                            "no hazard type column: if the whole file is one hazard, choose it («Single-hazard map»; command line: --hazard-type " + _HAZARD_BAR + "), or name the column («Map columns»; command line: --column 'NAME=hazard_type')"),
    "imp_err_level": ("không có cột cấp độ/mức độ nguy cơ; chỉ định ở ô «Ghép cột» (TÊN_CỘT=level; dòng lệnh: --column 'TÊN_CỘT=level')",
                      "no level column; name it in «Map columns» (NAME=level; command line: --column 'NAME=level')"),
    "imp_err_indicator_columns": ("không đọc được chỉ tiêu: cần cột Mã chỉ tiêu và Năm, bảng theo năm, hoặc biểu báo cáo có tên chỉ tiêu ở dòng tiêu đề",
                                  "no indicators found: give Mã chỉ tiêu and Năm columns, a table by year, or a report annex with indicator names in its header"),
    "imp_err_values": ("không có cột giá trị (Giá trị, hoặc Tử số và Mẫu số)", "no value, or numerator and denominator, columns (Giá trị / Tử số / Mẫu số)"),
    "imp_err_value_arg": ("--value {value}: viết dạng GIÁ_TRỊ=NGHĨA", "--value {value}: write it as VALUE=MEANING"),
    "imp_err_hazard_arg": ("--hazard-type phải là " + _HAZARD_OR_VI + ", không phải {value}",
                           "--hazard-type must be " + _HAZARD_OR_EN + ", got {value}"),
}


#: Column headers of every table a user reads (screen, exports, CLI), by column name.
COLUMN_TEXT: dict[str, tuple[str, str]] = {
    "household_id": ("Mã hộ", "Household id"),
    "ma_xa": ("Mã xã", "Commune code"),
    "name_vi": ("Tên", "Name"),
    "ma_xa_located": ("Xã (theo tọa độ)", "Commune (by location)"),
    "ma_xa_declared": ("Xã (ghi trong hồ sơ)", "Commune (as recorded)"),
    "commune_declared": ("Tên xã ghi trong hồ sơ", "Commune name as recorded"),
    "commune_located": ("Xã (theo tọa độ)", "Commune (by location)"),
    "village_id": ("Mã thôn", "Village id"),
    "village": ("Thôn", "Village"),
    "ethnicity": ("Dân tộc", "Ethnicity"),
    "dtts": ("Dân tộc thiểu số", "Ethnic minority"),
    "members": ("Số khẩu", "Members"),
    "poor": ("Hộ nghèo", "Poor"),
    "scattered": ("Cư trú phân tán", "Scattered"),
    "level": ("Mức nguy cơ cao nhất", "Highest hazard level"),
    "max_level": ("Mức nguy cơ cao nhất", "Highest hazard level"),
    # a change between two versions of the hazard zones (geo.zoneversions): old_/new_ of each level column
    **{f"{when}_{column}": (f"{vi} ({when_vi})", f"{en} ({when_en})")
       for column, vi, en in [("max_level", "Mức nguy cơ cao nhất", "Highest hazard level"),
                              *((h.level_column, h.level_header_vi, h.level_header_en) for h in HAZARD_VOCAB)]
       for when, when_vi, when_en in (("old", "phiên bản cũ", "old version"), ("new", "phiên bản mới", "new version"))},
    "households_changed": ("Số hộ đổi mức", "Households changed"),
    "households_raised": ("Tăng mức", "Raised"),
    "households_lowered": ("Giảm mức", "Lowered"),
    "households_entered": ("Nay ở mức đã chọn trở lên", "Now at the chosen level or above"),
    "households_left": ("Nay dưới mức đã chọn", "Now below the chosen level"),
    **{h.level_column: (h.level_header_vi, h.level_header_en) for h in HAZARD_VOCAB},  # data/hazards.yaml
    "resettlement_status": ("Tình trạng di dời", "Resettlement status"),
    "resettlement_form": ("Hình thức bố trí", "Resettlement form"),
    "resettlement_date": ("Ngày di dời", "Resettlement date"),
    "site_id": ("Mã điểm tái định cư", "Site id"),
    "assignment": ("Vị trí so với ranh giới xã", "Position against commune boundaries"),
    "mismatch": ("Xã ghi khác xã theo tọa độ", "Recorded commune differs"),
    "gap_m": ("Khoảng cách đến xã gần nhất (m)", "Distance to the nearest commune (m)"),
    "households": ("Số hộ", "Households"),
    "indicator_id": ("Mã chỉ tiêu", "Indicator"),
    "name": ("Tên chỉ tiêu", "Indicator name"),
    "value": ("Giá trị", "Value"),
    "unit": ("Đơn vị tính", "Unit"),
    "target_value": ("Mục tiêu 2025", "2025 target"),
    "expected": ("Mức cần đạt năm nay", "Expected this year"),
    "status": ("Tình trạng", "Status"),
    "listing": ("Danh sách ĐBKK so với 2020", "ĐBKK list against 2020"),
    "entered": ("Số mới vào danh sách", "Entered the list"),
    "n_units": ("Số đơn vị", "Units"),
    "n_reported": ("Số đơn vị có số liệu", "Units reporting"),
    "n_value_only": ("Số đơn vị chỉ báo tỷ lệ", "Units with a share only"),
    "coverage": ("Căn cứ", "Based on"),
    "notes": ("Ghi chú", "Notes"),
    "done_before": ("Đã bố trí trước 2021", "Done before 2021"),
    "done_before_2021": ("Hộ đã bố trí trước 2021 (tính riêng)", "Households done before 2021 (apart)"),
    "gap": ("Còn thiếu", "Gap"),
    "years_needed": ("Số năm cần thêm", "Years still needed"),
    "year": ("Năm", "Year"),
    "value_year": ("Năm của số liệu", "Year of the value"),
    "numerator": ("Tử số", "Numerator"),
    "denominator": ("Mẫu số", "Denominator"),
    "district_vi": ("Huyện", "District"),
    "username": ("Tên đăng nhập", "User name"),
    "role": ("Vai trò", "Role"),
    "communes": ("Xã được giao", "Communes assigned"),
    "created_at": ("Ngày tạo", "Created"),
    "imported_at": ("Thời điểm nhập", "Imported at"),
    "file_name": ("Tệp nguồn", "Source file"),
    "sha256": ("Mã kiểm tra SHA-256", "SHA-256 checksum"),
    "kind": ("Loại dữ liệu", "Kind of data"),
    "layer": ("Lớp", "Layer"),
    "version": ("Phiên bản", "Version"),
    "rows_in": ("Số dòng đọc", "Rows read"),
    "rows_rejected": ("Số dòng bị loại", "Rows rejected"),
    "imported_by": ("Người nhập", "Imported by"),
    "old_status": ("Tình trạng cũ", "Old status"),
    "new_status": ("Tình trạng mới", "New status"),
    "changed_at": ("Thời điểm", "Changed at"),
    "changed_by": ("Người cập nhật", "Changed by"),
    "expected_status": ("Tình trạng người sửa thấy", "Status the editor saw"),
    "outcome": ("Kết quả", "Outcome"),
    "at_risk": ("Hộ DTTS phân tán cần bố trí", "At-risk scattered DTTS households"),
    "done": ("Đã di dời hoặc ổn định", "Resettled or stabilised"),
    "needed": ("Còn cần để đạt 60%", "Still needed for 60%"),
    "share": ("Tỷ lệ đã bố trí", "Share done"),
    "line_reached": ("Đạt so với mức 60% (%)", "Of the 60% line reached (%)"),
    "target_households": ("Số hộ cần đạt 60%", "Households for 60%"),
    "expected_share": ("Lộ trình đến 60%", "Path to 60%"),
    "in_zones": ("Hộ trong vùng nguy cơ", "Households in hazard zones"),
    "capacity": ("Sức chứa (hộ)", "Capacity (households)"),
    "form": ("Hình thức", "Form"),
    "hazard_type": ("Loại thiên tai", "Hazard type"),
    "status_before": ("Tình trạng năm so sánh", "Status in the earlier year"),
    "status_after": ("Tình trạng năm chọn", "Status in the chosen year"),
    "change": ("Thay đổi", "Change"),
    "value_before": ("Giá trị năm so sánh", "Value in the earlier year"),
    "value_after": ("Giá trị năm chọn", "Value in the chosen year"),
    "value_change": ("Chênh lệch giá trị", "Change of value"),
    "impact_level": ("Mức nguy cơ", "Hazard level"),
    "area": ("Địa bàn", "Area"),
    "people": ("Số khẩu", "People"),
    "dtts_households": ("Hộ DTTS", "Ethnic-minority households"),
    "scattered_households": ("Hộ cư trú phân tán", "Scattered households"),
    "poor_households": ("Hộ nghèo", "Poor households"),
    "zone_id": ("Mã vùng", "Zone id"),
    "source": ("Nguồn", "Source"),
    "present": ("Có dữ liệu", "Present"),
    "rows": ("Số dòng", "Rows"),
    # the resettlement plan proposal (geo.placement)
    "rank": ("Thứ tự ưu tiên", "Priority rank"),
    "note": ("Ghi chú", "Note"),
    "plan_rule": ("Quy tắc đề xuất", "Proposal rule"),
    "plan_unsafe_level": ("Điểm không an toàn: trong vùng nguy cơ từ mức", "Unsafe site: in a zone from level"),
    "target_unit": ("Xã tính chỉ tiêu 60%", "Unit counted for 60%"),
    "site_name": ("Tên điểm tái định cư", "Site name"),
    "distance_m": ("Khoảng cách đường chim bay (m)", "Straight-line distance (m)"),
    "within_target": ("Nằm trong số cần để đạt 60%", "Fills the 60% line"),
    "towards_target": ("Đề xuất để đạt 60%", "Proposed towards 60%"),
    "reason": ("Lý do chưa bố trí được", "Why not placed"),
    "nearest_safe_site": ("Điểm an toàn gần nhất", "Nearest safe site"),
    "nearest_safe_m": ("Khoảng cách đến điểm an toàn gần nhất (m)", "Distance to the nearest safe site (m)"),
    "under_way": ("Đã có kế hoạch, đang di dời", "Already under way"),
    "candidates": ("Hộ chưa có kế hoạch", "Households without a plan"),
    "proposed": ("Đề xuất bố trí", "Proposed"),
    "short": ("Còn thiếu so với 60%", "Still short of 60%"),
    "unplaced": ("Chưa bố trí được", "Not placed"),
    "used": ("Đã sử dụng (hộ)", "Already used (households)"),
    "safe": ("An toàn", "Safe"),
    "remaining": ("Còn trống sau đề xuất (hộ)", "Room left after the proposal (households)"),
}

TEXT: dict[str, tuple[str, str]] = {
    # statuses of an indicator
    "achieved": ("Đã đạt", "Achieved"),
    "on_track": ("Đúng tiến độ", "On track"),
    "behind": ("Chậm tiến độ", "Behind"),
    "no_data": ("Chưa có số liệu", "No data"),
    "not_applicable": ("Không áp dụng", "Not applicable"),
    # a unit's place on the extremely-difficult (ĐBKK) list against 2020 (targets 3a, 3b: judged for the province only)
    "left": ("Đã ra khỏi danh sách", "Left the list"),
    "still_listed": ("Vẫn trong danh sách", "Still listed"),
    "entered": ("Mới vào danh sách", "Entered the list"),
    "not_listed": ("Không trong danh sách", "Not listed"),
    # what a province status rests on (catalogue: min_coverage)
    "cov_units": ("từ {n} trên {total} xã", "from {n} of {total} communes"),
    "cov_value_only": ("{n} xã chỉ báo tỷ lệ (không có tử số, mẫu số) nên không cộng vào tỷ lệ toàn tỉnh",
                       "{n} communes gave only a share (no numerator, denominator), not added into the province share"),
    "cov_too_few": ("dưới mức tối thiểu {share} số xã: chưa đánh giá", "below the minimum of {share} of communes: not judged"),
    "entered_apart": ("{n} đơn vị mới vào danh sách (tính riêng, không trừ vào số đã ra)",
                      "{n} units entered the list (counted apart, never taken from those that left)"),
    "standard_note": ("Thay đổi chuẩn", "Change of standard"),
    "done_before_apart": ("{n} hộ đã bố trí trước năm 2021 (ngoài giai đoạn 2021-2025, tính riêng)",
                          "{n} households done before 2021 (outside 2021-2025, counted apart)"),
    # hazards
    **{h.code: (h.name_vi, h.name_en) for h in HAZARD_VOCAB},  # the hazard types, data/hazards.yaml
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
    "district_lines": ("Ranh giới huyện (đến 30/6/2025)", "District boundaries (until 30/6/2025)"),
    "legend_buffer": ("Vùng nguy cơ nới rộng {m} m (vùng đệm)", "Hazard zones grown by the {m} m buffer"),
    "legend_cluster": ("Nhóm hộ gần nhau (số hộ); phóng to để thấy từng hộ",
                       "Households close together (count); zoom in to see each"),
    "legend_grid": ("Số hộ trong ô lưới 2 km (quá nhiều hộ để vẽ từng hộ); chọn xã để thấy từng hộ",
                    "Households in a 2 km grid cell (too many to draw one by one); choose communes to see each"),
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
    "of_target": ("{value} (mục tiêu {target})", "{value} (target {target})"),
    "resettled_share": ("Hộ đã bố trí, di dời (mục tiêu 60%)", "Households resettled (target 60%)"),
    "indicators_behind": ("Chỉ tiêu chậm tiến độ (toàn tỉnh)", "Indicators behind (province)"),
    "profile": ("Hồ sơ xã", "Commune profile"),
    "profile_hint": ("Bấm vào một xã trên bản đồ hoặc chọn ở đây.", "Click a commune on the map or choose it here."),
    "trajectory": ("Diễn biến so với lộ trình đến mục tiêu", "Values against the path to the target"),
    "path": ("Lộ trình", "Path"),
    "grid": ("Tất cả chỉ tiêu theo xã", "All indicators by commune"),
    "grid_show": ("Hiện bảng tình trạng mọi chỉ tiêu của mọi xã", "Show the status of every indicator in every commune"),
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
    "impact_total": ("Tổng (các địa bàn trên)", "Total (the areas above)"),
    "improved": ("Tiến bộ hơn", "Improved"),
    "same": ("Giữ nguyên", "Same"),
    "worse": ("Lùi lại", "Worse"),
    "compare_since": ("So sánh với năm", "Compare with the year"),
    "compare_none": ("Không so sánh", "No comparison"),
    "compare_earlier": ("Chọn một năm trước {year} để so sánh.", "Choose a year before {year} to compare."),
    "change_title": ("{name}: thay đổi tình trạng {since} → {year}", "{name}: change of status {since} → {year}"),
    "change_table": ("Các xã đổi nhóm tình trạng từ {since} đến {year}", "Communes whose status moved from {since} to {year}"),
    "no_change": ("Không xã nào đổi nhóm tình trạng.", "No commune's status moved."),
    "status_then": ("Tình trạng năm trước", "Status then"),
    "status_now": ("Tình trạng năm nay", "Status now"),
    "value_then": ("Giá trị năm trước", "Value then"),
    "value_now": ("Giá trị năm nay", "Value now"),
    "change_label": ("Thay đổi", "Change"),
    "target_source": ("nguồn: chỉ tiêu số {source} của Kế hoạch 2021-2025 (bài viết gốc trong docs/indicators.md)",
                      "source: target {source} of the 2021-2025 plan (the original wording in docs/indicators.md)"),
    "level_0": ("Ngoài vùng nguy cơ ở mức đã chọn", "Outside the zones at the chosen level"),
    "impact": ("Tổng hợp tác động: số hộ, số khẩu theo loại thiên tai, mức nguy cơ và xã",
               "Impact summary: households and people by hazard type, level and commune"),
    "impact_hint": ("Mỗi loại thiên tai cộng đủ số hộ theo bộ lọc (một hộ trong vùng của hai loại được tính ở cả hai); "
                    "dòng Tổng cộng các địa bàn. Chọn một xã để xem theo thôn.",
                    "Each hazard type adds up to the households under the filters (a household in zones of two types "
                    "counts under both); the Total rows add up the areas. Choose one commune to see villages."),
    "zone_changes": ("Hộ đổi mức nguy cơ giữa hai phiên bản vùng nguy cơ",
                     "Households whose hazard level changed between two versions of the zones"),
    "zone_changes_one": ("Kho có {n} phiên bản vùng nguy cơ: khi nhập một phiên bản mới (trang Nhập dữ liệu), "
                         "các hộ đổi mức sẽ hiện ở đây.",
                         "The workspace holds {n} version(s) of the hazard zones: once a new version is imported "
                         "(Import page), the households whose level changed show here."),
    "zone_version_old": ("Phiên bản cũ", "Older version"),
    "zone_version_new": ("Phiên bản mới", "Newer version"),
    "zone_changes_summary": ("Vùng nguy cơ phiên bản {old} → {new}: {changed} trên {total} hộ đổi mức nguy cơ",
                             "Hazard zones v{old} → v{new}: {changed} of {total} households changed level"),
    "zone_changes_hint": ("Một hộ đổi mức khi mức của một loại thiên tai nào đó thay đổi; tăng, giảm: mức cao nhất "
                          "của mọi loại; 'nay ở mức đã chọn trở lên': mức {level} trở lên ở phiên bản mới, dưới mức "
                          "đó ở phiên bản cũ. Vùng đệm {buffer} m; xã theo tọa độ của hộ.",
                          "A household changed when its level of some hazard type changed; raised, lowered: its "
                          "highest level of any type; 'now at the chosen level or above': level {level} or above in "
                          "the newer version, below it in the older. Buffer {buffer} m; commune by the household's "
                          "location."),
    "ranking": ("Xếp hạng xã theo số hộ còn cần để đạt 60%", "Communes ranked by households still needed for 60%"),
    "table_page": ("Trang", "Page"),
    "table_rows": ("Dòng {first}–{last} trên {total} (mỗi trang {size} dòng; tải bảng dữ liệu để có tất cả)",
                   "Rows {first}–{last} of {total} ({size} a page; download the data table for all of them)"),
    "download_csv": ("Tải CSV", "Download CSV"),
    "site_errors": ("Điểm tái định cư nằm trong vùng nguy cơ: cần điều chỉnh", "Resettlement sites inside a hazard zone: to be fixed"),
    "household_record": ("Thông tin hộ", "Household record"),
    "map_points_note": ("Bản đồ gộp điểm khi có nhiều hộ; phóng to hoặc chọn xã để xem từng hộ.",
                        "Points are clustered when there are many; zoom in or choose a commune to see each household."),
    "level": ("Mức", "Level"),
    "export": ("Xuất bản đồ và dữ liệu cho báo cáo", "Export maps and data for reports"),
    "format": ("Định dạng", "Format"),
    "paper": ("Khổ giấy", "Paper"),
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
    "upload": ("Tệp: Shapefile nén zip, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, MapInfo (zip), CSV, XLSX",
               "File: zipped Shapefile, GeoPackage, GeoJSON, KML/KMZ, FlatGeobuf, GeoParquet, MapInfo (zip), CSV, XLSX"),
    "imported_by": ("Người nhập", "Imported by"),
    "import_refused": ("Không nhập được tệp", "The file cannot be imported"),
    # geo.safefiles: a zip that expands too much as a whole (sizes format themselves as {size:vi} / {size:en})
    "zip_err_ratio": ("{file}: sẽ giải nén thành {unzipped:vi} từ {zipped:vi} dữ liệu nén, gấp hơn {limit} lần, "
                      "giống bom zip; hãy tải lên dữ liệu gốc, nén zip bình thường",
                      "{file}: would unzip to {unzipped:en} from {zipped:en} of compressed data, more than {limit}× "
                      "its size, like a zip bomb; upload the original data, zipped normally"),
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
    "yes": ("Có", "Yes"),
    "no": ("Không", "No"),
    "assign_inside": ("Trong một xã", "Inside one commune"),
    "assign_overlap": ("Trong vùng chồng lấn hai xã", "Where two communes overlap"),
    "assign_gap": ("Ở khe hở giữa các xã (gán xã gần nhất)", "In a gap between communes (nearest commune)"),
    "assign_no_location": ("Không có vị trí", "No location"),
    "assign_declared": ("Theo hồ sơ (kho chưa có ranh giới xã)", "As recorded (no commune boundaries yet)"),
    "outcome_applied": ("Đã lưu", "Saved"),
    "outcome_conflict": ("Không lưu (xung đột)", "Not saved (conflict)"),
    # pages: what is missing, where figures come from, unexpected failures
    "incident": ("Đã xảy ra sự cố không lường trước ({error}). Mã sự cố: {incident} — hãy báo mã này cho quản trị viên; "
                 "chi tiết đã được ghi vào nhật ký máy chủ.",
                 "Something unexpected went wrong ({error}). Incident {incident} — quote this code to your "
                 "administrator; the details are in the server log."),
    "missing_communes_2020": ("Kho chưa có ranh giới 161 xã (2020-2025): bản đồ chỉ hiện những gì đã có, xã của hộ lấy theo hồ sơ.",
                              "The workspace has no boundaries of the 161 communes (2020-2025) yet: the map shows what exists, households' communes are taken from their records."),
    "missing_communes_2025": ("Kho chưa có ranh giới 56 xã, phường từ 1/7/2025.",
                              "The workspace has no boundaries of the 56 units from 1 July 2025 yet."),
    "missing_villages": ("Kho chưa có danh sách thôn.", "The workspace has no villages yet."),
    "missing_households": ("Kho chưa có danh sách hộ dân: chưa thể tính số hộ trong vùng nguy cơ.",
                           "The workspace has no households yet: households in hazard zones cannot be counted."),
    "missing_hazard_zones": ("Kho chưa có vùng nguy cơ thiên tai: chưa hộ nào được xác định là trong vùng nguy cơ.",
                             "The workspace has no hazard zones yet: no household is counted as at risk."),
    "missing_sites": ("Kho chưa có điểm tái định cư: chưa kiểm tra được an toàn của điểm.",
                      "The workspace has no resettlement sites yet: no site can be checked."),
    "missing_indicator_values": ("Kho chưa có số liệu chỉ tiêu: mọi xã hiện «Chưa có số liệu».",
                                 "The workspace has no indicator values yet: every commune shows “No data”."),
    "go_import": ("Nhập {what}", "Import {what}"),
    "ask_admin": ("Nhờ quản trị viên nhập dữ liệu này.", "Ask an administrator to import it."),
    "layer_communes_2020": ("ranh giới xã 2020-2025", "commune boundaries 2020-2025"),
    "layer_communes_2025": ("ranh giới xã từ 7/2025", "unit boundaries from July 2025"),
    "layer_villages": ("thôn", "villages"),
    "layer_households": ("hộ dân", "households"),
    "layer_hazard_zones": ("vùng nguy cơ", "hazard zones"),
    "layer_sites": ("điểm tái định cư", "resettlement sites"),
    "layer_indicator_values": ("số liệu chỉ tiêu", "indicator values"),
    "sources": ("Nguồn", "Sources"),
    "provenance_import": ("{layer}: tệp {file}, phiên bản {version}, {by} nhập lúc {when}",
                          "{layer}: file {file}, version {version}, imported by {by} on {when}"),
    "provenance_demo": ("{layer}: dữ liệu minh họa, tạo ngày {when}", "{layer}: demo data, made on {when}"),
    "workspace_status": ("Tình trạng kho dữ liệu (các lớp đã nhập)", "Workspace status (the layers imported)"),
    "unit": ("Đơn vị tính", "Unit"),
    "rule": ("Mục tiêu theo kế hoạch", "Target in the plan"),
    "no_values_for_year": ("Chưa có số liệu năm {year} cho chỉ tiêu này (có các năm: {years}).",
                           "No values for {year} for this indicator (years held: {years})."),
    "latest_values": ("Số liệu mới nhất là năm {year}: chọn năm đó để xem.",
                      "The latest values are for {year}: choose that year to see them."),
    "choose": ("Chọn", "Choose"),
    "no_values_commune": ("Xã này chưa có số liệu của chỉ tiêu này.", "This commune has no values for this indicator."),
    "nothing_at_risk": ("Không có hộ DTTS cư trú phân tán nào trong vùng nguy cơ theo bộ lọc này.",
                        "No scattered ethnic-minority household lies in a hazard zone under these filters."),
    "auto": ("tự nhận", "auto"),
    "gpkg_layer_hint": ("để trống nếu tệp chỉ có một lớp", "leave empty when the file has one layer"),
    "upload_help": ("Kéo thả tệp vào đây hoặc bấm để chọn; tệp được kiểm tra trước, chưa ghi gì cho đến khi bấm nhập.",
                    "Drop a file here or click to choose; it is checked first and nothing is written until you import."),
    "imported_layer": ("Đã nhập {layer}, phiên bản {version}", "Imported {layer}, version {version}"),
    # accounts page
    "change_password": ("Đổi mật khẩu", "Change password"),
    "current_password": ("Mật khẩu hiện tại", "Current password"),
    "new_password": ("Mật khẩu mới", "New password"),
    "password_changed": ("Đã đổi mật khẩu", "Password changed"),
    "reset_password": ("Đặt lại mật khẩu", "Reset a password"),
    "password_reset": ("Đã đặt lại mật khẩu của {user}", "Password of {user} reset"),
    "communes_assigned": ("Xã được giao (cán bộ, kế hoạch; để trống: tất cả)",
                          "Communes assigned (officers, planners; empty: all)"),
    "user_added": ("Đã thêm tài khoản {user} ({role})", "Account {user} added ({role})"),
    "user_removed": ("Đã xóa tài khoản {user}", "Account {user} removed"),
    "cli_status_no_boundaries": ("# kho chưa có ranh giới xã: {n} xã có số liệu được liệt kê theo danh mục chính thức",
                                 "# the workspace has no commune boundaries: {n} communes with values listed from the official list"),
    "cli_status_unbounded": ("# {n} xã có số liệu nhưng chưa có ranh giới trong kho: {codes}",
                             "# {n} communes have values but no boundary in the workspace: {codes}"),
    "cli_err_no_zones": ("{path}: không có vùng nguy cơ thiên tai nào: chưa thể xác định hộ trong vùng nguy cơ (nhập vùng nguy cơ trước)",
                         "{path}: no hazard zones: households in zones cannot be flagged (import the hazard zones first)"),
    "cli_err_onto_workspace": ("{path}: là kho dữ liệu (hoặc nằm trong kho): không ghi đè; chọn một tệp khác",
                               "{path}: is a workspace (or inside one): not overwritten; choose another file"),
    "cli_err_exists_force": ("{path}: tệp đã có; thêm --force để thay thế", "{path}: already exists; add --force to replace it"),
    "cli_err_no_folder": ("{path}: thư mục không tồn tại", "{path}: no such folder"),
    "cli_err_not_workspace": ("{path}: không phải kho dữ liệu (cần một tệp GeoPackage do công cụ tạo; tệp này là thư mục, tệp khác loại hoặc GeoPackage hỏng)",
                              "{path}: not a workspace (a GeoPackage made by this tool is needed; this is a folder, another kind of file or a damaged GeoPackage)"),
    "cli_workspace_sound": ("{path}: kho dữ liệu không có lỗi", "{path}: the workspace is sound"),
    "map_err_communes": ("mã xã chưa biết trong {units} đơn vị: {value}", "unknown commune code(s) for the {units} units: {value}"),
    "exp_err_no_geometry": ("{path}: bảng này (số hộ theo xã hoặc tổng toàn tỉnh) không có hình học; xuất thành .csv hoặc .xlsx",
                            "{path}: this table (counts per commune or province totals) has no geometry; export it as .csv or .xlsx"),
    "out_err_type": ("{path}: loại tệp kết quả chưa hỗ trợ; dùng {choices}", "{path}: unknown output type; use one of {choices}"),
    "out_err_geometry": ("{path}: kết quả này không có hình học; ghi thành .csv", "{path}: this result has no geometry; write it as .csv"),
    # the officers' filter
    "risk_err_types": ("loại thiên tai chưa biết: {value}; dùng {choices}", "unknown hazard type(s): {value}; use {choices}"),
    "risk_err_level": ("mức nguy cơ phải từ 1 đến 5, không phải {value}", "the hazard level must be 1-5, got {value}"),
    "risk_err_buffer": ("vùng đệm phải là số mét từ 0 trở lên, không phải {value}", "the buffer must be 0 metres or more, got {value}"),
    "risk_err_year": ("năm phải từ {first} đến {last}, không phải {value}", "the year must be {first}-{last}, got {value}"),
    "risk_err_units": ("đơn vị hành chính phải là 2020 hoặc 2025, không phải {value}", "units must be 2020 or 2025, got {value}"),
    "risk_err_statuses": ("tình trạng di dời chưa biết: {value}; dùng {choices}", "unknown resettlement status(es): {value}; use {choices}"),
    # units of the catalogue
    "unit_%": ("%", "%"),
    "unit_triệu đồng/người/năm": ("triệu đồng/người/năm", "million VND/person/year"),
    "unit_xã": ("xã", "communes"),
    "unit_thôn": ("thôn", "villages"),
    "unit_cặp": ("cặp", "couples"),
    "unit_mức": ("mức", "level"),
    # exports
    "exp_sheet_data": ("Dữ liệu", "Data"),
    "exp_sheet_columns": ("Giải thích cột", "Columns"),
    "exp_sheet_about": ("Thông tin xuất", "About"),
    "exp_description": ("Ý nghĩa", "Description"),
    "exp_item": ("Mục", "Item"),
    "exp_title": ("Tiêu đề", "Title"),
    "exp_at": ("Thời điểm xuất", "Exported at"),
    "exp_by": ("Người xuất", "Exported by"),
    "exp_personal": ("Thông tin cá nhân", "Personal fields"),
    "exp_personal_in": ("có thông tin cá nhân", "includes personal fields"),
    "exp_personal_out": ("không gồm thông tin cá nhân", "personal fields excluded"),
    "exp_note_at": ("xuất lúc {at}", "exported {at}"),
    "exp_note_by": ("bởi {who}", "by {who}"),
    "exp_filter": ("Bộ lọc: {name}", "Filter: {name}"),
    "exp_footer": ("Nguồn dữ liệu: {source}; ngày dữ liệu {made}. Xuất ngày {today}.",
                   "Data source: {source}; data date {made}. Exported {today}."),
    "exp_atlas": ("Tập bản đồ theo xã: {kind}, năm {year}", "Commune atlas: {kind}, {year}"),
    "exp_more_communes": ("và {n} xã khác", "and {n} more"),
    "exp_district_lines": ("Ranh giới huyện", "District boundary"),
    "exp_commune_line": ("Ranh giới xã", "Commune boundary"),
    "exp_sites_unit": ("điểm", "sites"),
    "exp_people_unit": ("khẩu", "people"),
    "exp_household_list": ("Danh sách hộ theo thôn", "Households by village"),
    "exp_list_continued": ("(tiếp)", "(continued)"),
    "exp_no_village": ("Chưa rõ thôn", "Village unknown"),
    "exp_no_households": ("Không xã nào có hộ dân theo bộ lọc đã chọn", "No commune has households under these filters"),
    "exp_orientation": ("Hướng giấy", "Orientation"),
    "exp_orientation_auto": ("Theo bản đồ", "Fit the map"),
    "exp_orientation_portrait": ("Khổ dọc", "Portrait"),
    "exp_orientation_landscape": ("Khổ ngang", "Landscape"),
    "exp_all_communes": ("In cả xã không có hộ dân", "Also communes without households"),
    "exp_col_lon": ("Kinh độ (WGS 84)", "Longitude (WGS 84)"),
    "exp_col_lat": ("Vĩ độ (WGS 84)", "Latitude (WGS 84)"),
    "exp_col_name_vi": ("Tên xã", "Commune"),
    "exp_col_level": ("Mức nguy cơ cao nhất (loại thiên tai đã chọn)", "Highest level (chosen hazard types)"),
    "exp_col_baseline": ("Giá trị năm 2020", "2020 value"),
    "exp_col_reference": ("Tỷ lệ DTTS trong dân số", "Ethnic-minority share of the population"),
    "exp_col_behind_path": ("Chậm so với lộ trình", "Behind the path by"),
    "exp_col_hazard_types": ("Loại thiên tai", "Hazard types"),
    "exp_col_in_hazard": ("Trong vùng nguy cơ", "In a hazard zone"),
    "exp_col_head_name": ("Họ tên chủ hộ", "Household head"),
    "exp_col_id_number": ("Số định danh", "Identity number"),
    "exp_col_export_note": ("Ghi chú xuất dữ liệu", "Export note"),
    # accounts
    "err_role": ("vai trò phải là một trong {roles}, không phải {value}", "role must be one of {roles}, got {value}"),
    "err_no_username": ("hãy nhập tên đăng nhập", "give a user name"),
    "err_password_short": ("mật khẩu cần ít nhất {n} ký tự", "a password needs at least {n} characters"),
    "err_officer_communes": ("cán bộ cần được giao ít nhất một xã", "an officer needs the communes assigned to them"),
    "err_user_exists": ("tài khoản {value} đã có", "user {value} exists already"),
    "err_no_user": ("không có tài khoản {value}", "no user {value}"),
    "err_accounts_exist": ("đã có tài khoản: quản trị viên thêm người dùng", "accounts exist already: an admin adds users"),
    "err_locked": ("tài khoản bị khóa sau {n} lần đăng nhập sai; thử lại sau {minutes} phút",
                   "account locked after {n} failed logins; try again in {minutes} minutes"),
    "err_login": ("sai tên đăng nhập hoặc mật khẩu", "wrong user name or password"),
    "err_session_expired": ("phiên làm việc đã hết hạn: hãy đăng nhập lại", "session expired: log in again"),
    "err_account_gone": ("tài khoản này không còn nữa", "this account no longer exists"),
    "err_wrong_password": ("mật khẩu hiện tại không đúng", "the current password is wrong"),
    # {role:vi}/{action:en}: geo.access passes words that format themselves in the language named
    "err_forbidden": ("{user} ({role:vi}) không có quyền {action:vi}", "{user} ({role:en}) may not {action:en}"),
    "err_may_not_see": ("{user} không được xem {what}", "{user} may not see {what}"),
    "err_other_communes": ("{user} không được xem dữ liệu của xã {communes}", "{user} may not see communes {communes}"),
    "err_password_changed": ("mật khẩu của tài khoản đã được đổi: hãy đăng nhập lại",
                             "the account's password was changed: log in again"),
    "action_see_indicators": ("xem chỉ tiêu", "see indicators"),
    "action_see_household_counts": ("xem số hộ tổng hợp", "see household counts"),
    "action_see_households": ("xem danh sách hộ", "see households"),
    "action_edit_status": ("sửa trạng thái tái định cư", "edit resettlement statuses"),
    "action_export_personal": ("xuất dữ liệu cá nhân", "export personal data"),
    "action_import": ("nhập dữ liệu", "import data"),
    "action_manage_users": ("quản lý tài khoản", "manage accounts"),
    # command line
    "cli_error": ("lỗi: {message}", "error: {message}"),
    "cli_unexpected": ("sự cố không lường trước ({kind}: {text}); chạy lại với --debug để xem chi tiết",
                       "unexpected failure ({kind}: {text}); run again with --debug to see the details"),
    "cli_usage": ("{prog}: {message} (xem {prog} --help)", "{prog}: {message} (see {prog} --help)"),
    "cli_arg": ("tham số {name}: {message}", "argument {name}: {message}"),
    "cli_arg_choice": ("{value} không phải lựa chọn hợp lệ (chọn một trong {choices})",
                       "invalid choice: {value} (choose from {choices})"),
    "cli_arg_required": ("thiếu tham số bắt buộc: {names}", "the following arguments are required: {names}"),
    "cli_arg_unknown": ("tham số không nhận ra: {names}", "unrecognized arguments: {names}"),
    "cli_arg_one": ("cần một giá trị", "expected one argument"),
    "cli_arg_invalid": ("giá trị không hợp lệ: {value}", "invalid value: {value}"),
    "cli_arg_level": ("{value} không phải mức nguy cơ: dùng 1-5 hoặc {names}", "{value} is not a level: use 1-5 or {names}"),
    "cli_arg_year": ("{value}: các năm của chương trình là {first} đến {last}",
                     "{value}: the programme's years are {first} to {last}"),
    "cli_arg_metres": ("{value}: nhập khoảng cách bằng mét, từ 0 trở lên", "{value}: give a distance in metres, 0 or more"),
    "cli_arg_bbox": ("{value}: nhập kinh_độ_nhỏ,vĩ_độ_nhỏ,kinh_độ_lớn,vĩ_độ_lớn",
                     "{value}: give min_lon,min_lat,max_lon,max_lat"),
    "cli_err_not_found": ("{value}: không tìm thấy tệp hoặc thư mục", "{value}: no such file or directory"),
    "cli_err_exists": ("{value}: tệp đã có", "{value}: already exists"),
    "cli_err_permission": ("{value}: không có quyền đọc hoặc ghi tệp này", "{value}: no permission to read or write it"),
    "cli_err_directory": ("{value}: là thư mục, không phải tệp", "{value}: is a folder, not a file"),
    "cli_err_mix": ("hãy cho cả --households và --hazards (hoặc không cho cả hai, để dùng dữ liệu minh họa): "
                    "trộn tệp của bạn với dữ liệu minh họa sẽ cho kết quả vô nghĩa",
                    "give both --households and --hazards (or neither, for the demo data): "
                    "mixing your files with the demo data would give meaningless flags"),
    "cli_err_no_ma_xa": ("{path}: không có cột 'ma_xa' (mã xã 5 chữ số của Tổng cục Thống kê)",
                         "{path}: no 'ma_xa' column (the 5-digit GSO commune code)"),
    "cli_err_user": ("{path}: kho dữ liệu này có tài khoản: thêm --user TÊN (mật khẩu trong GEO_PASSWORD)",
                     "{path}: this workspace has accounts: give --user NAME (password in GEO_PASSWORD)"),
    "cli_err_types": ("--types: không có loại thiên tai {value}; dùng {choices}", "--types: no hazard type {value}; use {choices}"),
    "cli_err_atlas": ("{path}: tập bản đồ phải là tệp .pdf", "{path}: an atlas is a .pdf"),
    "cli_err_column": ("--column {value}: viết dạng TÊN=TÊN_CHUẨN", "--column {value}: write it as NAME=CANONICAL"),
    "cli_err_format": ("{path}: định dạng phải là một trong {formats}", "{path}: the format must be one of {formats}"),
    "cli_err_versions": ("{path}: vùng nguy cơ có các phiên bản {versions}; cho --from CŨ --to MỚI với CŨ < MỚI "
                         "(hoặc nhập một phiên bản mới hơn trước)",
                         "{path}: hazard zones have versions {versions}; give --from OLD --to NEW with OLD < NEW "
                         "(import a newer version first)"),
    "cli_password": ("mật khẩu của {user}: ", "password for {user}: "),
    "cli_no_communes": ("ghi chú: không có --communes: hộ không được gán vào xã",
                        "note: no --communes given: households are not placed in communes"),
    "cli_id": ("Mã", "Id"),
    "cli_communes_by_status": ("Xã chậm/đúng/đạt", "Communes behind/on/done"),
    "cli_status_written": ("đã ghi {n} đơn vị vào {path}: {counts}", "{n} units written to {path}: {counts}"),
    "cli_flagged": ("{households} hộ, {zones} vùng nguy cơ: {inside} hộ trong vùng mức {level} ({level_name}) trở lên "
                    "(vùng đệm {buffer} m), xử lý trong {seconds} giây",
                    "{households} households, {zones} zones: {inside} in a zone of level {level} ({level_name}) or "
                    "higher (buffer {buffer} m), flagged in {seconds} s"),
    "cli_flag_level": ("  mức {level} ({name}): {n}", "  level {level} ({name}): {n}"),
    "cli_flag_communes": ("  so với ranh giới xã: {counts}", "  against commune boundaries: {counts}"),
    "cli_flag_mismatch": ("; xã ghi trong hồ sơ khác xã theo tọa độ: {n}", "; record names another commune: {n}"),
    "cli_written": ("đã ghi: {path}", "written: {path}"),
    "cli_written_households": ("đã ghi: {path} ({n} hộ)", "written: {path} ({n} households)"),
    "cli_written_size": ("đã ghi: {path} ({size} kB)", "written: {path} ({size} kB)"),
    "cli_written_pages": ("đã ghi: {path} ({n} trang)", "written: {path} ({n} pages)"),
    "atlas_progress": ("trang {done}/{total}", "page {done}/{total}"),
    "cli_written_rows": ("đã ghi: {path} ({n} dòng, {personal})", "written: {path} ({n} rows, {personal})"),
    "cli_personal": ("kèm thông tin cá nhân", "with personal fields"),
    "cli_no_personal": ("không kèm thông tin cá nhân", "personal fields excluded"),
    "cli_rs_title": ("Bố trí, di dời hộ DTTS cư trú phân tán trong vùng nguy cơ mức {level} ({level_name}) trở lên, "
                     "đến hết năm {year}:",
                     "Resettlement of at-risk households (DTTS, scattered, level {level} ({level_name}) or higher) "
                     "by end of {year}:"),
    "cli_rs_total": ("  cần bố trí {at_risk} hộ; đã di dời hoặc ổn định {done} ({share}); lộ trình đến 60% cần {expected} "
                     "vào năm {year}; mốc 60%: {line} hộ; còn cần {needed} hộ",
                     "  at risk {at_risk}; resettled or stabilised {done} ({share}); path to 60% expects {expected} "
                     "by {year}; 60% line {line}; still needed {needed}"),
    "cli_rs_forms": ("  theo hình thức: tập trung {concentrated}, xen ghép {interspersed}, ổn định tại chỗ {in_place}; "
                     "đã có kế hoạch hoặc đang di dời {in_progress}",
                     "  by form: concentrated {concentrated}, interspersed {interspersed}, in place {in_place}; "
                     "planned or moving {in_progress}"),
    "cli_rs_sum": ("  cộng {n} đơn vị: cần bố trí {at_risk}, đã bố trí {done}", "  sum over {n} units: at risk {at_risk}, done {done}"),
    "cli_rs_path": ("  lộ trình: {years}", "  path: {years}"),
    "cli_rs_year": ("{year}: {share} (mốc {expected})", "{year} {share} (line {expected})"),
    "cli_rs_site": ("lỗi điểm tái định cư: {site} ({name}) nằm trong vùng {hazard} mức {level} ({level_name}): "
                    "cần dời điểm hoặc đánh giá lại vùng",
                    "site error: resettlement site {site} ({name}) lies in a {hazard} zone of level {level} "
                    "({level_name}): move it or reassess the zone"),
    "cli_hazard_changes": ("vùng nguy cơ phiên bản {old} -> {new}: {changed} trên {total} hộ đổi mức nguy cơ",
                           "hazard zones v{old} -> v{new}: {changed} of {total} households changed level"),
    "cli_copied": ("đã chép {n} bảng vào {path}: {names}", "copied {n} tables into {path}: {names}"),
    "cli_demo_written": ("đã ghi bộ dữ liệu minh họa: {path} ({size} MB, seed {seed})",
                         "demo dataset written: {path} ({size} MB, seed {seed})"),
    # check_workspace: one line per problem
    "ws_missing": ("{path}: không có kho dữ liệu ở đây", "{path}: no workspace here"),
    "ws_unreadable": ("{path}: không đọc được kho dữ liệu: {error}", "{path}: the workspace cannot be read: {error}"),
    "ws_integrity": ("{path}: tệp bị hỏng (kiểm tra toàn vẹn): {error}", "{path}: damaged file (integrity check): {error}"),
    "ws_no_schema": ("{path}: cơ sở dữ liệu chưa có kho (schema {schema})", "{path}: no workspace in this database (schema {schema})"),
    "ws_no_table": ("thiếu bảng {table}", "table {table} is missing"),
    "ws_version_missing": ("lịch sử nhập ghi {layer} phiên bản {version} nhưng không có bảng {table}",
                           "the import history lists {layer} version {version} but there is no table {table}"),
    "ws_orphan_version": ("bảng {table} không có trong lịch sử nhập ({layer} phiên bản {version})",
                          "table {table} is not in the import history ({layer} version {version})"),
    "ws_people_columns": ("bảng {table} thiếu cột: cần {columns}", "table {table} lacks columns: needs {columns}"),
    "ws_orphan_people": ("{n} dòng của {table} không thuộc hộ nào (vd. {examples})",
                         "{n} rows of {table} belong to no household (e.g. {examples})"),
    "ws_users_columns": ("bảng tài khoản thiếu cột: {columns}", "account table: missing columns {columns}"),
    "ws_user_no_name": ("bảng tài khoản: dòng {row} không có tên đăng nhập", "account table: row {row} has no user name"),
    "ws_user_twice": ("bảng tài khoản: tên {user!r} có hai lần", "account table: user {user!r} appears twice"),
    "ws_user_no_hash": ("bảng tài khoản: người dùng {user!r} không có mật khẩu (mã băm trống)",
                        "account table: user {user!r} has no password hash"),
    "ws_user_role": ("bảng tài khoản: người dùng {user!r} có vai trò lạ {role!r} (dùng {roles})",
                     "account table: user {user!r} has an unknown role {role!r} (use {roles})"),
    "imp_personal": ("thông tin cá nhân (họ tên chủ hộ, số định danh) của {n} hộ được lưu riêng trong bảng {table}, "
                     "không nằm trong lớp hộ",
                     "personal fields (household head's name, identity number) of {n} households are kept apart in "
                     "table {table}, not in the households layer"),
    # the resettlement plan proposal (geo.placement, ui/placement.py, python -m geo plan)
    "plan": ("Đề xuất kế hoạch bố trí, di dời", "Resettlement plan proposal"),
    "plan_hint": ("Đề xuất, không ghi vào sổ: hộ chỉ được chuyển sang «Đã có kế hoạch» khi cán bộ xác nhận từng hộ "
                  "(ghi nhật ký). Khoảng cách là đường chim bay (VN-2000), không phải đường bộ: không có mạng "
                  "đường khi làm việc ngoại tuyến.",
                  "A proposal, never written into the register: a household becomes «Planned» only when an officer "
                  "confirms it, one at a time (audited). Distances are straight lines (VN-2000), not road "
                  "distances: there is no road network offline."),
    "plan_key_level": ("mức nguy cơ cao trước", "highest hazard level first"),
    "plan_key_poor": ("hộ nghèo trước", "poor households"),
    "plan_key_size": ("hộ đông người trước", "larger households"),
    "plan_then": (", rồi {item}", ", then {item}"),
    "plan_rule": ("Thứ tự ưu tiên: {order} (cùng mức: theo mã hộ); mỗi hộ đến điểm tái định cư an toàn gần nhất còn "
                  "chỗ trong vòng {km} km, tính theo đường chim bay (EPSG:9210; không có khoảng cách đường bộ khi "
                  "làm việc ngoại tuyến)",
                  "Priority: {order} (ties by household id); each household to the nearest safe site with room "
                  "within {km} km, in a straight line (EPSG:9210; road distance is not available offline)"),
    "plan_err_priority": ("thứ tự ưu tiên không hợp lệ: {value} (dùng {keys}, mỗi khóa một lần)",
                          "invalid priority order: {value} (use {keys}, each once)"),
    "plan_err_distance": ("khoảng cách tối đa phải lớn hơn 0 m, không phải {value}",
                          "the maximum distance must be above 0 m, not {value}"),
    "plan_max_km": ("Khoảng cách tối đa đến điểm (km, đường chim bay)", "Maximum distance to a site (km, straight line)"),
    "plan_priority": ("Thứ tự ưu tiên (kéo chọn theo thứ tự)", "Priority order (choose in order)"),
    "plan_unsafe_level": ("Điểm nằm trong vùng nguy cơ từ mức này là không an toàn",
                          "A site in a zone at or above this level is unsafe"),
    "plan_totals": ("{candidates} hộ chưa có kế hoạch; đề xuất {proposed} hộ ({within} hộ để đạt 60%); chưa bố trí "
                    "được {unplaced} hộ; còn thiếu {short} hộ so với 60% sau khi tính {under_way} hộ đã có kế hoạch, "
                    "đang di dời",
                    "{candidates} households without a plan; {proposed} proposed ({within} towards 60%); {unplaced} "
                    "not placed; {short} still short of 60% after {under_way} already under way"),
    "plan_by_commune": ("Theo xã: cần để đạt 60%, đề xuất, còn thiếu", "By commune: needed for 60%, proposed, short"),
    "plan_proposal": ("Danh sách đề xuất (theo thứ tự ưu tiên)", "Proposed households (in priority order)"),
    "plan_unplaced": ("Hộ chưa bố trí được và lý do", "Households not placed, and why"),
    "plan_sites": ("Theo điểm tái định cư", "By resettlement site"),
    "plan_none": ("Không có hộ nào cần đề xuất: mọi hộ cần bố trí đã có kế hoạch hoặc đã xong.",
                  "No household to propose: every at-risk household has a plan or is done."),
    "plan_no_sites": ("Kho chưa có điểm tái định cư: không đề xuất được nơi đến.",
                      "The workspace has no resettlement sites: no destination can be proposed."),
    "plan_confirm": ("Xác nhận từng hộ vào kế hoạch", "Confirm households into the plan, one at a time"),
    "plan_confirm_hint": ("Chuyển hộ đã chọn sang «Đã có kế hoạch» với điểm đề xuất; ghi một dòng nhật ký.",
                          "Sets the chosen household to «Planned» at the proposed site; writes one audit row."),
    "plan_confirm_button": ("Xác nhận hộ này", "Confirm this household"),
    "plan_confirmed": ("Đã xác nhận hộ {household} đến {site} và ghi nhật ký", "Household {household} confirmed to {site} and audited"),
    "plan_note": ("đề xuất kế hoạch: điểm {site}, {km} km đường chim bay, thứ tự {rank}",
                  "plan proposal: site {site}, {km} km straight line, rank {rank}"),
    "plan_pages": ("Trang in theo điểm tái định cư (PDF)", "Print pages by site (PDF)"),
    "plan_no_capacity": ("{n} điểm tái định cư chưa có sức chứa nên không được đề xuất hộ nào: {sites}. Nhập lại lớp "
                         "điểm tái định cư có cột «Sức chứa» (số hộ).",
                         "{n} resettlement site(s) have no capacity, so no household is proposed to them: {sites}. "
                         "Import the sites again with a «Sức chứa» (capacity, households) column."),
    "plan_page_title": ("Đề xuất bố trí về {site}", "Proposed for {site}"),
    "plan_page_sub": ("{name}; sức chứa {capacity} hộ, đã dùng {used}, đề xuất {proposed}, còn trống {remaining}; "
                      "năm {year}",
                      "{name}; capacity {capacity} households, used {used}, proposed {proposed}, room left "
                      "{remaining}; year {year}"),
    "plan_page_more": ("… và {n} hộ nữa (xem bảng dữ liệu)", "… and {n} more households (see the table)"),
    "plan_page_legend_site": ("Điểm tái định cư", "Resettlement site"),
    "plan_page_legend_home": ("Hộ được đề xuất (đường chim bay đến điểm)", "Proposed household (straight line to the site)"),
    "plan_page_legend_commune": ("Ranh giới xã của điểm", "The site's commune"),
    "plan_no_pages": ("Không có điểm nào được đề xuất hộ: không có trang để in.",
                      "No site has proposed households: there is no page to print."),
    "cli_plan_title": ("Đề xuất bố trí hộ trong vùng nguy cơ mức {level} ({level_name}) trở lên, năm {year}:",
                       "Resettlement plan proposal, households at level {level} ({level_name}) or higher, year {year}:"),
    "cli_plan_reasons": ("  chưa bố trí được theo lý do: {reasons}", "  not placed, by reason: {reasons}"),
    "cli_plan_sites": ("  điểm tái định cư: {n} điểm, {unsafe} không an toàn; sức chứa còn trống trước đề xuất {room} hộ",
                       "  sites: {n}, {unsafe} unsafe; room before the proposal {room} households"),
    "cli_plan_seconds": ("  tính trong {seconds} giây (xác định hộ trong vùng nguy cơ và tiến độ, rồi đề xuất: {plan} giây)",
                         "  computed in {seconds} s (flagging and progress, then the proposal: {plan} s)"),
    "reason_no_location": ("Hộ không có vị trí", "The household has no location"),
    "reason_no_site_in_reach": ("Không có điểm nào trong phạm vi khoảng cách", "No site within the distance"),
    "reason_only_unsafe_sites": ("Trong phạm vi chỉ có điểm không an toàn (trong vùng nguy cơ)",
                                 "Only unsafe sites (in hazard zones) within the distance"),
    "reason_sites_full": ("Các điểm an toàn trong phạm vi đã hết chỗ", "The safe sites within the distance are full"),
    **IMPORT_TEXT,
}


def t(key: str, lang: str = "vi", **fields: object) -> str:
    """The text for ``key`` in ``lang`` ("vi" or "en"), NFC-normalised, with ``fields`` filled in.

    >>> t("imp_g_outside", "en", n="3")
    '3 rows lie outside Cao Bằng (check the coordinate system or the X/Y order)'

    Raises
    ------
    KeyError
        For an unknown key, so that a missing translation is found in tests.
    """
    vi, en = TEXT[key]
    text = vi if lang == "vi" else en
    return unicodedata.normalize("NFC", text.format(**fields) if fields else text)


def header(column: str, lang: str = "vi") -> str:
    """The header a user reads for a table column (the column's own name when it has none).

    >>> header("household_id"), header("household_id", "en"), header("geometry")
    ('Mã hộ', 'Household id', 'geometry')
    """
    pair = COLUMN_TEXT.get(column)
    return column if pair is None else unicodedata.normalize("NFC", pair[0] if lang == "vi" else pair[1])


class Refusal(ValueError):
    """A refusal worded for the user: an i18n key and its fields, shown in either language.

    ``str()`` gives the Vietnamese text, :func:`message` the text in any language.

    >>> error = Refusal("err_password_short", n=10)
    >>> str(error), message(error, "en")
    ('mật khẩu cần ít nhất 10 ký tự', 'a password needs at least 10 characters')
    """

    def __init__(self, key: str, **fields: object) -> None:
        self.key, self.fields = key, fields
        super().__init__(t(key, "vi", **fields))


def message(error: BaseException, lang: str = "vi") -> str:
    """The one-line text of an error in ``lang`` (a :class:`Refusal` is translated).

    >>> message(Refusal("err_no_username"), "en"), message(ValueError("as is"), "en")
    ('give a user name', 'as is')
    """
    if isinstance(error, Refusal):
        return t(error.key, lang, **error.fields)
    text = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
    return " ".join(str(text).split())


def _grouped(text: str, lang: str) -> str:
    """Swap the English separators of ``text`` (``1,234.5``) for Vietnamese ones (``1.234,5``)."""
    return text.translate(str.maketrans(",.", ".,")) if lang == "vi" else text


def fmt_count(value: int, lang: str = "vi") -> str:
    """A whole number with the language's thousands separator.

    >>> fmt_count(4790), fmt_count(4790, "en")
    ('4.790', '4,790')
    """
    return _grouped(f"{int(value):,}", lang)


def _missing(value: object) -> bool:
    """Whether a scalar is missing (None, NaN, NaT, pd.NA)."""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or another non-scalar
        return False


def _number(value: object) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def fmt_number(value: object, digits: int = 1, lang: str = "vi") -> str:
    """A number for display: "–" when missing, "∞" for infinity, in the language's format.

    >>> fmt_number(1234.567), fmt_number(1234.567, 1, "en"), fmt_number(9178, 0)
    ('1.234,6', '1,234.6', '9.178')
    >>> fmt_number(float("nan")), fmt_number(None), fmt_number(float("inf"))
    ('–', '–', '∞')
    """
    number = _number(value)
    if number is None:
        return "–" if _missing(value) else str(value)
    if math.isinf(number):
        return "∞"
    return _grouped(f"{number:,.{digits}f}", lang)


def fmt_percent(share: object, digits: int = 1, lang: str = "vi") -> str:
    """A share (0-1) as a percentage: "49,0%" in Vietnamese, "49.0%" in English.

    >>> fmt_percent(0.49), fmt_percent(0.4655, 1, "en"), fmt_percent(None)
    ('49,0%', '46.6%', '–')
    """
    number = _number(share)
    return "–" if number is None else fmt_number(100 * number, digits, lang) + "%"


def fmt_date(value: object, lang: str = "vi", time: bool = False) -> str:
    """A date as dd/mm/yyyy ("–" when missing), with hh:mm when ``time`` is set.

    >>> fmt_date("2024-03-05"), fmt_date("2024-03-05T10:11:12", time=True), fmt_date(None)
    ('05/03/2024', '05/03/2024 10:11', '–')
    """
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return "–"
    stamp = pd.to_datetime(value, errors="coerce")
    return str(value) if pd.isna(stamp) else stamp.strftime("%d/%m/%Y %H:%M" if time else "%d/%m/%Y")


#: Decimal places a value of each catalogue unit is shown with.
UNIT_DIGITS = {"%": 1, "triệu đồng/người/năm": 1, "xã": 0, "thôn": 0, "cặp": 0, "mức": 0}


def unit_text(unit: str, lang: str = "vi") -> str:
    """A catalogue unit in the language ("%" stays "%").

    >>> unit_text("triệu đồng/người/năm", "en"), unit_text("xã")
    ('million VND/person/year', 'xã')
    """
    return t(f"unit_{unit}", lang) if f"unit_{unit}" in TEXT else unit


def fmt_value(value: object, unit: str, lang: str = "vi") -> str:
    """An indicator value with its unit, at the unit's precision.

    >>> fmt_value(46.4876, "%"), fmt_value(31.25, "triệu đồng/người/năm", "en"), fmt_value(None, "%")
    ('46,5%', '31.2 million VND/person/year', '–')
    """
    text = fmt_number(value, UNIT_DIGITS.get(unit, 1), lang)
    if text == "–":
        return text
    return text + "%" if unit == "%" else f"{text} {unit_text(unit, lang)}"
