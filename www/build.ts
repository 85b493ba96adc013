/**
 * Builds the customer site into a folder: `connect-chat.js` (the widget, a stable name so other
 * sites can embed it), content-hashed `connect-chat-<hash>.css`, `chatjs-<hash>.js` (the official
 * ChatJS, loaded only when a chat starts) and `lang-<code>-<hash>.js` (a language pack each, loaded
 * only for its language), and `index.html`. `config.json` is written by whoever serves it (ChatSite
 * at deploy time, the local stack at start).
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { buildSync } from "esbuild";
import { builtSiteDir } from "./serving";
import { chatPartsGlobal, packGlobal } from "./src/script-globals";

const chatJsSource = require.resolve("amazon-connect-chatjs/dist/amazon-connect-chat.js");

function hashed(base: string, extension: string, content: Buffer): string {
  return `${base}-${createHash("sha256").update(content).digest("hex").slice(0, 10)}.${extension}`;
}

export interface BuiltSite {
  dir: string;
  /** The hashed names of ChatJS and the stylesheet, for other pages that reuse them. */
  chatJsFile: string;
  /** The widget's code for a chat (chat-parts.ts), loaded once a chat opens. */
  chatPartsFile: string;
  stylesFile: string;
  /** Language → its pack's file name. */
  languageFiles: Record<string, string>;
  /** File name → gzip size in bytes, for the size report. */
  gzipSizes: Record<string, number>;
}

const sourceDir = join(__dirname, "src");

/** The widget's stylesheet: the base rules first, then each part's own file. */
function stylesheet(): Buffer {
  const parts = readdirSync(sourceDir).filter((file) => file.endsWith(".css") && file !== "connect-chat.css").sort();
  return Buffer.concat(["connect-chat.css", ...parts].map((file) => readFileSync(join(sourceDir, file))));
}

/** Each language pack as a script that leaves its texts where the widget looks (i18n.ts). */
function buildLanguagePacks(outDir: string): Record<string, string> {
  const packDir = join(sourceDir, "lang");
  return Object.fromEntries(readdirSync(packDir).filter((file) => file.endsWith(".ts")).map((file) => {
    const language = file.slice(0, -3);
    const { outputFiles: [output] } = buildSync({
      stdin: { contents: `import strings from "./${language}"; ((window as any).${packGlobal} ||= {})[${JSON.stringify(language)}] = strings;`, resolveDir: packDir, loader: "ts" },
      bundle: true, minify: true, format: "iife", target: ["es2020"], write: false, legalComments: "none",
    });
    const name = hashed(`lang-${language}`, "js", Buffer.from(output.contents));
    writeFileSync(join(outDir, name), output.contents);
    return [language, name];
  }));
}

export function buildSite(outDir = builtSiteDir): BuiltSite {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const chatJs = readFileSync(chatJsSource);
  const chatJsFile = hashed("chatjs", "js", chatJs);
  writeFileSync(join(outDir, chatJsFile), chatJs);
  const styles = stylesheet();
  const stylesFile = hashed("connect-chat", "css", styles);
  writeFileSync(join(outDir, stylesFile), styles);
  const languageFiles = buildLanguagePacks(outDir);
  const chatParts = buildSync({
    entryPoints: [join(sourceDir, "chat-parts.ts")], bundle: true, minify: true, format: "iife", globalName: chatPartsGlobal, target: ["es2020"], write: false, legalComments: "none",
  }).outputFiles[0].contents;
  const chatPartsFile = hashed("chat-parts", "js", Buffer.from(chatParts));
  writeFileSync(join(outDir, chatPartsFile), chatParts);
  buildSync({
    entryPoints: [join(sourceDir, "widget.ts")],
    outfile: join(outDir, "connect-chat.js"),
    bundle: true,
    minify: true,
    format: "iife",
    globalName: "ConnectChat",
    target: ["es2020"],
    define: { CHATJS_FILE: JSON.stringify(chatJsFile), STYLES_FILE: JSON.stringify(stylesFile), LANGUAGE_FILES: JSON.stringify(languageFiles), CHAT_PARTS_FILE: JSON.stringify(chatPartsFile) },
    legalComments: "none",
  });
  copyFileSync(join(__dirname, "index.html"), join(outDir, "index.html"));
  const gzipSizes = Object.fromEntries([chatJsFile, chatPartsFile, stylesFile, "connect-chat.js", ...Object.values(languageFiles)]
    .map((file) => [file, gzipSync(readFileSync(join(outDir, file)), { level: 9 }).length]));
  return { dir: outDir, chatJsFile, chatPartsFile, stylesFile, languageFiles, gzipSizes };
}

/** The figures the budgets are set on, in gzip bytes: what loads first, the largest pack, all once chatting. */
export function siteBudgets(site: BuiltSite): { firstLoad: number; largestPack: number; withChatJs: number } {
  const size = site.gzipSizes;
  const firstLoad = size["connect-chat.js"] + size[site.stylesFile];
  return { firstLoad, largestPack: Math.max(0, ...Object.values(site.languageFiles).map((file) => size[file])), withChatJs: firstLoad + size[site.chatPartsFile] + size[site.chatJsFile] };
}

if (require.main === module) {
  const site = buildSite(process.argv[2] ?? builtSiteDir);
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const { firstLoad, withChatJs, largestPack } = siteBudgets(site);
  console.log(`built ${site.dir}`);
  for (const [file, size] of Object.entries(site.gzipSizes)) console.log(`  ${file.padEnd(28)} ${kb(size).padStart(9)} gzip`);
  console.log(`  first load (widget JS + CSS)   ${kb(firstLoad).padStart(9)} gzip   budget 15 KB`);
  console.log(`  largest language pack          ${kb(largestPack).padStart(9)} gzip   budget 2 KB`);
  console.log(`  with ChatJS (chat started)     ${kb(withChatJs).padStart(9)} gzip   budget 95 KB`);
}
