/**
 * Accessibility checks with axe-core, run inside the page under test.
 *
 * The customer site's CSP allows scripts only from the site itself (`script-src 'self'`, no inline,
 * no eval), so `page.addScriptTag` cannot put axe in it. Instead axe's source goes in through
 * `page.evaluate`, which Playwright sends over the DevTools protocol (Runtime.evaluate /
 * Runtime.callFunctionOn): the browser runs it as debugger code, outside the page's CSP, and the page
 * and its headers stay exactly as served. axe itself needs no eval for its built-in rules.
 */
import { readFileSync } from "node:fs";
import type { AxeResults, ImpactValue, RunOptions } from "axe-core";
import type { Page } from "playwright-core";

/** WCAG 2.0 and 2.1 levels A and AA, and axe's best practices. */
export const axeTags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

const seriousImpacts: ImpactValue[] = ["serious", "critical"];

let axeSource: string | undefined;

/** What one axe run found, reduced to plain data. */
export interface AxeSummary {
  /** Every violation, one readable line each (see `violationLine`). */
  violations: { id: string; impact: ImpactValue | null; line: string }[];
  /** How many rules passed, and on how many nodes: proof that axe looked at something. */
  passedRules: number;
  passedNodes: number;
  /** Rules whose result axe could not decide (e.g. contrast over an image), by id. */
  incomplete: string[];
  /** The axe-core version that ran. */
  version: string;
}

/** Puts axe in the page's main world once per document, however strict the page's CSP. */
async function injectAxe(page: Page): Promise<void> {
  if (await page.evaluate(() => typeof (window as { axe?: unknown }).axe === "object")) return;
  axeSource ??= readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  // A string, not a function: Playwright evaluates it as is in the page, over the DevTools protocol.
  await page.evaluate(axeSource);
  if (!(await page.evaluate(() => typeof (window as { axe?: unknown }).axe === "object"))) {
    throw new Error("axe-core did not load in the page");
  }
}

/**
 * Runs axe (WCAG 2.0/2.1 A and AA plus best practices) over the document, or over the elements the
 * CSS selector `context` matches (axe fails if it matches none). Open shadow roots are included;
 * iframes are not.
 */
export async function runAxe(page: Page, context?: string): Promise<AxeSummary> {
  await injectAxe(page);
  const options: RunOptions = {
    runOnly: { type: "tag", values: axeTags },
    iframes: false,
  };
  return page.evaluate(async ({ context, options }) => {
    const axe = (window as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } }).axe;
    const results = await axe.run(context ?? document, options);
    // A shadow-DOM target is a list of selectors, from the host down to the element.
    const target = (selector: unknown): string => Array.isArray(selector) ? selector.map(target).join(" >>> ") : String(selector);
    return {
      violations: results.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact ?? null,
        line: `${rule.id} (${rule.impact ?? "no impact"}): ${rule.help} [${rule.nodes.map((node) => target(node.target)).join(", ")}]`,
      })),
      passedRules: results.passes.length,
      passedNodes: results.passes.reduce((sum, rule) => sum + rule.nodes.length, 0),
      incomplete: results.incomplete.map((rule) => rule.id),
      version: results.testEngine.version,
    };
  }, { context, options });
}

/**
 * One line per violation of impact "serious" or "critical":
 * `rule-id (impact): help [target, target, ...]`.
 */
export async function seriousViolations(page: Page, context?: string): Promise<string[]> {
  const { violations } = await runAxe(page, context);
  return violations.filter((violation) => violation.impact !== null && seriousImpacts.includes(violation.impact)).map((violation) => violation.line);
}

/** Fails, naming the UI state, if axe finds serious or critical violations. */
export async function expectAccessible(page: Page, state: string, context?: string): Promise<void> {
  const lines = await seriousViolations(page, context);
  if (lines.length) {
    throw new Error(`Accessibility violations (serious or critical) in ${state}${context ? ` (${context})` : ""}:\n  ${lines.join("\n  ")}`);
  }
}
