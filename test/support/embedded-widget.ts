/**
 * The widget as users embed it: Chromium, a host page on a second origin (host-site.ts), and
 * `npm start -- --allow-origin <that origin>` behind it, started before the suite and stopped after.
 */
import type { Browser } from "playwright-core";
import { launchChromium } from "./browser";
import { hostSite, type HostSite } from "./host-site";
import { startNpmStart, type RunningStack } from "./npm-start";

export interface EmbeddedWidget {
  browser: Browser;
  host: HostSite;
  stack: RunningStack;
}

/** Registers the suite's before and after hooks; the fields are set once `before` has run. */
export function embeddedWidget(): EmbeddedWidget {
  const embedded = {} as EmbeddedWidget;
  before(async () => {
    embedded.browser = await launchChromium();
    embedded.host = await hostSite();
    embedded.stack = await startNpmStart(["--allow-origin", embedded.host.origin]);
  });
  after(async () => {
    await embedded.browser?.close();
    await embedded.stack?.stop();
    await embedded.host?.close();
  });
  return embedded;
}
