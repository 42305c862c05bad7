// The report of an untrusted notebook opened in headless Chromium (issue 15 §3): the XSS corpus of
// test/fixtures/report/xssCorpus.ts is rendered into one report and every link, image and
// disclosure in it is hovered and clicked; no vector may call window.__xss, change the title,
// open a dialog or a window, navigate to javascript:/data:, restyle the page, or trip the CSP's
// script-src. The report's own plots must still be drawn (so the CSP is not blocking everything),
// and the same harness must catch the raw vectors on a page without sanitiser or CSP (so the
// vectors and the harness are live). Needs Chromium (scripts/ci-deps.sh installs it): a missing
// browser fails the test in CI and skips it elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { renderReport } from '../../kernel/runner/htmlReport';
import { MARKUP, XSS_SUMMARY, XSS_TITLE, xssNotebook } from '../fixtures/report/xssCorpus';

const executablePath = process.env.RNN_LAB_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(executablePath);
const missing = `no Chromium at ${executablePath} (run scripts/ci-deps.sh, or set RNN_LAB_CHROMIUM)`;

if (!haveChromium && process.env.CI) {
  // A missing piece is a failure in CI, never a skip.
  describe('the report in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(missing);
    });
  });
} else if (!haveChromium) {
  console.warn(`report-xss-browser: skipped, ${missing}`);
  describe.skip(`the report in Chromium (skipped: ${missing})`, () => {
    it('is not run', () => undefined);
  });
} else {
  describeInBrowser();
}

/** What a page did that it should not have. */
interface Findings {
  fired: string[];
  dialogs: string[];
  popups: string[];
  navigations: string[];
  cspScriptViolations: string[];
}

function describeInBrowser(): void {
  let browser: Browser;
  let work: string;

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'rnn-lab-xss-'));
    browser = await chromium.launch({
      executablePath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A context whose pages report every __xss call, dialog, popup, navigation and script-src violation. */
  async function watchedContext(): Promise<{ context: BrowserContext; findings: Findings }> {
    const findings: Findings = { fired: [], dialogs: [], popups: [], navigations: [], cspScriptViolations: [] };
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    // Nothing leaves the machine: only the report file (and what it names next to it) loads.
    await context.route(/^(?!file:)/, (route) => route.abort());
    // Bound before any page loads, in every frame and window of the context.
    await context.exposeBinding('__xss', (_source, id: unknown) => {
      findings.fired.push(String(id));
    });
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        console.log(`csp-violation ${e.effectiveDirective} ${e.blockedURI} ${e.sample}`);
      });
      // A click on a link to a web page, a mail address or a file only leaves the report (and
      // reloading its 10 MB costs seconds each): those are not followed. Links with any other
      // scheme (javascript:, data:, …) are, so what they would run is caught.
      addEventListener(
        'click',
        (e) => {
          const link = e.target instanceof Element ? e.target.closest('a') : null;
          const href = link?.getAttribute('href') ?? link?.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
          if (href == null) return;
          let protocol = '';
          try {
            protocol = new URL(href, document.baseURI).protocol;
          } catch {
            return;
          }
          if (['http:', 'https:', 'mailto:', 'file:'].includes(protocol)) e.preventDefault();
        },
        true,
      );
    });
    context.on('page', (page) => {
      page.on('dialog', (dialog) => {
        findings.dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('console', (message) => {
        if (/^csp-violation script-src/.test(message.text())) findings.cspScriptViolations.push(message.text());
      });
      page.on('popup', (popup) => findings.popups.push(popup.url()));
      page.on('framenavigated', (frame) => {
        if (/^(javascript|data):/i.test(frame.url())) findings.navigations.push(frame.url());
      });
    });
    return { context, findings };
  }

  /**
   * Hovers (mouse events and focus, dispatched to every element under `hoverSelector` at once)
   * and clicks with the mouse every element under `clickSelector` (a dispatched click where it is
   * not visible). Returns how many were clicked.
   */
  async function poke(page: Page, url: string, clickSelector: string, hoverSelector: string): Promise<number> {
    await page.evaluate((selector) => {
      for (const element of document.querySelectorAll(selector)) {
        for (const type of ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove', 'focusin']) element.dispatchEvent(new MouseEvent(type, { bubbles: true }));
        if (element instanceof HTMLElement || element instanceof SVGElement) element.focus();
      }
    }, hoverSelector);
    let handles = await page.$$(clickSelector);
    for (let i = 0; i < handles.length; i++) {
      const element = handles[i]!;
      await element.scrollIntoViewIfNeeded({ timeout: 100 }).catch(() => undefined);
      const box = await element.boundingBox().catch(() => null);
      if (box && box.width > 0 && box.height > 0) {
        await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
        await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      } else {
        await element.dispatchEvent('click').catch(() => undefined);
      }
      if (page.url().split('#')[0] !== url) {
        await page.goto(url, { waitUntil: 'load' });
        handles = await page.$$(clickSelector);
      }
    }
    return handles.length;
  }

  it('runs none of the corpus, and still draws the report\'s own plots', async () => {
    const plotly = readFileSync(createRequire(__filename).resolve('plotly.js-dist'), 'utf8');
    const file = path.join(work, 'report.html');
    writeFileSync(file, renderReport(xssNotebook(), { title: XSS_TITLE, summary: XSS_SUMMARY, plotlySource: plotly }));
    const url = pathToFileURL(file).href;
    const { context, findings } = await watchedContext();
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.plot .main-svg', { timeout: 20_000 });
    const title = await page.title();
    expect(title).toBe(XSS_TITLE);

    const clicked = await poke(page, url, 'main a, main img, main summary, main [title]', 'main *');
    expect(clicked).toBeGreaterThan(50);
    await page.keyboard.press('Tab');
    await page.mouse.wheel(0, 20_000);
    await page.waitForTimeout(500);

    expect(findings).toEqual({ fired: [], dialogs: [], popups: [], navigations: [], cspScriptViolations: [] });
    expect(page.url()).toBe(url);
    expect(await page.title()).toBe(title);
    const dom = await page.evaluate(() => ({
      scripts: document.scripts.length,
      handlers: [...document.querySelectorAll('main *')].flatMap((e) => [...e.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${e.localName} ${a.name}`)),
      injectedStyle: getComputedStyle(document.body).getPropertyValue('--xss-style'),
      mainShown: getComputedStyle(document.querySelector('main')!).display !== 'none',
      plots: document.querySelectorAll('.plot').length,
      drawn: document.querySelectorAll('.plot .main-svg').length,
      plotTitles: [...document.querySelectorAll('.plot .gtitle')].map((t) => t.textContent ?? ''),
    }));
    expect(dom.scripts).toBe(3); // plotly.js, the figure data (JSON), the loop that draws them
    expect(dom.handlers).toEqual([]);
    expect(dom.injectedStyle).toBe('');
    expect(dom.mainShown).toBe(true);
    // The control plot and the crafted ones: all drawn, their hostile titles shown as text.
    expect(dom.plots).toBe(5);
    expect(dom.drawn).toBe(dom.plots * 3);
    expect(dom.plotTitles).toContain('control plot');
    expect(dom.plotTitles.join('\n')).toContain('</script><script>');
    await context.close();
  }, 180_000);

  it('catches the raw vectors on a page without sanitiser or CSP (the corpus and the harness are live)', async () => {
    const { context, findings } = await watchedContext();
    const page = await context.newPage();
    for (const [id, html] of MARKUP) {
      const file = path.join(work, `raw-${id}.html`);
      writeFileSync(file, `<!DOCTYPE html><html><head><title>raw</title></head><body><main>${html}</main></body></html>`);
      const url = pathToFileURL(file).href;
      await page.goto(url, { waitUntil: 'load' }).catch(() => undefined);
      await poke(page, url, 'main a, main img, main summary, main div, main mi, main text, main input, main button', 'main *');
      await page.waitForTimeout(200); // a javascript: navigation runs a task later
    }
    await page.waitForTimeout(500);
    const live = new Set(findings.fired);
    // Vectors that any current Chromium runs when nothing stands in their way.
    const expected = ['script', 'script-src', 'img-onerror', 'img-onerror-unquoted', 'svg-onload', 'svg-script', 'svg-animate-onbegin', 'svg-animate-href', 'svg-foreignobject', 'iframe-srcdoc', 'iframe-js', 'form-action'];
    expected.push('a-javascript', 'a-javascript-case', 'a-javascript-space', 'a-entity-tab', 'a-entity-dec', 'a-onclick', 'mxss-noscript', 'mxss-svg-style', 'mxss-xmp', 'mxss-comment');
    expected.push('details-ontoggle', 'input-autofocus', 'video-source', 'audio-onerror', 'body-onload', 'div-hover');
    for (const id of expected) {
      expect(live, `raw vector ${id} did not fire: the harness would miss it`).toContain(id);
    }
    expect(findings.dialogs).toEqual(['1']);
    await context.close();
  }, 180_000);
}
