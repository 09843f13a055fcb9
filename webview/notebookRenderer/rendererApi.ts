// The few types of the notebook renderer API (`vscode-notebook-renderer`) this renderer uses,
// declared here instead of adding a types package for five members.

export interface RendererOutputItem {
  readonly id: string;
  readonly mime: string;
  json(): unknown;
}

export interface RendererContext {
  /** Present when package.json sets requiresMessaging and the extension host is reachable. */
  postMessage?(message: unknown): void;
  readonly workspace?: { readonly isTrusted: boolean };
}

export interface RendererApi {
  renderOutputItem(item: RendererOutputItem, element: HTMLElement, signal?: AbortSignal): void;
  disposeOutputItem?(id?: string): void;
}

export type ActivationFunction = (context: RendererContext) => RendererApi;
