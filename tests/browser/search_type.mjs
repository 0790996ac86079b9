// Types a query into the built site's search page in real Chromium, waits for the
// results, follows the first one, and prints what happened as JSON on stdout.
// Usage: node search_type.mjs CHROMIUM ORIGIN QUERY
import puppeteer from 'puppeteer-core';

const [chromium, origin, query] = process.argv.slice(2);
const report = {
  results: [],
  landed: null,
  errors: [],
  cspViolations: [],
  requests: [],
  csp: null
};
const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: [
    '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'
  ],
});
try {
  const page = await browser.newPage();
  // The browser's own favicon request is no error of the page.
  page.on('console', (m) => {
    if (m.type() === 'error' && !(m.location().url || '').endsWith('/favicon.ico'))
      report.errors.push(m.text());
  });
  page.on('pageerror', (e) => report.errors.push(String(e)));
  page.on('request', (r) => report.requests.push(r.url()));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window.__csp = window.__csp || []).push(e.violatedDirective + ' ' + e.blockedURI);
    });
  });
  await page.goto(origin + '/search.html', {waitUntil: 'load'});
  report.csp = await page.$eval('meta[http-equiv="Content-Security-Policy"]', (m) => m.content);
  // An inline script must be refused under this policy: proof the CSP is in force.
  report.inlineBlocked = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__inlineRan = true;';
    document.body.append(s);
    return !window.__inlineRan;
  });
  // The probe's refusal is expected; anything refused from here on is a fault of the page.
  report.probeViolations = await page.evaluate(() => window.__csp || []);
  report.errors = [];
  await page.type('#q', query);
  await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.keyboard.press('Enter')]);
  await page.waitForSelector('body[data-search-done]', {timeout: 20000});
  report.url = page.url();
  report.status = await page.$eval('#search-status', (e) => e.textContent);
  report.results = await page.$$eval(
      '#search-results a', (as) => as.map((a) => ({href: a.href, text: a.textContent})));
  report.cspViolations.push(...(await page.evaluate(() => window.__csp || [])));
  if (report.results.length) {
    await Promise.all(
        [page.waitForNavigation({waitUntil: 'load'}), page.click('#search-results a')]);
    report.landed = {url: page.url(), h1: await page.$eval('h1', (e) => e.textContent)};
  }
} catch (e) {
  report.errors.push('driver: ' + e.message);
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(report) + '\n');
