/**
 * How evaluation results are shown as text: cut to a length with a visible `...`, fenced for
 * Markdown whatever backticks they hold, written as a `;; =>` comment. Plain functions over
 * strings with no `vscode` import, so tests/vscode/unit.mjs checks them without an editor.
 */

/** Most characters of a value or of output a hover shows (as the server's own hover). */
export const HOVER_CHARS = 1_000;

/** Most characters of one value the "Yin REPL" log shows: a few lines; the inspector has the rest. */
export const LOG_CHARS = 2_000;

/**
 * Most characters of a value asked of the server (unless `yin.eval.inlineMaxLength` is larger):
 * enough for Replace with Value to write back a value of a few screens whole.
 */
export const PRINT_CHARS = 10_000;

/** `text` cut to at most `max` characters, ending in `...` when cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) {
    return text;
  }
  const keep = Math.max(0, max - 3);
  // Never split a surrogate pair: half an astral character renders as garbage.
  const end = isHighSurrogate(text.charCodeAt(keep - 1)) ? keep - 1 : keep;
  return `${text.slice(0, end)}...`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Line breaks and the blanks around them folded into one space, for a one-line display. */
export function oneLine(text: string): string {
  return text.replace(/\s*(\r\n|\r|\n)\s*/g, " ");
}

/**
 * A Markdown fenced code block holding `text` verbatim: the fence is one backtick longer than the
 * longest backtick run in `text` (at least three), so no backtick inside can close it.
 */
export function fenced(text: string, language: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) {
    longest = Math.max(longest, run.length);
  }
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** The first line of a form's text, marked with `...` when the form goes on. */
export function firstLine(text: string, max: number): string {
  const lines = text.split(/\r\n|\r|\n/);
  const first = lines[0] ?? "";
  return lines.length > 1 ? `${cut(first, max - 4)} ...` : cut(first, max);
}

/** The leading blanks of `line`. */
export function indentOf(line: string): string {
  return /^[ \t]*/.exec(line)?.[0] ?? "";
}

/** The comment line Evaluate to Comment writes for `value`, indented as `indent`. */
export function resultComment(indent: string, value: string): string {
  return `${indent};; => ${oneLine(value)}`;
}

/** Whether `line` is a result comment that a new result replaces rather than stacks under. */
export function isResultComment(line: string): boolean {
  return /^\s*;;\s*=>/.test(line);
}

/**
 * An integer setting's value checked against its bounds: the number, or the message that names
 * the setting, its range and what was found.
 */
export function checkInteger(name: string, value: unknown, min: number, max: number): number | string {
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  const found = typeof value === "string" ? JSON.stringify(value) : String(value);
  return `the setting \`${name}\` must be an integer from ${min.toLocaleString("en")} to ${max.toLocaleString("en")}, got ${found}`;
}
