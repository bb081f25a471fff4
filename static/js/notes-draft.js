// Meeting notes: keeps what the person is typing as a private draft on the server, every so often
// and whenever they leave the text box, and says when it was last kept ("Draft saved at 10:32am"),
// politely, to screen readers too. Warns before leaving the page with changes not yet kept.
// Without JavaScript the form works as before. Loaded as a file: the Content-Security-Policy
// allows no inline script.
;(function () {
  'use strict'

  var wrapper = document.querySelector('[data-notes-draft-url]')
  if (!wrapper) return
  var form = wrapper.querySelector('form')
  var body = form && form.querySelector('textarea[name="body_markdown"]')
  var token = form && form.querySelector('input[name="csrfmiddlewaretoken"]')
  var status = wrapper.querySelector('[data-notes-draft-status]')
  if (!body || !token || !status || !window.fetch) return

  var reason = form.querySelector('[name="amendment_note"]')
  var url = wrapper.getAttribute('data-notes-draft-url')
  var EVERY_MS = 20000
  var FAILED = 'Your draft could not be kept. Check your connection, and save the notes before you leave this page.'

  function current () {
    return JSON.stringify([body.value, reason ? reason.value : ''])
  }

  // What the server holds: the page as it was sent (the saved notes, or the draft it brought back).
  var kept = current()
  var saving = null
  var leavingBySubmit = false

  function say (text) {
    status.textContent = text
  }

  function save () {
    var snapshot = current()
    if (snapshot === kept || saving || leavingBySubmit) return
    var data = new FormData()
    data.append('csrfmiddlewaretoken', token.value)
    data.append('body_markdown', body.value)
    if (reason) data.append('amendment_note', reason.value)
    saving = fetch(url, {
      method: 'POST',
      body: data,
      credentials: 'same-origin',
      headers: { 'X-CSRFToken': token.value, Accept: 'application/json' }
    })
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.ok && json.saved) {
            kept = snapshot
            say('Draft saved at ' + json.saved_at)
          } else {
            say(json.message ? json.message + '. Save the notes before you leave this page.' : FAILED)
          }
        })
      })
      .catch(function () {
        say(FAILED)
      })
      .then(function () {
        saving = null
      })
  }

  window.setInterval(save, EVERY_MS)
  body.addEventListener('blur', save)
  if (reason) reason.addEventListener('blur', save)
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden') save()
  })
  form.addEventListener('submit', function () {
    leavingBySubmit = true
  })
  window.addEventListener('beforeunload', function (event) {
    if (leavingBySubmit || current() === kept) return
    event.preventDefault()
    event.returnValue = ''
  })

  // A refused save (an error on the page) shows text the server has not kept yet: keep it now.
  if (document.querySelector('.nhsuk-error-summary')) {
    kept = null
    save()
  }
})()
