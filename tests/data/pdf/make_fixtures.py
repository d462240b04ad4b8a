"""Writes the PDF fixtures of tests/test_pdf.py (run once; the PDFs are committed): a two-column news
report with a running header and footer, page numbers and a table, and a report whose second page is
a scanned image without text. `pip install reportlab==5.1.0` to run it; the service does not need it.

    python tests/data/pdf/make_fixtures.py
"""

from __future__ import annotations

import json
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

HERE = Path(__file__).parent
TITLE = "Harbour authority approves the Port Elwyn container terminal"
# Each paragraph is sentences the extracted text must hold intact, in this order.
BASE = [
    "The Port Elwyn harbour authority approved a new container terminal on Tuesday after a two-year review. "
    "The terminal will be run by Vireo Shipping under a 25-year concession.",
    "Construction is expected to begin in March and to employ about 1,200 workers at its peak. "
    "The authority's chair, Maren Holt, said the project would double the port's capacity by 2030.",
    "Environmental groups said the dredging plan threatens the estuary's seagrass beds. "
    "The authority replied that an independent survey found no protected species in the channel.",
    "Local fishermen asked for a compensation fund before the dredging begins. "
    "Holt said a fund of 4 million pounds would be set up by the end of the year.",
    "The terminal is the largest investment in the port since the breakwater was rebuilt in 1998. "
    "Shipping lines have already booked a third of its first-year capacity.",
    "The town council will vote on the road access plan next month. "
    "Residents of the Quay district have asked for a lorry route that avoids the high street.",
]
PARAGRAPHS = [f"Update {n + 1}: {BASE[n % len(BASE)]}" for n in range(30)]  # three pages of two columns
TABLE = [["Phase", "Start", "Berths"], ["Dredging", "March 2026", "0"], ["Quay wall", "June 2026", "2"],
         ["Cranes", "January 2027", "4"]]


def _chrome(canvas, doc) -> None:  # type: ignore[no-untyped-def]
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawString(40, A4[1] - 30, "THE ELWYN GAZETTE · Regional news")  # running header
    canvas.drawString(40, 25, f"Page {doc.page} · elwyngazette.example")  # running footer with the page number
    canvas.restoreState()


def two_column_report(path: Path) -> None:
    doc = BaseDocTemplate(str(path), pagesize=A4, title=TITLE, author="Elwyn Gazette",
                          creator="tests/data/pdf/make_fixtures.py")
    width, height = A4
    column = (width - 40 * 2 - 20) / 2
    frames = [Frame(40, 50, column, height - 110, id="left"),
              Frame(40 + column + 20, 50, column, height - 110, id="right")]
    doc.addPageTemplates([PageTemplate(id="columns", frames=frames, onPage=_chrome)])
    styles = getSampleStyleSheet()
    story = [Paragraph(TITLE, styles["Heading2"])]
    for n, text in enumerate(PARAGRAPHS):
        story += [Paragraph(text, styles["BodyText"]), Spacer(1, 6)]
        if n == 3:
            table = Table(TABLE)
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "grey")]))
            story += [table, Spacer(1, 6)]
    doc.build(story)
    _dated(path, "D:20260302090000+00'00'")


def _dated(path: Path, creation: str) -> None:
    """The PDF with a fixed creation date in its metadata (reportlab writes the build time)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata({"/CreationDate": creation})
    with path.open("wb") as out:
        writer.write(out)


def report_with_a_scanned_page(path: Path) -> None:
    from PIL import Image as PILImage

    scan = HERE / "scan.png"
    PILImage.new("L", (400, 500), 235).save(scan)
    doc = BaseDocTemplate(str(path), pagesize=A4, title="Council minutes")
    doc.addPageTemplates([PageTemplate(id="one", frames=[Frame(40, 50, A4[0] - 80, A4[1] - 100)], onPage=_chrome)])
    styles = getSampleStyleSheet()
    doc.build([Paragraph("The council met on Monday and approved the harbour budget.", styles["BodyText"]),
               PageBreak(), Image(str(scan), width=300, height=375)])
    scan.unlink()


if __name__ == "__main__":
    two_column_report(HERE / "two-column-report.pdf")
    report_with_a_scanned_page(HERE / "scanned-page.pdf")
    (HERE / "two-column-report.json").write_text(json.dumps({"title": TITLE, "paragraphs": PARAGRAPHS},
                                                            indent=1))
    print("written")
