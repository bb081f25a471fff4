// Loaded at the top of <body> (no inline scripts: the Content-Security-Policy is script-src 'self').
// NHS.UK frontend styles its JavaScript-enhanced components only when these classes are present.
document.body.className +=
  ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' nhsuk-frontend-supported' : '')
