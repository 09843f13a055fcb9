// The card's styles, put in each card's shadow root. Colours come only from VS Code theme
// variables (they inherit into the shadow root), so the card follows light, dark and high contrast.
export const CARD_CSS = `
:host { display: block; }
.card {
  font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px);
  color: var(--vscode-foreground);
  border: 1px solid var(--vscode-widget-border, var(--vscode-panel-border, rgba(128,128,128,.35)));
  border-left: 3px solid var(--mc-status); border-radius: 4px;
  padding: 8px 12px; max-width: 760px; box-sizing: border-box;
  background: var(--vscode-editorWidget-background, transparent);
}
.card.running { --mc-status: var(--vscode-charts-blue, #3794ff); }
.card.finished { --mc-status: var(--vscode-charts-green, #388a34); }
.card.failed { --mc-status: var(--vscode-errorForeground, #f14c4c); }
.card.killed, .card.unknown { --mc-status: var(--vscode-descriptionForeground, #888); }
.head { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; }
.badge {
  font-size: 11px; font-weight: 600; letter-spacing: .04em; padding: 1px 6px; border-radius: 8px;
  color: var(--mc-status); border: 1px solid var(--mc-status);
}
.card.running .badge::before { content: '● '; animation: pulse 1.2s ease-in-out infinite; }
@keyframes pulse { 50% { opacity: .3; } }
.name { font-weight: 600; }
.muted { color: var(--vscode-descriptionForeground); }
.open { margin-left: auto; color: var(--vscode-textLink-foreground); text-decoration: none; cursor: pointer; }
.open:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
.open:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
.section { margin-top: 6px; }
.params { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 2px 16px; }
.param { display: flex; gap: 6px; min-width: 0; }
.param .key { color: var(--vscode-descriptionForeground); white-space: nowrap; }
.param .value { font-family: var(--vscode-editor-font-family, monospace); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.more { color: var(--vscode-descriptionForeground); font: inherit; font-style: italic; text-align: left; padding: 0; background: none; border: none; }
button.more { color: var(--vscode-textLink-foreground); cursor: pointer; font-style: normal; }
button.more:hover { text-decoration: underline; }
.metrics { display: grid; grid-template-columns: max-content 124px max-content max-content; gap: 2px 12px; align-items: center; }
.metric-key { color: var(--vscode-foreground); }
.metric-last { font-family: var(--vscode-editor-font-family, monospace); font-variant-numeric: tabular-nums; text-align: right; }
.metric-step { color: var(--vscode-descriptionForeground); font-size: 11px; }
svg.spark polyline { fill: none; stroke: var(--vscode-charts-blue, #3794ff); stroke-width: 1.5; stroke-linejoin: round; stroke-linecap: round; }
svg.spark circle { fill: var(--vscode-charts-blue, #3794ff); }
.note { color: var(--vscode-descriptionForeground); font-size: 11px; margin-top: 4px; }
`;
