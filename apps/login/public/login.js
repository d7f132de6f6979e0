// The live part of the QR login page: a server-sent event stream pushes a new QR code every
// second (the HMAC secret never reaches the browser) and the state of the request (scanned with
// the number to match, approved, rejected, expired). On approval the page completes the login.
(() => {
  const body = document.body;
  const uid = body.dataset.uid;
  const request = body.dataset.request;
  if (!uid || !request) return;
  const $ = (id) => document.getElementById(id);
  const show = (id, on) => {
    const el = $(id);
    if (el) el.hidden = !on;
  };
  const source = new EventSource(
    `/login/${encodeURIComponent(uid)}/events?request=${encodeURIComponent(request)}`,
  );
  source.addEventListener('qr', (event) => {
    const data = JSON.parse(event.data);
    $('qr').innerHTML = data.svg;
    $('open-app').href = `camdigikey://login?qr=${encodeURIComponent(data.payload)}`;
  });
  source.addEventListener('status', (event) => {
    const data = JSON.parse(event.data);
    if (data.state === 'claimed') {
      show('qr', false);
      show('instructions', false);
      show('open-app', false);
      $('match-code').textContent = data.matchCode;
      show('scanned', true);
    } else if (data.state === 'approved') {
      show('scanned', false);
      show('approved', true);
      source.close();
      window.location.assign(
        `/login/${encodeURIComponent(uid)}/complete?request=${encodeURIComponent(request)}`,
      );
    } else if (data.state === 'rejected') {
      show('scanned', false);
      show('qr', false);
      show('rejected', true);
      source.close();
      setTimeout(() => {
        const form = document.querySelector('form[action$="/abort"]');
        if (form) form.submit();
      }, 2500);
    } else if (data.state === 'expired') {
      show('qr', false);
      show('scanned', false);
      show('instructions', false);
      show('expired', true);
      source.close();
    }
  });
})();
