/**
 * The text of a PDF, page by page, through pdf.js (a development dependency): how tests read a
 * generated report the way a reader's viewer would, rather than searching its bytes.
 */
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

export async function pdfPages(bytes: Uint8Array): Promise<string[]> {
  // verbosity 0: pdf.js warns that it has no font files to draw with, which text extraction does not need
  const task = getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, disableFontFace: true, verbosity: 0 });
  const pdf = await task.promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= pdf.numPages; i++) {
      const content = await (await pdf.getPage(i)).getTextContent();
      pages.push(content.items.map((it) => ("str" in it ? it.str + (it.hasEOL ? "\n" : "") : "")).join(""));
    }
    return pages;
  } finally {
    await task.destroy();
  }
}

/** All the PDF's text, its pages joined. */
export const pdfText = async (bytes: Uint8Array): Promise<string> => (await pdfPages(bytes)).join("\n");
