// Messages between the run card notebook renderer (webview/notebookRenderer) and the extension
// (vscode.notebooks.createRendererMessaging). The card itself is src/protocol/notebookRunCard.ts.

/** package.json contributes.notebookRenderer[].id */
export const RUN_CARD_RENDERER_ID = 'modelcloud.runCard';

/** Renderer → extension: the user clicked "Open run" on a card. */
export interface OpenRunFromCardMessage {
  type: 'openRun';
  runId: string;
  /** The card's store; lets the extension say so when the card belongs to another workspace. */
  storeDir: string;
}

export type RunCardRendererMessage = OpenRunFromCardMessage;

export function isOpenRunFromCardMessage(value: unknown): value is OpenRunFromCardMessage {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.type === 'openRun' && typeof v.runId === 'string' && /^[0-9a-f]{32}$/.test(v.runId) && typeof v.storeDir === 'string';
}
