/**
 * The report as a PDF, drawn with pdfkit from the outline: text only (the standard Helvetica and
 * Courier fonts, nothing embedded, no links, no browser), tables whose cells wrap and whose header
 * repeats on a new page, and on every page a footer with the page number, the report's sha256 and
 * its date. Hostile text cannot be more than text here; what the standard fonts' encoding lacks
 * is drawn as "?".
 */
import PDFDocument from "pdfkit";
import { reportOutline, type Block } from "./outline.ts";
import { reportDigest, type ReportModel } from "./model.ts";

// WinAnsi (the standard fonts' encoding): printable ASCII, Latin-1 and a few typographic marks.
const NOT_WIN_ANSI = /[^\n\u0020-\u007e\u00a0-\u00ff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac]/gu;

/** A text as the PDF draws it. */
export const pdfText = (text: string): string => text.replace(NOT_WIN_ANSI, "?");

const MARGIN = 50;
const FOOTER = 30;
const BODY = { font: "Helvetica", size: 9.5 } as const;

export function renderPdf(model: ReportModel): PDFKit.PDFDocument {
  const doc = new PDFDocument({
    size: "A4",
    margins: { top: MARGIN, left: MARGIN, right: MARGIN, bottom: MARGIN + FOOTER },
    bufferPages: true,
    info: { Title: pdfText(`Engagement report: ${model.title}`), Producer: "Levhub", Creator: "Levhub", CreationDate: new Date(model.generatedAt) },
  });
  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const room = (h: number) => {
    if (doc.y + h > bottom()) doc.addPage();
  };
  const text = (t: string, opts: PDFKit.Mixins.TextOptions = {}) => doc.text(pdfText(t), MARGIN, doc.y, { width, ...opts });

  for (const b of reportOutline(model)) drawBlock(b);

  // footers last: every page is known now (bufferPages), so "page i of n" is right
  const digest = reportDigest(model);
  const { start, count } = doc.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    doc.switchToPage(i);
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font("Helvetica").fontSize(7).fillColor("#555");
    doc.text(pdfText(`Page ${i + 1} of ${count}  ·  report sha256 ${digest}  ·  generated ${model.generatedAt}`), MARGIN, doc.page.height - MARGIN - 8, { width, lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
  doc.end();
  return doc;

  function drawBlock(b: Block) {
    doc.fillColor("#111");
    switch (b.kind) {
      case "title":
        doc.font("Helvetica-Bold").fontSize(18);
        text(b.text);
        doc.moveDown(0.5);
        return;
      case "heading":
        room(b.level === 2 ? 70 : 50);
        doc.moveDown(b.level === 2 ? 0.8 : 0.4);
        doc.font("Helvetica-Bold").fontSize(b.level === 2 ? 14 : 11);
        text(b.text);
        doc.moveDown(0.3);
        return;
      case "paragraph":
        doc.font(BODY.font).fontSize(BODY.size);
        text(b.text);
        doc.moveDown(0.4);
        return;
      case "note":
        doc.font("Helvetica-Oblique").fontSize(8.5).fillColor("#555");
        text(b.text);
        doc.moveDown(0.4);
        return;
      case "facts":
        table(
          [{ label: "", width: 1 }, { label: "", width: 3 }],
          b.rows.map(([k, v]) => [k, v]),
          { header: false, boldFirst: true },
        );
        return;
      case "table":
        doc.font("Helvetica-Bold").fontSize(9.5);
        room(40);
        text(b.label);
        doc.moveDown(0.2);
        table(b.columns, b.rows, { header: true, boldFirst: false });
        return;
      case "code":
        doc.font("Helvetica-Oblique").fontSize(8.5);
        room(30);
        text(b.label);
        doc.font("Courier").fontSize(8);
        text(b.text, { indent: 0 });
        doc.moveDown(0.5);
        return;
    }
  }

  function table(columns: readonly { label: string; width: number }[], rows: readonly string[][], opts: { header: boolean; boldFirst: boolean }) {
    const total = columns.reduce((n, c) => n + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * width);
    const pad = 3;
    const heightOf = (cells: readonly string[], bold: (i: number) => boolean) =>
      Math.max(...cells.map((c, i) => doc.font(bold(i) ? "Helvetica-Bold" : "Helvetica").fontSize(8.5).heightOfString(pdfText(c) || " ", { width: widths[i] - 2 * pad }))) + 2 * pad;
    const drawRow = (cells: readonly string[], bold: (i: number) => boolean, shade: boolean) => {
      const h = heightOf(cells, bold);
      const y = doc.y;
      let x = MARGIN;
      if (shade) doc.rect(MARGIN, y, width, h).fill("#eeeeee");
      doc.lineWidth(0.5).strokeColor("#bbbbbb");
      cells.forEach((c, i) => {
        doc.rect(x, y, widths[i], h).stroke();
        doc.fillColor("#111").font(bold(i) ? "Helvetica-Bold" : "Helvetica").fontSize(8.5);
        doc.text(pdfText(c), x + pad, y + pad, { width: widths[i] - 2 * pad });
        x += widths[i];
      });
      doc.x = MARGIN;
      doc.y = y + h;
    };
    const header = () => {
      if (opts.header) drawRow(columns.map((c) => c.label), () => true, true);
    };
    room(40);
    header();
    for (const row of rows) {
      const h = heightOf(row, (i) => opts.boldFirst && i === 0);
      if (doc.y + h > bottom()) {
        doc.addPage();
        header();
      }
      drawRow(row, (i) => opts.boldFirst && i === 0, false);
    }
    doc.moveDown(0.6);
  }
}
