"""Markdown text into a python-docx document: headings, paragraphs, lists, tables, emphasis.

The Markdown is tokenised by markdown-it-py (CommonMark plus tables, raw HTML
off, so tags stay literal text) and the token stream is written with Word's
built-in styles, which keeps the result plain enough to paste into a tender.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.document import Document
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from markdown_it import MarkdownIt
from markdown_it.token import Token

_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")

# Characters XML 1.0 cannot hold; python-docx refuses them.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the control characters a .docx file cannot hold."""
    return _XML_ILLEGAL.sub("", text)


@dataclass
class _Writer:
    """Walks the block tokens, keeping track of open lists and tables."""

    doc: Document
    heading_offset: int
    lists: list[str] = field(default_factory=list)  # "bullet" | "ordered", innermost last
    table: Table | None = None
    table_row: int = -1
    table_col: int = 0
    quote: int = 0

    def paragraph(self, style: str | None = None) -> Paragraph:
        if self.lists:
            base = "List Bullet" if self.lists[-1] == "bullet" else "List Number"
            depth = min(len(self.lists), 3)
            style = base if depth == 1 else f"{base} {depth}"
        elif self.quote:
            style = "Quote"
        return self.doc.add_paragraph(style=style)

    def heading(self, tag: str) -> Paragraph:
        level = min(int(tag[1]) + self.heading_offset, 9)
        return self.doc.add_heading(level=level)


def add_markdown(doc: Document, markdown: str, *, heading_offset: int = 0) -> None:
    """Append Markdown ``markdown`` to ``doc``; headings move down by ``heading_offset`` levels."""
    writer = _Writer(doc, heading_offset)
    tokens = _PARSER.parse(xml_text(markdown))
    for index, token in enumerate(tokens):
        if token.type == "table_open":
            _open_table(writer, _table_width(tokens[index:]))
        else:
            _block(writer, token, tokens[index - 1] if index else None)


def _block(writer: _Writer, token: Token, previous: Token | None) -> None:
    kind = token.type
    if kind in ("bullet_list_open", "ordered_list_open"):
        writer.lists.append("bullet" if kind == "bullet_list_open" else "ordered")
    elif kind in ("bullet_list_close", "ordered_list_close"):
        writer.lists.pop()
    elif kind == "blockquote_open":
        writer.quote += 1
    elif kind == "blockquote_close":
        writer.quote -= 1
    elif kind == "tr_open" and writer.table is not None:
        writer.table.add_row()
        writer.table_row += 1
        writer.table_col = -1
    elif kind in ("th_open", "td_open"):
        writer.table_col += 1
    elif kind == "table_close":
        writer.table = None
    elif kind in ("code_block", "fence"):
        _code(writer, token.content)
    elif kind == "hr":
        writer.doc.add_paragraph("―" * 20)
    elif kind == "inline" and previous is not None:
        _inline_block(writer, token, previous)


def _inline_block(writer: _Writer, token: Token, previous: Token) -> None:
    if previous.type == "heading_open":
        add_inline(writer.heading(previous.tag), token.children or [])
    elif previous.type in ("th_open", "td_open") and writer.table is not None:
        cell = writer.table.cell(writer.table_row, writer.table_col)
        add_inline(cell.paragraphs[0], token.children or [], bold=previous.type == "th_open")
    elif previous.type == "paragraph_open":
        add_inline(writer.paragraph(), token.children or [])


def _open_table(writer: _Writer, width: int) -> None:
    writer.table = writer.doc.add_table(rows=0, cols=width)
    writer.table.style = "Table Grid"
    writer.table_row = -1


def _table_width(tokens: list[Token]) -> int:
    """The number of header cells of the table whose tokens start ``tokens``."""
    width = 0
    for token in tokens:
        if token.type == "tr_close":
            break
        width += token.type == "th_open"
    return max(width, 1)


def _code(writer: _Writer, text: str) -> None:
    paragraph = writer.doc.add_paragraph()
    run = paragraph.add_run(text.rstrip("\n"))
    run.font.name = "Courier New"
    run.font.size = Pt(9)


def add_inline(paragraph: Paragraph, children: list[Token], *, bold: bool = False) -> None:
    """Write inline tokens (text, bold, italic, code, links, breaks) as runs of ``paragraph``."""
    strong, emphasis = int(bold), 0
    link: str | None = None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind == "link_open":
            link = str(child.attrs.get("href", ""))
        elif kind == "link_close":
            if link and not link.startswith("#"):
                paragraph.add_run(f" ({link})")
            link = None
        elif kind in ("softbreak", "hardbreak"):
            paragraph.add_run().add_break()
        elif kind in ("text", "code_inline", "image", "html_inline"):
            run = paragraph.add_run(child.content)
            run.bold = strong > 0 or None
            run.italic = emphasis > 0 or None
            if kind == "code_inline":
                run.font.name = "Courier New"
