import * as assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, webviewHtml } from '../../../src/core/webview/html';

describe('webview HTML shell', () => {
  const html = webviewHtml({
    title: 'Runs <all>', cspSource: 'vscode-resource:', nonce: 'abc123', scriptUri: 'vscode-resource:/x/runs.js?a="b"', styleUris: ['vscode-resource:/x/runs.css'],
  });

  it('allows only the nonce-carrying script and the extension origin; never eval', () => {
    const csp = contentSecurityPolicy('vscode-resource:', 'abc123');
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-abc123'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|\*/);
    assert.match(html, /<script nonce="abc123" src="vscode-resource:\/x\/runs\.js\?a=&quot;b&quot;"><\/script>/);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
  });

  it('escapes the title and makes 32-character alphanumeric nonces', () => {
    assert.match(html, /<title>Runs &lt;all&gt;<\/title>/);
    const nonce = makeNonce((n) => Uint8Array.from({ length: n }, (_, i) => i * 7));
    assert.match(nonce, /^[A-Za-z0-9]{32}$/);
  });
});
