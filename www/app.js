// The playground: wires the form to the package's browser build. Nothing leaves the page
// (the server's Content-Security-Policy allows no connection but to this origin).
import { curlCommand } from './curl.js';
import { eventRows } from './event-view.js';

/** @typedef {typeof import('caspay-webhooks')} Api */

// The picker's groups, by the prefix of the package's type names.
const GROUPS = { payment: 'Payments', subscription: 'Subscriptions', invoice: 'Invoices', payout: 'Payouts', contract: 'Contracts', test: 'Test' };

const SECRET_FORMAT = /^whsec_[A-Za-z0-9]{32}$/;

/** @param {string} id */
const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const secretInput = /** @type {HTMLInputElement} */ ($('secret'));
const typeSelect = /** @type {HTMLSelectElement} */ ($('event-type'));
const shapeSelect = /** @type {HTMLSelectElement} */ ($('shape'));
const bodyInput = /** @type {HTMLTextAreaElement} */ ($('body'));
const signatureInput = /** @type {HTMLInputElement} */ ($('signature'));
const targetInput = /** @type {HTMLInputElement} */ ($('target-url'));
const buttons = ['sign', 'verify', 'parse', 'new-secret', 'copy-curl'].map((id) => /** @type {HTMLButtonElement} */ ($(id)));

function randomSecret() {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // 62 does not divide 256: redraw the top bytes so every character is equally likely.
  let secret = 'whsec_';
  while (secret.length < 38) {
    for (const byte of crypto.getRandomValues(new Uint8Array(32))) {
      if (byte < 248 && secret.length < 38) secret += alphabet[byte % 62];
    }
  }
  return secret;
}

/**
 * @param {'idle' | 'valid' | 'info' | 'error'} state
 * @param {string} title
 * @param {string} [detail]
 */
function showVerdict(state, title, detail = '') {
  $('verdict').dataset.state = state;
  $('verdict-title').textContent = title;
  $('verdict-detail').textContent = detail;
}

/** Marks the control an error is about, so it is announced and outlined. @param {string | null} code */
function markInvalid(code) {
  const culprit = code === null ? null
    : ['missing_signature', 'invalid_signature_format', 'signature_mismatch'].includes(code) ? signatureInput
    : code === 'invalid_secret' ? secretInput
    : ['invalid_json', 'invalid_event', 'payload_too_large', 'invalid_payload'].includes(code) ? bodyInput
    : null;
  for (const input of [secretInput, bodyInput, signatureInput]) {
    if (input === culprit) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

/** @param {unknown} error */
function showError(error) {
  const e = /** @type {{ code?: string, message?: string, field?: string | null, position?: number | null }} */ (error);
  const message = e.message ?? String(error);
  // The core's messages already say where JSON broke; the offending field may need adding.
  const where = e.field && !message.includes(e.field) ? ` (field ${e.field})` : '';
  showVerdict('error', e.code ?? 'error', `${message}${where}`);
  markInvalid(e.code ?? null);
  hideEvent();
}

function hideEvent() {
  $('event').hidden = true;
}

/**
 * @param {Api} api
 * @param {import('caspay-webhooks').CasPayEvent} event
 */
function showEvent(api, event) {
  const list = $('event-fields');
  list.replaceChildren();
  for (const [label, value] of eventRows(event, api.motesToCspr)) {
    const term = document.createElement('dt');
    term.textContent = label;
    const detail = document.createElement('dd');
    detail.textContent = value;
    detail.dataset.field = label;
    list.append(term, detail);
  }
  $('event-json').textContent = JSON.stringify(event, null, 2);
  $('event').hidden = false;
}

/** The event type the headers announce: whatever the body says, else the picker. */
function announcedType() {
  try {
    const parsed = JSON.parse(bodyInput.value);
    const type = parsed?.type ?? parsed?.event;
    if (typeof type === 'string') return type;
  } catch {
    // An unparsable body is still sent as typed; the picker names it.
  }
  return typeSelect.value;
}

function updateCurl() {
  $('curl').textContent = curlCommand({
    url: targetInput.value.trim() || 'http://127.0.0.1:3000/webhook',
    body: bodyInput.value,
    signature: signatureInput.value.trim() || '<sign the body first>',
    eventType: announcedType(),
    timestamp: new Date().toISOString(),
  });
}

/** @param {Api} api */
function loadSample(api) {
  bodyInput.value = api.sampleEvent(/** @type {any} */ (typeSelect.value), /** @type {'a'|'b'|'c'} */ (shapeSelect.value));
  signatureInput.value = '';
  markInvalid(null);
  hideEvent();
  showVerdict('idle', 'Sample loaded.', 'Sign it, then verify; or edit it and see what breaks.');
  updateCurl();
}

/** @param {Api} api */
function wire(api) {
  /** @type {Map<string, HTMLOptGroupElement>} */
  const groups = new Map();
  for (const type of api.eventTypes()) {
    const prefix = type.split('.')[0];
    let optgroup = groups.get(prefix);
    if (optgroup === undefined) {
      optgroup = document.createElement('optgroup');
      optgroup.label = GROUPS[/** @type {keyof typeof GROUPS} */ (prefix)] ?? prefix;
      groups.set(prefix, optgroup);
      typeSelect.append(optgroup);
    }
    optgroup.append(new Option(type, type));
  }
  secretInput.value = randomSecret();

  $('new-secret').addEventListener('click', () => {
    secretInput.value = randomSecret();
    showVerdict('info', 'New secret.', 'Signatures made with the old secret no longer verify.');
    updateCurl();
  });
  typeSelect.addEventListener('change', () => loadSample(api));
  shapeSelect.addEventListener('change', () => loadSample(api));
  for (const input of [bodyInput, signatureInput, targetInput]) input.addEventListener('input', updateCurl);

  $('sign').addEventListener('click', () => {
    try {
      signatureInput.value = api.sign(bodyInput.value, secretInput.value);
      markInvalid(null);
      const note = SECRET_FORMAT.test(secretInput.value) ? '' : ' Note: this secret does not look like whsec_ + 32 letters or digits.';
      showVerdict('info', 'Signed.', `X-CasPay-Signature is HMAC-SHA256 of the body under the secret.${note}`);
    } catch (error) {
      showError(error);
    }
    updateCurl();
  });

  $('verify').addEventListener('click', () => {
    try {
      const event = api.constructEvent(bodyInput.value, signatureInput.value.trim(), secretInput.value);
      markInvalid(null);
      showVerdict('valid', 'Valid: signed by this secret.', `${event.type}, idempotency key ${event.idempotencyKey}`);
      showEvent(api, event);
    } catch (error) {
      showError(error);
    }
  });

  $('parse').addEventListener('click', () => {
    try {
      const event = api.parseEvent(bodyInput.value);
      markInvalid(null);
      showVerdict('info', 'Parsed (signature not checked).', `${event.type}, idempotency key ${event.idempotencyKey}`);
      showEvent(api, event);
    } catch (error) {
      showError(error);
    }
  });

  $('copy-curl').addEventListener('click', async () => {
    updateCurl();
    try {
      await navigator.clipboard.writeText($('curl').textContent ?? '');
      $('copy-status').textContent = 'Copied.';
    } catch {
      // Clipboard access needs a secure context or permission: select the text instead.
      getSelection()?.selectAllChildren($('curl'));
      $('copy-status').textContent = 'Selected: press Ctrl+C to copy.';
    }
  });

  loadSample(api);
  for (const button of buttons) button.disabled = false;
  $('engine').dataset.state = 'ready';
  $('engine').textContent = 'WebAssembly core loaded.';
  document.documentElement.dataset.ready = 'true';
}

for (const button of buttons) button.disabled = true;
/** @type {Promise<Api>} */
// @ts-expect-error the bundle exists only once serve.mjs (or build.mjs) has built it; it is the package's browser build
const loading = import('./dist/caspay-webhooks.js');
loading.then(wire, (error) => {
  $('engine').dataset.state = 'error';
  $('engine').textContent = `The WebAssembly core failed to load: ${error}`;
});
