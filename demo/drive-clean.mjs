#!/usr/bin/env node
/*
 * drive-clean.mjs — the visitor of the closed-loop demo (scripts/demo-gateway.sh): browses the
 * clean demo site (phiwall-demo-server --clean --gateway URL, already running) in headless
 * Chromium, uncontained, accepting the consent banner on the first page: the pages' only tag is the gateway's /phiwall.js, so every request
 * really goes to the site or to the gateway. Visits care pages, fills the appointment form with
 * the canary identity of demo/expected.json (typed, key by key) and submits it, submits the
 * refill form; then prints every request that left the site's origin, one a line:
 *   request METHOD URL
 * and a summary "drive-clean: N pages, S site requests, G gateway requests, O other requests".
 *
 *   node demo/drive-clean.mjs --site http://127.0.0.1:PORT --gateway http://127.0.0.1:PORT
 *                             [--chromium /usr/bin/chromium] [--verbose]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep, launchChromium, Driver } from './cdp.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const args = { chromium: '/usr/bin/chromium' };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--verbose') args.verbose = true;
  else if (a.startsWith('--') && i + 1 < process.argv.length) args[a.slice(2)] = process.argv[++i];
}
if (!args.site || !args.gateway) {
  console.error('usage: node demo/drive-clean.mjs --site URL --gateway URL [--chromium PATH]');
  process.exit(2);
}
const CANARY = JSON.parse(readFileSync(join(HERE, 'expected.json'), 'utf8')).canary;
/* Care pages a patient would browse: the policy must turn them all into a harmless category. */
const PAGES = ['/', '/services/hiv-care', '/services/behavioral-health', '/doctors/elena-marsh',
  '/find-a-doctor', '/symptom-checker', '/parking'];

async function openTab(cdp, rec, requests) {
  const { targetId } = await cdp.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId, flatten: true });
  cdp.on((msg) => {
    if (msg.sessionId === sessionId && msg.method === 'Network.requestWillBeSent')
      requests.push({ method: msg.params.request.method, url: msg.params.request.url });
  });
  for (const m of ['Page.enable', 'Runtime.enable', 'Network.enable']) await cdp.send(m, {}, sessionId);
  return new Driver(cdp, sessionId, rec);
}

async function fillAppointment(d) {
  for (const [sel, v] of [['#first_name', CANARY.first_name], ['#last_name', CANARY.last_name],
    ['#zip', CANARY.zip], ['#phone', CANARY.phone], ['#email', CANARY.email],
    ['#member_id', CANARY.member_id], ['#reason', CANARY.reason]])
    await d.type(sel, v);
  await d.setValue('#dob', CANARY.dob);
  await d.setValue('#insurance', CANARY.insurance);
}

async function fillRefill(d) {
  await d.type('#rx_name', `${CANARY.first_name} ${CANARY.last_name}`);
  await d.setValue('#rx_dob', CANARY.dob);
  await d.type('#rx_med', 'sertraline 50 mg');
  await d.type('#rx_phone', CANARY.phone);
}

async function main() {
  const chrome = launchChromium(args.chromium, args.verbose);
  const requests = [];
  const rec = { origin: args.site, step: 'load', settleMs: 400 };
  let pages = 0;
  try {
    const d = await openTab(chrome.cdp, rec, requests);
    await d.goto(PAGES[0]); pages++;
    await d.click('#consent-accept'); /* the visitor accepts the banner: first-party id, hashed */
    for (const p of PAGES.slice(1)) { await d.goto(p); pages++; }
    await d.goto('/appointments/request'); pages++;
    await fillAppointment(d);
    await d.click('#appointment-submit', 'submit', true); pages++;
    await d.goto('/pharmacy/refill'); pages++;
    await fillRefill(d);
    await d.click('#refill-submit', 'submit', true); pages++;
    await d.goto('/'); pages++; /* anything still queued in localStorage goes now */
    await sleep(1000);
  } finally {
    await chrome.close();
  }
  let site = 0, gateway = 0, other = 0;
  for (const r of requests) {
    if (r.url.startsWith(args.site + '/')) { site++; continue; }
    if (r.url.startsWith(args.gateway + '/')) gateway++;
    else if (/^https?:/.test(r.url)) other++;
    else continue;
    console.log(`request ${r.method} ${r.url}`);
  }
  console.log(`drive-clean: ${pages} pages, ${site} site requests, ${gateway} gateway requests, ${other} other requests`);
}

main().catch((err) => { console.error(`drive-clean: ${err.message}`); process.exit(3); });
