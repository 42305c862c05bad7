// Headless Chromium from Debian (playwright's own browser download cannot work here).
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

const executablePath = process.env.RNN_LAB_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser() {
  if (!existsSync(executablePath)) {
    throw new Error(`no Chromium at ${executablePath}: run scripts/ci-deps.sh (or set RNN_LAB_CHROMIUM)`);
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', // we run as root
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
