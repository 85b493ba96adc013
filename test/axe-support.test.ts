/**
 * The axe helper (support/axe.ts) finds what it should, cannot pass by not running, and works on the
 * customer page under its real CSP.
 */
import { expect } from "chai";
import type { Browser, Page } from "playwright-core";
import { expectAccessible, runAxe, seriousViolations } from "./support/axe";
import { launchChromium } from "./support/browser";
import { localStack } from "./support/hooks";

const broken = `<!doctype html>
<html lang="en"><head><title>Broken</title></head>
<body><main>
  <h1>Broken on purpose</h1>
  <div id="picture"><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></div>
  <div id="controls"><button></button></div>
  <p id="faint" style="color: #bbb; background: #fff">Hard to read</p>
  <div id="host"></div>
</main></body></html>`;

const fine = `<!doctype html>
<html lang="en"><head><title>Fine</title></head>
<body><main>
  <h1>Fine</h1>
  <img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="A dot">
  <button>Send</button>
  <p style="color: #222; background: #fff">Easy to read</p>
</main></body></html>`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("axe accessibility helper (Chromium)", () => {
  let browser: Browser;
  let page: Page;

  before(async () => {
    browser = await launchChromium();
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
  });
  afterEach(async () => page.close());

  describe("on a deliberately inaccessible page", () => {
    beforeEach(async () => {
      await page.setContent(broken);
      // A nameless button inside an open shadow root: axe must reach it.
      await page.evaluate(() => {
        document.querySelector("#host")!.attachShadow({ mode: "open" }).innerHTML = `<button class="inner"></button>`;
      });
    });

    it("reports each serious or critical violation, with its nodes, including in shadow roots", async () => {
      const lines = await seriousViolations(page);
      expect(lines.map((line) => line.split(" ")[0]).sort()).to.deep.equal(["button-name", "color-contrast", "image-alt"]);
      const line = (id: string) => lines.find((candidate) => candidate.startsWith(`${id} `))!;
      expect(line("image-alt")).to.match(/^image-alt \(critical\): Images must have alternative text \[.*img.*\]$/);
      expect(line("color-contrast")).to.match(/^color-contrast \(serious\): .*contrast.* \[.*#faint.*\]$/);
      // Both nameless buttons: the one in the page and the one in #host's shadow root.
      expect(line("button-name")).to.match(/^button-name \(critical\): Buttons must have discernible text \[.*button.*, .*#host >>> .*inner.*\]$/);
    });

    it("limits the check to a CSS selector", async () => {
      expect((await seriousViolations(page, "#picture")).map((line) => line.split(" ")[0])).to.deep.equal(["image-alt"]);
      expect(await rejection(seriousViolations(page, "#nothing-here"))).to.match(/No elements found/);
    });

    it("fails expectAccessible with the violations and the state's name", async () => {
      const error = await rejection(expectAccessible(page, "the broken page"));
      expect(error.message).to.match(/in the broken page:/);
      for (const id of ["image-alt", "button-name", "color-contrast"]) expect(error.message).to.include(`${id} (`);
    });
  });

  it("passes a page without serious violations, having checked it", async () => {
    await page.setContent(fine);
    await expectAccessible(page, "the fine page");
    const summary = await runAxe(page);
    expect(summary.passedRules).to.be.greaterThan(5);
    expect(summary.passedNodes).to.be.greaterThan(5);
  });

  it("runs on the customer page's form under its real CSP", async () => {
    const stack = await localStack();
    const response = await page.goto(stack.url);
    await page.getByRole("button", { name: "Start chat" }).waitFor();
    // The CSP is the strict one and in force: the usual injection is refused.
    expect(response?.headers()["content-security-policy"]).to.include("script-src 'self'");
    expect(await rejection(page.addScriptTag({ content: "window.injected = true" }))).to.match(/Content Security Policy/);

    const summary = await runAxe(page);
    // axe ran and looked at the form: the labelled fields, the button, the heading.
    expect(summary.passedRules).to.be.greaterThan(10);
    expect(summary.passedNodes).to.be.greaterThan(20);
    expect(await runAxe(page, ".cc-form")).to.have.property("passedNodes").greaterThan(0);
    // Today's form has no serious or critical violations (only page-has-heading-one, moderate).
    await expectAccessible(page, "the customer form");
  });
});
