// Starts the NHS.UK frontend components (header menu, error summary focus, password show/hide,
// file upload, checkboxes and radios). base.html also loads the library itself as a module; we
// import the very same URL (hashed or not) from the data attribute so the browser reuses it.
const thisScript = document.querySelector('script[data-nhsuk-frontend]')
const libraryUrl = thisScript
  ? thisScript.dataset.nhsukFrontend
  : new URL('../nhsuk/nhsuk-frontend.min.js', import.meta.url).href

import(libraryUrl)
  .then(({ initAll }) => initAll())
  .catch((error) => console.error('NHS.UK frontend did not start', error))
