// Runs the same queries on samizdat's static search and on pagefind, in Chromium, against
// one built site served from ROOT. Per query and engine: bytes the server sent for the
// search (samizdat: search.js and search/; pagefind: pagefind/) until the first ten
// results are shown, then recall and precision of the full result set against TRUTH
// ({query: [page paths]}: the articles whose title or body contains the query).
// Usage: node queries.mjs CHROMIUM ROOT TRUTH.json QUERY...
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

const [chromium, root, truthFile, ...queries] = process.argv.slice(2);
const truth = JSON.parse(fs.readFileSync(truthFile, 'utf8'));
const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.json': 'application/json',
  '.css': 'text/css', '.wasm': 'application/wasm' };
let counted = 0;
const server = http.createServer((req, res) => {
  const url = decodeURIComponent(req.url.split('?')[0]);
  if (url === '/__blank.html') { res.end('<!DOCTYPE html><title>blank</title>'); return; }
  const file = path.join(root, path.normalize(url));
  if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.statusCode = 404; res.end(); return; }
  const body = fs.readFileSync(file);
  if (url === '/search.js' || url.startsWith('/search/') || url.startsWith('/pagefind/')) counted += body.length;
  res.setHeader('Content-Type', types[path.extname(file)] || 'application/octet-stream');
  res.end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = 'http://127.0.0.1:' + server.address().port;
const browser = await puppeteer.launch({ executablePath: chromium, headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'] });

function score(q, found) {
  const want = new Set(truth[q]);
  const got = new Set(found);
  const right = [...got].filter((p) => want.has(p)).length;
  return { results: got.size, relevant: want.size, recall: want.size ? right / want.size : 1,
           precision: got.size ? right / got.size : 1 };
}

async function samizdat(page, q) {
  counted = 0;
  await page.goto(origin + '/search.html?q=' + encodeURIComponent(q), { waitUntil: 'load' });
  await page.waitForSelector('body[data-search-done]', { timeout: 600000 });
  const bytes = counted;
  while (await page.$eval('#search-more', (b) => !b.hidden)) {
    const n = await page.$$eval('#search-results li', (l) => l.length);
    await page.click('#search-more');
    await page.waitForFunction((k) => document.querySelectorAll('#search-results li').length > k, {}, n);
  }
  const found = await page.$$eval('#search-results a', (as) => as.map((a) => new URL(a.href).pathname.slice(1)));
  return { bytes, ...score(q, found) };
}

async function pagefind(page, q) {
  counted = 0;
  await page.goto(origin + '/__blank.html');
  await page.evaluate(async (q) => {
    const pf = await import('/pagefind/pagefind.js');
    window.__pf = pf;
    window.__search = await pf.search(q);
    await Promise.all(window.__search.results.slice(0, 10).map((r) => r.data()));
  }, q);
  const bytes = counted;
  const found = await page.evaluate(async () => {
    const all = await Promise.all(window.__search.results.map((r) => r.data()));
    return all.map((d) => new URL(d.url, location.origin).pathname.slice(1));
  });
  return { bytes, ...score(q, found) };
}

const rows = [];
for (const q of queries) {
  for (const [engine, run] of [['samizdat', samizdat], ['pagefind', pagefind]]) {
    const context = await browser.createBrowserContext();  // a cold cache each time
    const page = await context.newPage();
    try {
      rows.push({ query: q, engine, ...(await run(page, q)) });
    } catch (e) {
      rows.push({ query: q, engine, error: String(e) });
    }
    await context.close();
  }
}
await browser.close();
server.close();
for (const r of rows) console.log(JSON.stringify(r));
