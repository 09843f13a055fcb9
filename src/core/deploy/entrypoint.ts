// Turns a manifest entrypoint ("python cloud_model.py") into the argv of a local revision. Pure.

export class EntrypointError extends Error {}

/** Splits like a POSIX shell without expansions: spaces separate, quotes group, backslash escapes. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") { quote = c; inWord = true; }
    else if (c === '\\' && i + 1 < text.length) { word += text[++i]; inWord = true; }
    else if (/\s/.test(c)) { if (inWord) { words.push(word); word = ''; inWord = false; } }
    else { word += c; inWord = true; }
  }
  if (quote) throw new EntrypointError(`unterminated ${quote} quote in entrypoint: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** The argv to run: a leading `python`/`python3`/`python3.X` becomes the service's interpreter. */
export function entrypointArgv(entrypoint: string, python: string): string[] {
  const words = splitCommandLine(entrypoint);
  if (!words.length) throw new EntrypointError('the manifest entrypoint is empty; use e.g. "python cloud_model.py"');
  if (/^python(\d+(\.\d+)?)?$/.test(words[0])) words[0] = python;
  return words;
}
