// Small wrappers over @vscode-elements/elements controls, typed for the dashboards.
import { custom, h } from './dom';

export function select(label: string, options: Array<{ value: string; label?: string }>, value: string, onChange: (value: string) => void): HTMLElement {
  const el = custom('vscode-single-select', { attrs: { 'aria-label': label } },
    options.map((o) => custom('vscode-option', { text: o.label ?? o.value, attrs: { value: o.value, ...(o.value === value ? { selected: '' } : {}) } })));
  el.addEventListener('change', () => onChange((el as unknown as { value: string }).value));
  return h('label', { class: 'control' }, [h('span', { class: 'control-label', text: label }), el]);
}

export function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const el = custom('vscode-checkbox', { attrs: { label, ...(checked ? { checked: '' } : {}) } });
  el.addEventListener('change', () => onChange((el as unknown as { checked: boolean }).checked));
  return el;
}

export function button(label: string, onClick: () => void, options: { secondary?: boolean; title?: string; icon?: string } = {}): HTMLElement {
  return custom('vscode-button', {
    text: label, title: options.title,
    attrs: { ...(options.secondary ? { secondary: '' } : {}), ...(options.icon ? { icon: options.icon } : {}) },
    on: { click: () => onClick() },
  });
}

export function slider(label: string, value: number, max: number, onInput: (value: number) => void): HTMLElement {
  const readout = h('span', { class: 'slider-value', text: value.toFixed(2) });
  const input = h('input', { attrs: { type: 'range', min: '0', max: String(max), step: '0.01', value: String(value), 'aria-label': label } });
  input.addEventListener('input', () => {
    readout.textContent = Number(input.value).toFixed(2);
    onInput(Number(input.value));
  });
  return h('label', { class: 'control' }, [h('span', { class: 'control-label', text: label }), input, readout]);
}
