// allauth's passkey scripts report a failure (cancelled, no passkey on this device) only to
// the browser console; say it on the page, in the box marked data-passkey-error.
document.addEventListener('allauth.error', function (event) {
  const box = document.querySelector('[data-passkey-error]')
  if (!box) return
  event.preventDefault()
  box.textContent = 'That did not work: the passkey was not used (it may have been cancelled, ' +
    'or this device has none for this site). You can try again, or use the code from your app.'
  box.hidden = false
})
