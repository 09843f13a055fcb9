// What every dashboard's host<->webview contract shares. Each dashboard has its own contract
// file next to this one (e.g. runsDashboard.ts) that both sides import: the host from
// src/features, the browser code from webview/. Messages are plain JSON objects with a `type`.

/** The first message of every webview: sent once its script has run and it can receive state. */
export interface ReadyMessage {
  type: 'ready';
}

/** A failure the webview should show where the user is looking (host -> webview). */
export interface ErrorMessage {
  type: 'error';
  message: string;
}

export type MessageOf<T extends { type: string }, K extends T['type']> = Extract<T, { type: K }>;
