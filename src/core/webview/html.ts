// The HTML shell of every dashboard: a strict Content-Security-Policy (no inline script without
// the nonce, no eval, resources only from the extension's own webview origin) and one bundled
// script. Pure so the policy is unit-tested.

export interface WebviewHtmlOptions {
  title: string;
  /** webview.cspSource: the origin the webview serves extension resources from. */
  cspSource: string;
  /** A fresh random value per render; only scripts carrying it run. */
  nonce: string;
  scriptUri: string;
  styleUris: string[];
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    // @vscode-elements/elements adopts constructed stylesheets; inline style attributes are set by
    // the virtualised table's layout code (positions, widths), never from user data.
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function webviewHtml(o: WebviewHtmlOptions): string {
  const styles = o.styleUris.map((uri) => `<link rel="stylesheet" href="${escapeAttribute(uri)}">`).join('\n    ');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(o.cspSource, o.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
    ${styles}
    <title>${escapeText(o.title)}</title>
  </head>
  <body>
    <div id="root"></div>
    <script nonce="${escapeAttribute(o.nonce)}" src="${escapeAttribute(o.scriptUri)}"></script>
  </body>
</html>`;
}

/** 32 random alphanumerics from the given random source (crypto in the host). */
export function makeNonce(randomBytes: (n: number) => Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(32), (b) => alphabet[b % alphabet.length]).join('');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function escapeText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
