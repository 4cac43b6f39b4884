/**
 * What of a container's terminal output reaches a person's terminal. A shell in a task's container
 * prints whatever the package's code makes it print, and terminals act on some escape sequences
 * beyond drawing: OSC (titles, OSC 52 writes the clipboard, OSC 8 links, colour queries answered as
 * input), DCS (DECRQSS and other requests), SOS, PM and APC. Those strings are dropped, in their
 * 7-bit (ESC ], ESC P, ESC X, ESC ^, ESC _) and 8-bit (U+009D, U+0090, U+0098, U+009E, U+009F)
 * forms, whatever chunks they arrive in; CSI and the rest (colours, cursor movement, clearing) pass,
 * as a shell needs them. Pure, stateful per stream.
 */

const ESC = "\x1b";
/** the introducers of a string sequence, after ESC */
const STRING_INTRODUCERS = new Set(["]", "P", "X", "^", "_"]);
/** their 8-bit forms */
const C1_STRING_INTRODUCERS = new Set(["\u009d", "\u0090", "\u0098", "\u009e", "\u009f"]);
/** a string sequence left unterminated this long is given up (its text still dropped) */
const MAX_STRING = 4096;

export class TerminalOutputFilter {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  /** inside a string sequence: how many characters of it were dropped */
  private inString: number | null = null;
  /** the previous chunk ended with ESC (inside a string: maybe the start of ST) */
  private pendingEsc = false;
  /** sequences dropped so far (tests, diagnostics) */
  dropped = 0;

  /** The chunk as text with every string sequence removed. */
  push(chunk: Uint8Array): string {
    return this.filter(this.decoder.decode(chunk, { stream: true }));
  }

  private filter(text: string): string {
    let out = "";
    for (const ch of text) {
      if (this.inString !== null) {
        // ends at BEL, ST (ESC \\ or U+009C), or by giving up
        if (this.pendingEsc) {
          this.pendingEsc = false;
          if (ch === "\\") {
            this.inString = null;
            continue;
          }
        }
        if (ch === "\x07" || ch === "\u009c") {
          this.inString = null;
          continue;
        }
        if (ch === ESC) {
          this.pendingEsc = true;
          continue;
        }
        if (++this.inString > MAX_STRING) this.inString = null;
        continue;
      }
      if (this.pendingEsc) {
        this.pendingEsc = false;
        if (STRING_INTRODUCERS.has(ch)) {
          this.inString = 0;
          this.dropped++;
          continue;
        }
        out += ESC + ch;
        continue;
      }
      if (ch === ESC) {
        this.pendingEsc = true;
        continue;
      }
      if (C1_STRING_INTRODUCERS.has(ch)) {
        this.inString = 0;
        this.dropped++;
        continue;
      }
      out += ch;
    }
    return out;
  }
}
