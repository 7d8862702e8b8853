// Headless Chromium for the tests that open pages a person would open (sign-in pages, the
// studio). Debian's chromium, installed by tools/ensure-test-tools.sh: playwright-core cannot
// download a browser on these machines.
import { chromium, type Browser } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps dialling Google's hosts, which
    // this machine's closed network refuses, many at a time.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
