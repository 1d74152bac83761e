"""Every format of contract §1 through the same typed-row path (issue 17).

The same return (the shared examples' disability aid of 2006-05) is made in each
format a unit may send and loaded into a fresh warehouse holding the examples'
units; each must give the very mart rows the CSV gives, row numbers included.
The legacy .xls and the .ods are small samples made once with LibreOffice from
that CSV (tests/data/); the others are built here.
"""

from __future__ import annotations

import codecs
import csv
import io
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest

from etl.readers import open_return
from tests.conftest import EXAMPLES, create_database, drop_database
from tests.helpers import problems, query, run_cli

DATA = Path(__file__).resolve().parent / "data"
SOURCE = EXAMPLES / "disability_aid_2006-05.csv"


def source_rows() -> list[list[str]]:
    return list(csv.reader(io.StringIO(SOURCE.read_bytes().decode("utf-8-sig"))))


def as_csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def cr_only(path: Path) -> Path:
    """Excel's "CSV (Macintosh)": lines end with CR alone."""
    path.write_bytes(as_csv(source_rows(), newline="\r").encode("utf-8"))
    return path


def unicode_text(path: Path) -> Path:
    """Excel's "Unicode text": tab-separated UTF-16 with its BOM."""
    path.write_bytes(codecs.BOM_UTF16_LE + as_csv(source_rows(), "\t").encode("utf-16-le"))
    return path


def semicolons(path: Path) -> Path:
    path.write_bytes(as_csv(source_rows(), ";").encode("gb18030"))
    return path


def html_table(encoding: str, charset: str) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        header, *rows = source_rows()
        cells = "".join(f"<th>{text}</th>" for text in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{text or '&nbsp;'}</td>" for text in row) + "</tr>\n"
            for row in rows
        )
        page = (
            f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            '<link rel="stylesheet" href="http://127.0.0.1:9/style.css"></head><body>'
            '<img src="http://127.0.0.1:9/logo.png"><table border="1">'
            f"<tr>{cells}</tr>\n{body}</table></body></html>"
        )
        path.write_bytes(page.encode(encoding))
        return path

    return build


def instructions_first(path: Path) -> Path:
    """An .xlsx whose first sheet is instructions; the data is on the sheet named after the kind."""
    book = openpyxl.Workbook()
    book.active.title = "填报说明"
    book.active.append(["请在「残疾人救助发放」工作表中填写，一行一个救助项目。"])
    book.active.append(["金额以元为单位。"])
    sheet = book.create_sheet("残疾人救助发放")
    for row in source_rows():
        sheet.append(row)
    book.save(path)
    return path


def backslash_paths(path: Path) -> Path:
    """An .xlsx whose zip entries are named with backslashes (xl\\workbook.xml), as some writers do."""
    plain = path.with_suffix(".plain.xlsx")
    book = openpyxl.Workbook()
    for row in source_rows():
        book.active.append(row)
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename.replace("/", "\\"), source.read(info))
    plain.unlink()
    return path


def workbook_at_root(path: Path) -> Path:
    """An .xlsx whose workbook and sheet sit at the zip root (workbook.xml, sheet1.xml)."""
    plain = path.with_suffix(".plain.xlsx")
    book = openpyxl.Workbook()
    for row in source_rows():
        book.active.append(row)
    book.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            for old, new in ((b"/xl/worksheets/", b"/"), (b"/xl/", b"/"), (b'="xl/', b'="')):
                data = data.replace(old, new)
            data = data.replace(b'Target="worksheets/', b'Target="')
            out.writestr(info.filename.replace("xl/worksheets/", "").replace("xl/", ""), data)
    plain.unlink()
    assert "workbook.xml" in zipfile.ZipFile(path).namelist()
    return path


def sample(name: str) -> Callable[[Path], Path]:
    return lambda path: path.write_bytes((DATA / name).read_bytes()) and path


FORMATS = {
    "cr_only.csv": cr_only,
    "unicode_text.txt": unicode_text,
    "semicolons.csv": semicolons,
    "legacy.xls": sample("disability_aid_2006-05.xls"),
    "libreoffice.ods": sample("disability_aid_2006-05.ods"),
    "html_gbk.xls": html_table("gbk", "gb2312"),
    "html_utf8.xls": html_table("utf-8", "utf-8"),
    "html_page.htm": html_table("utf-8", "utf-8"),
    "instructions_first.xlsx": instructions_first,
    "backslash_paths.xlsx": backslash_paths,
    "workbook_at_root.xlsx": workbook_at_root,
}


def mart(url: str) -> list[tuple]:
    return query(url, "select * from mart.disability_aid order by period, unit_code, program")


def fresh_with_units(server_url: str, template_db: str, monkeypatch, capsys) -> tuple[str, str]:
    name = f"ducha_fmt_{uuid.uuid4().hex[:10]}"
    url = create_database(server_url, name, template=template_db)
    assert run_cli(monkeypatch, capsys, url, "ingest", EXAMPLES / "units.csv").code == 0
    return name, url


@pytest.fixture(scope="module")
def from_csv(server_url, template_db) -> Iterator[list[tuple]]:
    """The mart rows the CSV itself loads into."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        from etl import cli

        name = f"ducha_fmt_csv_{uuid.uuid4().hex[:10]}"
        url = create_database(server_url, name, template=template_db)
        monkeypatch.setenv("DATABASE_URL", url)
        assert cli.main(["ingest", str(EXAMPLES / "units.csv")]) == 0
        assert cli.main(["ingest", str(SOURCE), "--as-of", "2006-12-31"]) == 0
        rows = mart(url)
    yield rows
    drop_database(server_url, name)


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_format_loads_the_same_mart_rows(
    name, from_csv, units_loaded, monkeypatch, capsys, tmp_path
):
    path = FORMATS[name](tmp_path / name)
    run = run_cli(monkeypatch, capsys, units_loaded, "ingest", path, "--as-of", "2006-12-31")
    assert run.code == 0, run.err
    assert len(from_csv) == 2
    assert mart(units_loaded) == from_csv


def test_row_numbers_are_the_rows_the_person_sees(tmp_path, units_loaded, monkeypatch, capsys):
    header, first, second = source_rows()
    second = [*second]
    second[header.index("户数")] = "六"
    rows = [header, first, second]
    for name, data in {
        "bad_cr.csv": as_csv(rows, newline="\r").encode(),
        "bad_html.xls": (
            "<html><body><table>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
            + "</table></body></html>"
        ).encode("gbk"),
    }.items():
        (tmp_path / name).write_bytes(data)
        run = run_cli(monkeypatch, capsys, units_loaded, "ingest", tmp_path / name)
        assert run.code == 1
        assert problems(units_loaded, name) == [(3, "households", "type-int", "error")]


def test_a_reader_that_dies_is_a_rejection(tmp_path, monkeypatch):
    monkeypatch.setenv("DUCHA_READER_MEMORY_MB", "1")  # too little to load the reader at all
    path = sample("disability_aid_2006-05.xls")(tmp_path / "legacy.xls")
    reader = open_return(path)
    assert [problem.rule for problem in reader.problems] == ["reader-failed"]
    assert "DUCHA_READER_MEMORY_MB" in reader.problems[0].message_en


# ------------------------------------------------------------- messages --

NOT_A_SPREADSHEET_ZH = "文件不是表格（CSV、Excel 或 WPS 表格），无法读取{}；请在 Excel 或 WPS 中打开报表，另存为 .xlsx 或 CSV 后再提交"
NOT_A_SPREADSHEET_EN = (
    "the file is not a spreadsheet (CSV, Excel or WPS) and cannot be read{}; open the return"
    " in Excel or WPS, save it as .xlsx or CSV and submit it again"
)


def word_document(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return path


def other_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("报表/就业情况.csv", "a,b\n")
        archive.writestr("说明.txt", "x")
    return path


LOOKS_LIKE = {
    "web page": (
        lambda p: p.write_text("<!DOCTYPE html><html><body><p>登录</p></body></html>") and p,
        "：它看起来是一个网页（HTML），但其中没有表格",
        ": it looks like a web page (HTML) with no table in it",
    ),
    "word document": (
        word_document,
        "：它看起来是一份 Word 文档",
        ": it looks like a Word document",
    ),
    "picture": (
        lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64)) and p,
        "：它看起来是一张图片（PNG、JPEG 或 GIF）",
        ": it looks like a picture (PNG, JPEG or GIF)",
    ),
    "jpeg": (
        lambda p: p.write_bytes(b"\xff\xd8\xff\xe0" + bytes(64)) and p,
        "：它看起来是一张图片（PNG、JPEG 或 GIF）",
        ": it looks like a picture (PNG, JPEG or GIF)",
    ),
    "pdf": (
        lambda p: p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(64)) and p,
        "：它看起来是一份 PDF 文档",
        ": it looks like a PDF document",
    ),
    "zip": (other_zip, "：它是一个装着其他文件的压缩包（zip）", ": it is a zip of other files"),
}


@pytest.mark.parametrize("what", list(LOOKS_LIKE))
def test_not_a_spreadsheet_says_what_it_looks_like(what, tmp_path):
    build, zh, en = LOOKS_LIKE[what]
    reader = open_return(build(tmp_path / "就业情况.xls"))
    assert [(p.rule, p.message_zh, p.message_en) for p in reader.problems] == [
        ("not-a-spreadsheet", NOT_A_SPREADSHEET_ZH.format(zh), NOT_A_SPREADSHEET_EN.format(en))
    ]


def test_unknown_header_names_the_closest_kind_and_the_template(tmp_path):
    path = tmp_path / "救助.csv"
    path.write_text(
        "发放月份,单位代码,项目名称,金额\n2006-05,JD-SY,特困生活补助,100\n", encoding="utf-8"
    )
    reader = open_return(path)
    assert [(p.rule, p.row, p.message_zh, p.message_en) for p in reader.problems] == [
        (
            "unknown-kind",
            1,
            "无法从表头识别报表类型。读到的表头：「发放月份」、「单位代码」、「项目名称」、「金额」。"
            "最接近的是残疾人救助发放（disability_aid），缺少必填列：「救助项目」、「户数」、「人次」、"
            "「发放金额(元)」。请在上传页面下载残疾人救助发放的空白模板"
            "（或运行 ducha template disability_aid -o 文件名），按模板的表头填写后再提交",
            'cannot tell the kind of return from its header. Headers read: "发放月份",'
            ' "单位代码", "项目名称", "金额". The closest kind is disability_aid (残疾人救助发放),'
            " missing the required columns: program (救助项目), households (户数), person_times"
            " (人次), amount_yuan (发放金额(元)). Download the blank template of disability_aid on"
            " the upload page (or run ducha template disability_aid -o FILE), fill in under its"
            " header and submit again",
        )
    ]


def test_encrypted_workbook_says_how_to_save_it(tmp_path):
    # An OLE compound file holding an EncryptedPackage stream: what Excel writes for
    # a workbook with an opening password.
    path = tmp_path / "加密.xlsx"
    path.write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(504)
        + "EncryptedPackage".encode("utf-16-le")
        + bytes(64)
    )
    reader = open_return(path)
    assert [p.rule for p in reader.problems] == ["encrypted-workbook"]
    assert "remove the password" in reader.problems[0].message_en


# ---------------------------------------------------------- sheet choice --


def three_sheets(path: Path, data: bool = True) -> Path:
    """Instructions, an empty sheet, then (if ``data``) the return on a sheet named Sheet3."""
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["填报说明：请在后面的工作表中填写"])
    book.create_sheet("空白")
    if data:
        sheet = book.create_sheet("Sheet3")
        for row in source_rows():
            sheet.append(row)
    book.save(path)
    return path


def test_the_first_sheet_with_a_header_is_read_and_named(tmp_path):
    reader = open_return(three_sheets(tmp_path / "救助.xlsx"))
    assert [(p.rule, p.severity, p.value, p.message_zh, p.message_en) for p in reader.problems] == [
        (
            "sheet-read",
            "warning",
            "Sheet3",
            "读取的是工作表「Sheet3」（工作簿中的工作表：「说明」、「空白」、「Sheet3」）",
            'the sheet read is "Sheet3" (sheets of the workbook: "说明", "空白", "Sheet3")',
        )
    ]
    assert [row_no for row_no, _ in reader.rows()] == [2, 3]


def test_a_workbook_without_a_header_sheet_names_its_sheets(tmp_path):
    reader = open_return(three_sheets(tmp_path / "救助.xlsx", data=False), "disability_aid")
    assert [(p.rule, p.message_zh, p.message_en) for p in reader.problems] == [
        (
            "no-data-sheet",
            "工作簿中没有哪个工作表的第 1 行是报表表头；找到的工作表：「说明」、「空白」。"
            "请把数据放在名为「残疾人救助发放」或「disability_aid」的工作表中，第 1 行为表头"
            "（可在上传页面下载空白模板，或运行 ducha template 报表类型 -o 文件名）",
            "no sheet of the workbook has a return's header in its first row; sheets found:"
            ' "说明", "空白". Put the data on a sheet named "残疾人救助发放" or "disability_aid",'
            " its header in row 1 (the blank template is on the upload page, or run ducha"
            " template KIND -o FILE)",
        )
    ]


# ------------------------------------------------ limits of the new formats --


def far_ods(path: Path) -> Path:
    """The .ods sample with a row repeated 1,048,000 times, then one cell repeated 16,000 times."""
    far = (
        '<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
        '<table:table-row><table:table-cell table:number-columns-repeated="16000"'
        ' office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
        "</table:table-row>"
    )
    sample_ods = DATA / "disability_aid_2006-05.ods"
    with (
        zipfile.ZipFile(sample_ods) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                text = data.decode()
                cut = text.rindex("</table:table>")
                data = (text[:cut] + far + text[cut:]).encode()
            out.writestr(info, data)
    return path


def test_a_hostile_ods_is_rejected_and_the_process_lives(tmp_path):
    start = time.perf_counter()
    reader = open_return(far_ods(tmp_path / "far.ods"))
    assert [p.rule for p in reader.problems] == ["reader-failed"]
    assert time.perf_counter() - start < 60


@pytest.mark.parametrize(
    ("env", "body", "rule"),
    [
        ({"DUCHA_MAX_ROWS": "3"}, "<tr><td>1</td></tr>" * 5, "too-many-rows"),
        ({"DUCHA_MAX_COLUMNS": "3"}, "<tr>" + "<td>1</td>" * 5 + "</tr>", "too-many-columns"),
        ({}, "<tr><td>" + "长" * 40_000 + "</td></tr>", "cell-too-long"),
        ({}, '<tr><td title="' + "x" * (5 << 20), "cell-too-long"),
    ],
    ids=["rows", "columns", "cell", "unended-tag"],
)
def test_html_tables_have_the_same_limits(env, body, rule, tmp_path, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "page.xls"
    header = "<tr><th>单位代码</th><th>单位名称</th><th>单位类别</th></tr>"
    path.write_text(f"<html><body><table>{header}{body}</table></body></html>", encoding="utf-8")
    reader = open_return(path)
    list(reader.rows())
    assert rule in [p.rule for p in reader.problems]
