/**
 * SECURITY.md and README.md name, beside a claim, the test that attacks it (*test/file.test.ts ›
 * name*). A reference that no longer names a real test would leave its claim unguarded: this keeps
 * them true.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "chai";

const root = join(__dirname, "..");

/** Every `*test/….test.ts*` or `*test/….test.ts › name…*` reference, with the names it cites. */
function testReferences(markdown: string): { file: string; names: string[] }[] {
  const text = markdown.replace(/\s+/g, " ");
  return [...text.matchAll(/\*(test\/[\w-]+\.test\.ts)((?: › [^*]+?)?)\*/g)].map(([, file, names]) => ({
    file,
    // "a › b" names a test b inside describe a; "…" ends a name cited by its beginning.
    names: names.split(" › ").map((name) => name.trim()).filter(Boolean).map((name) => name.replace(/\s*…$/, "")),
  }));
}

for (const [document, atLeast] of [["SECURITY.md", 20], ["README.md", 5]] as const) {
  describe(`${document}'s claims name tests that exist`, () => {
    const references = testReferences(readFileSync(join(root, document), "utf8"));

    it("cites tests for its claims", () => {
      expect(references.length).to.be.at.least(atLeast);
    });

    it("names only test files and test or describe titles that are there", () => {
      const missing: string[] = [];
      for (const { file, names } of references) {
        if (!existsSync(join(root, file))) {
          missing.push(file);
          continue;
        }
        const source = readFileSync(join(root, file), "utf8").replace(/\s+/g, " ");
        for (const name of names) if (!source.includes(name)) missing.push(`${file} › ${name}`);
      }
      expect(missing).to.deep.equal([]);
    });
  });
}
