/** Builds the local agent console: its page, script and styles, reusing the site's ChatJS. */
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import type { BuiltSite } from "../../www/build";

export function buildAgentConsole(site: BuiltSite, outDir = join(__dirname, "dist")): string {
  mkdirSync(outDir, { recursive: true });
  buildSync({
    entryPoints: [join(__dirname, "console.ts")],
    outfile: join(outDir, "console.js"),
    bundle: true,
    minify: true,
    format: "iife",
    target: ["es2020"],
    define: { CHATJS_FILE: JSON.stringify(site.chatJsFile), STYLES_FILE: JSON.stringify(site.stylesFile) },
  });
  copyFileSync(join(__dirname, "index.html"), join(outDir, "index.html"));
  copyFileSync(join(__dirname, "console.css"), join(outDir, "console.css"));
  return outDir;
}
