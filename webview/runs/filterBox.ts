// The filter box: MLflow search syntax, applied with Enter. A rejected filter is echoed under
// the box with a caret under the offending token and the parser's explanation.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { QueryErrorInfo } from '../../src/protocol/runsDashboard';
import { el, icon } from './dom';

export const FILTER_EXAMPLE = "metrics.f1 > 0.9 and params.max_depth = '5'";

export class FilterBox {
  readonly element: HTMLDivElement;
  readonly errorElement: HTMLDivElement;
  private readonly field: HTMLElement & { value: string; invalid: boolean };

  constructor(onApply: (filter: string) => void) {
    this.element = el('div', 'filter');
    this.field = document.createElement('vscode-textfield') as unknown as HTMLElement & { value: string; invalid: boolean };
    this.field.className = 'filter-field';
    this.field.setAttribute('placeholder', `Filter runs, e.g. ${FILTER_EXAMPLE} — press Enter`);
    this.field.setAttribute('aria-label', 'Filter runs (MLflow search syntax); press Enter to apply');
    const glyph = icon('filter');
    glyph.setAttribute('slot', 'content-before');
    this.field.append(glyph);
    this.field.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') {
        event.preventDefault();
        onApply(this.value);
      }
    });
    this.element.append(this.field);
    this.errorElement = el('div', 'filter-error');
    this.errorElement.setAttribute('role', 'alert');
    this.errorElement.hidden = true;
  }

  get value(): string {
    return this.field.value ?? '';
  }

  set value(text: string) {
    this.field.value = text;
  }

  focus(): void {
    this.field.focus();
  }

  showError(filter: string, error: QueryErrorInfo): void {
    this.field.invalid = true;
    const offset = Math.max(0, Math.min(filter.length, error.offset));
    const length = Math.max(1, Math.min(error.length, Math.max(1, filter.length - offset)));
    const echo = el('pre', 'filter-echo');
    echo.append(el('span', '', filter), document.createTextNode('\n'), el('span', 'caret', `${' '.repeat(offset)}^${'~'.repeat(length - 1)}`));
    const message = el('div', 'filter-message', `${error.message} (column ${offset + 1})`);
    this.errorElement.replaceChildren(echo, message);
    this.errorElement.hidden = false;
  }

  clearError(): void {
    this.field.invalid = false;
    this.errorElement.hidden = true;
    this.errorElement.replaceChildren();
  }
}
