// The one acquireVsCodeApi() call of a webview, typed by the dashboard's contract.
import type { ReadyMessage } from '../../src/protocol/common';

interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export interface HostChannel<ToHost, FromHost, State> {
  post(message: ToHost): void;
  onMessage(handler: (message: FromHost) => void): void;
  /** Sends `ready`: call once the UI can take the full state. */
  ready(): void;
  getState(): State | undefined;
  setState(state: State): void;
}

export function connectToHost<ToHost, FromHost, State = unknown>(): HostChannel<ToHost, FromHost, State> {
  const api = acquireVsCodeApi<State>();
  return {
    post: (message) => api.postMessage(message),
    onMessage: (handler) => window.addEventListener('message', (event: MessageEvent<FromHost>) => handler(event.data)),
    ready: () => api.postMessage({ type: 'ready' } satisfies ReadyMessage),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}
