/** `npm run check:flows`: checks every flow in this folder, as it is and filled in. */
import { checkFlow, fillFlow, flowNames, placeholdersOf, readFlow } from "./flows";

let failed = false;
for (const name of flowNames) {
  let problems: string[];
  try {
    const flow = readFlow(name);
    const sample = Object.fromEntries(placeholdersOf(flow).map((key) => [key, `arn:aws:connect:us-east-1:123456789012:instance/sample/${key.toLowerCase()}`]));
    problems = [...checkFlow(flow), ...checkFlow(fillFlow(flow, sample), { filled: true })];
  } catch (error) {
    problems = [(error as Error).message];
  }
  console.log(`${problems.length ? "✗" : "✓"} contact-flows/${name}.json${problems.map((p) => `\n    ${p}`).join("")}`);
  failed ||= problems.length > 0;
}
process.exit(failed ? 1 : 0);
