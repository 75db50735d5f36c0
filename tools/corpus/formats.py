"""One report in the formats real sites publish: an HTML article inside page chrome (UTF-8 or
GBK), a PDF or DOCX attachment, and plain text."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from html import escape

import docx

from .generate import Report
from .pdf import render_pdf

FORMATS = ("txt", "html", "html-gbk", "pdf", "docx")


def render(report: Report, fmt: str) -> bytes:
    if fmt == "txt":
        return report.text().encode("utf-8")
    if fmt == "html":
        return to_html(report, "utf-8")
    if fmt == "html-gbk":
        return to_html(report, "gbk")
    if fmt == "pdf":
        return to_pdf(report)
    if fmt == "docx":
        return to_docx(report)
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")


def article_html(report: Report) -> str:
    out = []
    for block in report.blocks:
        if block.kind == "table":
            rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
            out.append(f'<table border="1" cellspacing="0" cellpadding="4"><tbody>{rows}</tbody></table>')
        elif block.kind == "heading":
            out.append(f'<p style="text-indent:2em"><strong>{escape(block.text)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em">{escape(block.text)}</p>')
    center = escape(report.publisher)
    signed = f"{report.published.year}年{report.published.month}月{report.published.day}日"
    out.append(f'<p style="text-align:right">{center}</p><p style="text-align:right">{signed}</p>')
    return "\n".join(out)


def page(city_printed: str, title: str, body: str, charset: str, crumbs: str = "通知公告") -> str:
    """Government-site chrome around a body: header, navigation, breadcrumbs, footer."""
    center = f"{city_printed}住房公积金管理中心"
    return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{escape(title)}-{escape(center)}</title>
<link rel="stylesheet" href="/css/style.css">
<script src="/js/jquery-1.11.3.min.js"></script>
</head>
<body>
<div class="header"><img src="/images/top_img.png" alt="{escape(center)}"></div>
<div class="nav"><ul><li><a href="/index.html">首页</a></li><li><a href="/zxgk/index.html">中心概况</a></li>
<li><a href="/tzgg/index.html">通知公告</a></li><li><a href="/zcfg/index.html">政策法规</a></li>
<li><a href="/bszn/index.html">办事指南</a></li></ul></div>
<div class="breadcrumb">当前位置:<a href="/index.html">首页</a> &gt; <a href="/tzgg/index.html">{crumbs}</a></div>
<div class="main">
{body}
</div>
<div class="footer"><p>主办单位:{escape(center)} 版权所有:{escape(city_printed)}人民政府办公室
<a href="/sitemap.html">[网站地图]</a></p>
<p>本站为合成测试站点(synthetic fixture site)</p></div>
</body>
</html>
"""


def to_html(report: Report, encoding: str = "utf-8", attachments: list[tuple[str, str]] = ()) -> bytes:
    """The report page; `attachments` are (href, label) links shown under the article."""
    charset = "gbk" if encoding.lower() in ("gbk", "gb2312", "gb18030") else "utf-8"
    links = "".join(f'<p>附件:<a href="{escape(href)}">{escape(label)}</a></p>' for href, label in attachments)
    body = (
        f'<div class="article"><h1>{escape(report.title)}</h1>'
        f'<div class="info">发布时间:{report.published.isoformat()} 浏览次数:{report.views}</div>\n'
        f'<div class="content" id="zoom">\n{article_html(report)}\n{links}</div></div>'
    )
    return page(report.city.printed, report.title, body, charset).encode(encoding)


def _paragraphs(report: Report) -> list[str | list[list[str]]]:
    out: list[str | list[list[str]]] = []
    for block in report.blocks:
        out.append(block.rows if block.kind == "table" else block.text)
    return [
        *out,
        report.publisher,
        f"{report.published.year}年{report.published.month}月{report.published.day}日",
    ]


def to_pdf(report: Report) -> bytes:
    return render_pdf(report.title, _paragraphs(report))


def to_docx(report: Report) -> bytes:
    document = docx.Document()
    stamp = datetime(report.published.year, report.published.month, report.published.day)
    document.core_properties.created = document.core_properties.modified = stamp
    document.core_properties.title = report.title
    document.add_heading(report.title, level=1)
    for block in report.blocks:
        if block.kind == "table":
            table = document.add_table(rows=len(block.rows), cols=len(block.rows[0]))
            for r, row in enumerate(block.rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        else:
            document.add_paragraph(block.text)
    document.add_paragraph(report.publisher)
    document.add_paragraph(f"{report.published.year}年{report.published.month}月{report.published.day}日")
    raw = io.BytesIO()
    document.save(raw)
    return _fixed_zip_times(raw.getvalue())


def _fixed_zip_times(data: bytes) -> bytes:
    """The same archive with every entry dated 1980-01-01, so equal input gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(
                zipfile.ZipInfo(info.filename, (1980, 1, 1, 0, 0, 0)), src.read(info.filename), zipfile.ZIP_DEFLATED
            )
    return out.getvalue()
