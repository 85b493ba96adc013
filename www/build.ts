/**
 * Builds the customer site into a folder: `connect-chat.js` (the widget, a stable name so other
 * sites can embed it), content-hashed `connect-chat-<hash>.css` and `chatjs-<hash>.js` (the official
 * ChatJS, loaded only when a chat starts), and `index.html`. `config.json` is written by whoever
 * serves it (ChatSite at deploy time, the local stack at start).
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";
import { builtSiteDir } from "./serving";

const chatJsSource = require.resolve("amazon-connect-chatjs/dist/amazon-connect-chat.js");

function hashed(base: string, extension: string, content: Buffer): string {
  return `${base}-${createHash("sha256").update(content).digest("hex").slice(0, 10)}.${extension}`;
}

export interface BuiltSite {
  dir: string;
  /** The hashed names of ChatJS and the stylesheet, for other pages that reuse them. */
  chatJsFile: string;
  stylesFile: string;
  /** File name → gzip size in bytes, for the size report. */
  gzipSizes: Record<string, number>;
}

export function buildSite(outDir = builtSiteDir): BuiltSite {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const chatJs = readFileSync(chatJsSource);
  const chatJsFile = hashed("chatjs", "js", chatJs);
  writeFileSync(join(outDir, chatJsFile), chatJs);
  const styles = readFileSync(join(__dirname, "src", "connect-chat.css"));
  const stylesFile = hashed("connect-chat", "css", styles);
  writeFileSync(join(outDir, stylesFile), styles);
  buildSync({
    entryPoints: [join(__dirname, "src", "widget.ts")],
    outfile: join(outDir, "connect-chat.js"),
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "ConnectChat",
    target: ["es2020"],
    define: { CHATJS_FILE: JSON.stringify(chatJsFile), STYLES_FILE: JSON.stringify(stylesFile) },
    legalComments: "none",
  });
  copyFileSync(join(__dirname, "index.html"), join(outDir, "index.html"));
  const gzipSizes = Object.fromEntries([chatJsFile, stylesFile, "connect-chat.js"].map((file) => [file, gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length]));
  return { dir: outDir, chatJsFile, stylesFile, gzipSizes };
}

if (require.main === module) {
  const { dir, gzipSizes } = buildSite(process.argv[2] ?? builtSiteDir);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const widget = gzipSizes["connect-chat.js"];
  const chatJs = Object.entries(gzipSizes).find(([name]) => name.startsWith("chatjs-"))![1];
  console.log(`built ${dir}`);
  for (const [file, size] of Object.entries(gzipSizes)) console.log(`  ${file.padEnd(28)} ${kb(size).padStart(9)} gzip`);
  console.log(`  first load (widget JS)         ${kb(widget).padStart(9)} gzip   budget 15 KB`);
  console.log(`  with ChatJS (chat started)     ${kb(widget + chatJs).padStart(9)} gzip   budget 90 KB`);
}
