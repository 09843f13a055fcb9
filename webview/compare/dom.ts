// Tiny DOM builder: every piece of text goes in through textContent, never innerHTML, so run
// names, params and notes can hold anything without becoming markup.

type Child = Node | string | number | null | undefined | false;

export interface ElementProps {
  class?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string | undefined>;
  on?: Partial<Record<string, (event: Event) => void>>;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: ElementProps = {}, children: Child[] = []): HTMLElementTagNameMap[K] {
  return fill(document.createElement(tag), props, children);
}

/** A custom element (vscode-button, vscode-checkbox, ...). */
export function custom(tag: string, props: ElementProps = {}, children: Child[] = []): HTMLElement {
  return fill(document.createElement(tag), props, children);
}

function fill<E extends HTMLElement>(element: E, props: ElementProps, children: Child[]): E {
  if (props.class) element.className = props.class;
  if (props.text !== undefined) element.textContent = props.text;
  if (props.title !== undefined) element.title = props.title;
  for (const [name, value] of Object.entries(props.attrs ?? {})) if (value !== undefined) element.setAttribute(name, value);
  for (const [name, handler] of Object.entries(props.on ?? {})) if (handler) element.addEventListener(name, handler);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

export function clear(element: Element): void {
  while (element.firstChild) element.firstChild.remove();
}
