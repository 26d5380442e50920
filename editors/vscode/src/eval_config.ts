/**
 * The `yin.eval.*` settings, read and checked at each evaluation (settings.json can hold anything
 * the schema warns about) and turned into the `limits` and `print` every `yin/eval` carries.
 */
import * as vscode from "vscode";
import * as ext from "./lsp_ext";
import { checkInteger, PRINT_CHARS } from "./present";

export interface EvalConfig {
  limits: ext.EvalLimits;
  print: ext.PrintOptions;
  /** Most characters of a value shown after its form. */
  inlineMaxLength: number;
}

/** Each setting with the bounds the server accepts (docs/lsp.md, "Live evaluation"). */
const BOUNDS = {
  maxSteps: [1, 10_000_000_000],
  timeoutMs: [1, 600_000],
  memoryMb: [16, 4_096],
  inlineMaxLength: [16, 1_000_000],
  maxDepth: [1, 100],
} as const;

/** The settings, or the message naming the first one that is out of range. */
export function readEvalConfig(scope?: vscode.ConfigurationScope): EvalConfig | string {
  const settings = vscode.workspace.getConfiguration("yin.eval", scope);
  const values: Partial<Record<keyof typeof BOUNDS, number>> = {};
  for (const [key, [min, max]] of Object.entries(BOUNDS) as [
    keyof typeof BOUNDS,
    readonly [number, number],
  ][]) {
    const checked = checkInteger(`yin.eval.${key}`, settings.get<unknown>(key), min, max);
    if (typeof checked === "string") {
      return checked;
    }
    values[key] = checked;
  }
  const { maxSteps, timeoutMs, memoryMb, inlineMaxLength, maxDepth } = values as Record<
    keyof typeof BOUNDS,
    number
  >;
  return {
    limits: { steps: maxSteps, timeMs: timeoutMs, memoryMb },
    // The server prints for the log, the hover and Replace too, which want more than the inline
    // text: it cuts at the larger of the two and the inline display cuts again.
    print: { maxLength: Math.max(inlineMaxLength, PRINT_CHARS), maxDepth },
    inlineMaxLength,
  };
}
