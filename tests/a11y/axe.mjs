// Runs axe-core in real Chromium on each page given (paths or file:// URLs) and prints
// every violation as one JSON line {page, id, impact, help, nodes}. Exit status: 0 when no
// violation is serious or critical, 1 otherwise, 2 when the check itself fails.
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import fs from 'node:fs';

const require = createRequire(import.meta.url);
const puppeteer = require('puppeteer-core');
const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const pages = process.argv.slice(2);
if (pages.length === 0) {
  console.error('usage: node axe.mjs PAGE...');
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
});
let serious = 0;
try {
  for (const page of pages) {
    const url = page.startsWith('file://') ? page : pathToFileURL(page).href;
    for (const scheme of ['light', 'dark']) {
      const tab = await browser.newPage();
      await tab.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await tab.goto(url, { waitUntil: 'load' });
      // The pages forbid scripts (CSP script-src 'none'): axe runs in an isolated world.
      await tab.setBypassCSP(true);
      await tab.goto(url, { waitUntil: 'load' });
      await tab.evaluate(axeSource);
      const result = await tab.evaluate(() => window.axe.run(document));
      for (const v of result.violations) {
        console.log(JSON.stringify({ page, scheme, id: v.id, impact: v.impact, help: v.help,
                                     nodes: v.nodes.map((n) => n.target.join(' ')) }));
        if (v.impact === 'serious' || v.impact === 'critical') ++serious;
      }
      await tab.close();
    }
  }
} finally {
  await browser.close();
}
process.exit(serious ? 1 : 0);
