"""The /redoc and /docs pages: vendored Redoc and Swagger UI (static/, see
test/harness/vendorDocsAssets.mjs), no CDN, no inline script, served under a strict CSP."""

from __future__ import annotations

import os
from typing import Dict, Optional, Tuple

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")

# Redoc and Swagger UI inject <style> elements and use blob: workers; nothing may load from elsewhere.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'self'")

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
%(head)s
</head>
<body>
%(body)s
</body>
</html>
"""

_INIT_JS = {
    "redoc-init.js": "Redoc.init('openapi.json', {hideDownloadButton: false, expandResponses: '200'},"
                     " document.getElementById('redoc'));\n",
    "swagger-init.js": "window.ui = SwaggerUIBundle({url: 'openapi.json', dom_id: '#swagger-ui', validatorUrl: null,"
                       " deepLinking: true, tryItOutEnabled: true});\n",
}

_CONTENT_TYPES = {".js": b"text/javascript; charset=utf-8", ".css": b"text/css; charset=utf-8",
                  ".json": b"application/json", ".txt": b"text/plain; charset=utf-8",
                  ".LICENSE": b"text/plain; charset=utf-8"}


def _html(title: str, head: str, body: str) -> bytes:
    return (_PAGE % {"title": title, "head": head, "body": body}).encode("utf-8")


def redoc_page(service: str) -> bytes:
    return _html("%s - API reference" % _escape(service),
                 '<style>body{margin:0;padding:0}</style>',
                 '<div id="redoc"></div>\n<script src="static/redoc.standalone.js"></script>\n'
                 '<script src="static/redoc-init.js"></script>')


def swagger_page(service: str) -> bytes:
    return _html("%s - try the API" % _escape(service),
                 '<link rel="stylesheet" href="static/swagger-ui.css">',
                 '<div id="swagger-ui"></div>\n<script src="static/swagger-ui-bundle.js"></script>\n'
                 '<script src="static/swagger-init.js"></script>')


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Redoc's footer logo points at its CDN (the CSP would block it); serve an inline image instead so
# the page makes no outside request at all. The vendored file itself stays as published.
_BLANK_SVG = b"data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 width=%221%22 height=%221%22/%3E"
_OFFLINE_PATCHES = {"redoc.standalone.js": ((b"https://cdn.redoc.ly/redoc/logo-mini.svg", _BLANK_SVG),)}

_cache: Dict[str, Tuple[bytes, bytes]] = {}


def static_file(name: str) -> Optional[Tuple[bytes, bytes]]:
    """(content type, bytes) of a vendored asset or init script; None when unknown."""
    if name in _cache:
        return _cache[name]
    if name in _INIT_JS:
        found = (b"text/javascript; charset=utf-8", _INIT_JS[name].encode())
    else:
        if "/" in name or "\\" in name or name.startswith("."):
            return None
        path = os.path.join(STATIC_DIR, name)
        if not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            data = f.read()
        for remote, local in _OFFLINE_PATCHES.get(name, ()):
            data = data.replace(remote, local)
        found = (_CONTENT_TYPES.get(os.path.splitext(name)[1], b"application/octet-stream"), data)
    _cache[name] = found
    return found
